"""URLs of the risks app (mounted under /risks/): risk events and the stalled-housing ledger."""

from django.urls import path

from . import views

app_name = "risks"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/notes/", views.event_note_add, name="event_note_add"),
    path(
        "events/<int:pk>/do/<slug:transition>/",
        views.event_transition,
        name="event_transition",
    ),
    path("events/<int:pk>/matters/new/", views.event_matter_open, name="event_matter_open"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
]
