"""URLs of the notify app."""

from django.urls import path

app_name = "notify"
urlpatterns: list = []
