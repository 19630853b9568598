"""URL patterns of the working-day calendar (included by matters/urls.py at /matters/calendar/)."""

from django.urls import path

from . import calendar_views

urlpatterns = [
    path("", calendar_views.calendar_page, name="calendar"),
    path("days/new/", calendar_views.calendar_day_add, name="calendar_day_add"),
    path("days/<int:pk>/", calendar_views.calendar_day_edit, name="calendar_day_edit"),
    path("days/<int:pk>/delete/", calendar_views.calendar_day_delete, name="calendar_day_delete"),
    path("years/new/", calendar_views.calendar_year_add, name="calendar_year_add"),
]
