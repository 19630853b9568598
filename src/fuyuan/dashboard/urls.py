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
