"""Routes of the assessment app (mounted at /assessment/)."""

from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("new/", views.scheme_create, name="scheme_create"),
    path("<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/score/", views.scheme_score, name="scheme_score"),
    path("<int:pk>/export/", views.scheme_export, name="scheme_export"),
    path("<int:pk>/do/<slug:transition>/", views.scheme_transition, name="scheme_transition"),
    path("<int:pk>/all/<slug:transition>/", views.scheme_all, name="scheme_all"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("results/<int:pk>/adjust/", views.result_adjust, name="result_adjust"),
    path(
        "results/<int:pk>/do/<slug:transition>/",
        views.result_transition,
        name="result_transition",
    ),
]
