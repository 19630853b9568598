"""URLs of the special campaigns (included under /matters/campaigns/ by matters/urls.py)."""

from django.urls import path

from . import campaign_views as views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/add/", views.campaign_add, name="campaign_add"),
    path("<int:pk>/remove/<int:matter_pk>/", views.campaign_remove, name="campaign_remove"),
    path("<int:pk>/do/<slug:name>/", views.campaign_transition, name="campaign_transition"),
    path("<int:pk>/report/", views.campaign_report, name="campaign_report"),
    path("<int:pk>/report.xlsx", views.campaign_report_xlsx, name="campaign_report_xlsx"),
    path("<int:pk>/report.docx", views.campaign_report_docx, name="campaign_report_docx"),
]
