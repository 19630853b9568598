"""URLs of the sso app."""

from django.urls import path

from . import views

app_name = "sso"
urlpatterns = [
    path("login/", views.sso_login, name="login"),
    path("callback/", views.callback, name="callback"),
    path("logout/", views.sso_logout, name="logout"),
    path("links/", views.links, name="links"),
    path("links/<int:pk>/remove/", views.link_remove, name="link_remove"),
]
