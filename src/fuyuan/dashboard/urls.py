"""Routes of the dashboard: the leaders' brief, the cockpit."""

from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("brief/", views.brief, name="brief"),
    path("brief/docx/", views.brief_docx, name="brief_docx"),
    path("brief/push/", views.brief_push, name="brief_push"),
    path("cockpit/", views.cockpit, name="cockpit"),
]

from . import search_views  # noqa: E402

urlpatterns.append(path("search/", search_views.search_page, name="search"))

from . import bulletin_views, report_views  # noqa: E402

urlpatterns += [
    path("bulletins/", bulletin_views.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", bulletin_views.bulletin_generate, name="bulletin_generate"),
    path("bulletins/<int:pk>/", bulletin_views.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", bulletin_views.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/docx/", bulletin_views.bulletin_docx, name="bulletin_docx"),
    path("bulletins/<int:pk>/notify/", bulletin_views.bulletin_notify, name="bulletin_notify"),
    path(
        "bulletins/<int:pk>/<slug:transition>/",
        bulletin_views.bulletin_transition,
        name="bulletin_transition",
    ),
    path("annual-report/", report_views.annual_report_page, name="annual_report"),
    path("annual-report/docx/", report_views.annual_report_docx, name="annual_report_docx"),
]
