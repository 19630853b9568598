"""URLs of the org app."""

from django.urls import path

from . import reveal, views

app_name = "org"
urlpatterns = [
    path("mechanisms/", views.mechanism_list, name="mechanism_list"),
    path("mechanisms/<int:pk>/", views.mechanism_detail, name="mechanism_detail"),
    path("mechanisms/<int:pk>/settings/", views.mechanism_settings, name="mechanism_settings"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/contacts/", views.unit_contacts, name="unit_contacts"),
    path("units/<int:pk>/reorganise/", views.unit_reorganise, name="unit_reorganise"),
    path("directory/", views.directory, name="directory"),
    path("persons/<int:pk>/mobile/", reveal.contact_reveal, name="contact_reveal"),
    path("jurisdictions/", views.jurisdiction_tree, name="jurisdiction_tree"),
    path("changes/", views.change_list, name="change_list"),
    path("changes/new/", views.change_create, name="change_create"),
    path(
        "changes/liaison-account/",
        views.liaison_account_create,
        name="liaison_account_create",
    ),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
    path("changes/<int:pk>/<slug:transition>/", views.change_transition, name="change_transition"),
]
