"""URLs of the ops app."""

from django.urls import path

from . import views

app_name = "ops"
urlpatterns = [
    path("health/", views.health_view, name="health"),
    path("ready/", views.ready_view, name="ready"),
    path("queue/", views.queue_view, name="queue"),
    path("queue/<uuid:pk>/requeue/", views.requeue_view, name="requeue"),
]
