"""URLs of the access-grant pages and the pull log (under /exchange/grants/, namespace
"exchange")."""

from django.urls import path

from . import grant_views as views

urlpatterns = [
    path("", views.grant_list, name="grant_list"),
    path("incoming/", views.grant_incoming, name="grant_incoming"),
    path("new/", views.grant_create, name="grant_create"),
    path("log/", views.access_log, name="access_log"),
    path("<int:pk>/", views.grant_detail, name="grant_detail"),
    path("<int:pk>/<str:transition>/", views.grant_transition, name="grant_transition"),
]
