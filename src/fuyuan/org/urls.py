"""URLs of the org app."""

from django.urls import path

from . import views

app_name = "org"
urlpatterns: list = []
