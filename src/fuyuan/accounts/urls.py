"""URLs of the accounts app."""

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("session/", views.session_status, name="session"),
    path("me/", views.profile, name="profile"),
    path("me/delegations/<int:pk>/end/", views.delegation_end, name="delegation_end"),
    path("users/", views.user_list, name="user_list"),
    path("users/<int:pk>/toggle/", views.user_toggle, name="user_toggle"),
    path("roles/", views.assignment_list, name="assignment_list"),
    path("roles/<int:pk>/end/", views.assignment_end, name="assignment_end"),
]
