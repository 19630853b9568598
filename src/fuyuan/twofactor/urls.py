"""URLs of the twofactor app."""

from django.urls import path  # noqa: F401

app_name = "twofactor"
urlpatterns: list = []
