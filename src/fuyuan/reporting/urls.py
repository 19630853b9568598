"""URLs of the reporting app (material collection)."""

from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.collection_list, name="collection_list"),
    path("new/", views.collection_create, name="collection_create"),
    path("<int:pk>/", views.collection_detail, name="collection_detail"),
    path("<int:pk>/urge/", views.collection_urge, name="collection_urge"),
    path("<int:pk>/template/", views.collection_template, name="collection_template"),
    path("<int:pk>/compiled/", views.collection_compiled, name="collection_compiled"),
    path(
        "<int:pk>/do/<slug:transition>/",
        views.collection_transition,
        name="collection_transition",
    ),
    path("targets/<int:pk>/write/", views.target_write, name="target_write"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path(
        "submissions/<int:pk>/attachment/",
        views.submission_attachment,
        name="submission_attachment",
    ),
    path(
        "submissions/<int:pk>/do/<slug:transition>/",
        views.submission_transition,
        name="submission_transition",
    ),
]
