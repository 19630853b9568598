"""URLs of the documents app."""

from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("new/", views.document_create, name="document_create"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("<int:pk>/download/", views.document_download, name="document_download"),
    path("<int:pk>/preview.pdf", views.document_pdf, name="document_pdf"),
    path("<int:pk>/<slug:transition>/", views.document_transition, name="document_transition"),
    path("numbers/", views.number_list, name="number_list"),
    path("numbers/new/", views.number_reserve, name="number_reserve"),
    path("numbers/<int:pk>/release/", views.number_release, name="number_release"),
]
