"""URLs of the meetings app."""

from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("agenda/pick/", views.agenda_pick, name="agenda_pick"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/minutes/new/", views.minutes_create, name="minutes_create"),
    path("<int:pk>/do/<slug:transition>/", views.meeting_transition, name="meeting_transition"),
    path("invitations/<int:pk>/sign-in/", views.invitation_sign_in, name="invitation_sign_in"),
    path("minutes/<int:pk>/edit/", views.minutes_edit, name="minutes_edit"),
    path("minutes/<int:pk>/comment/", views.minutes_comment, name="minutes_comment"),
    path("minutes/<int:pk>/docx/", views.minutes_docx, name="minutes_docx"),
    path(
        "minutes/<int:pk>/do/<slug:transition>/",
        views.minutes_transition,
        name="minutes_transition",
    ),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/rotate/", views.feed_rotate, name="feed_rotate"),
    path("feed/<str:token>.ics", views.feed_user, name="feed_user"),
    path("feed/<str:token>/units/<int:unit_id>.ics", views.feed_unit, name="feed_unit"),
]
