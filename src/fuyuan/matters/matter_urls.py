"""URLs of a matter's own page and actions (included under /matters/m/ by matters/urls.py)."""

from django.urls import path

from . import matter_views as views

urlpatterns = [
    path("new/", views.matter_create, name="matter_create"),
    path("<int:pk>/", views.matter_detail, name="matter_detail"),
    path("<int:pk>/edit/", views.matter_edit, name="matter_edit"),
    path("<int:pk>/do/<slug:transition>/", views.matter_transition, name="matter_transition"),
    path("<int:pk>/urge/", views.matter_urge, name="matter_urge"),
    path("<int:pk>/feedback/", views.matter_feedback, name="matter_feedback"),
    path("<int:pk>/feedback/submit/", views.matter_feedback_submit, name="matter_feedback_submit"),
    path("<int:pk>/co-report/", views.matter_co_report, name="matter_co_report"),
    path("<int:pk>/extension/", views.matter_extension, name="matter_extension"),
    path(
        "<int:pk>/extension/<int:ext>/<slug:decision>/",
        views.matter_extension_decide,
        name="matter_extension_decide",
    ),
    path("<int:pk>/decompose/", views.matter_decompose, name="matter_decompose"),
    path("<int:pk>/share/", views.matter_share, name="matter_share"),
    path("<int:pk>/evaluate/", views.matter_evaluate, name="matter_evaluate"),
    path("<int:pk>/files/", views.matter_attachment_add, name="matter_attachment_add"),
    path("<int:pk>/files/<int:att>/", views.matter_attachment, name="matter_attachment"),
]
