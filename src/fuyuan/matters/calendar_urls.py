"""URL patterns (included by matters/urls.py)."""

from django.urls import path

urlpatterns: list = []
