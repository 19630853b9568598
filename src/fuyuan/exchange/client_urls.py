"""URLs of the system-client pages (under /exchange/clients/, namespace "exchange")."""

from django.urls import path

from . import client_views as views

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("new/", views.client_create, name="client_create"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    path("<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("<int:pk>/toggle/", views.client_toggle, name="client_toggle"),
    path("<int:pk>/review/", views.client_review, name="client_review"),
    path("<int:pk>/confirm/", views.client_confirm, name="client_confirm"),
    path("<int:pk>/reject/", views.client_reject, name="client_reject"),
    path("<int:pk>/tokens/new/", views.token_issue, name="token_issue"),
    path("<int:pk>/tokens/rotate/", views.token_rotate, name="token_rotate"),
    path("<int:pk>/tokens/<int:token>/revoke/", views.token_revoke, name="token_revoke"),
]
