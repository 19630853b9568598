"""URL patterns of the ledger and bulk update (included at /matters/ by matters/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("cards/", views.cards, name="cards"),
    path("export/", views.ledger_export, name="ledger_export"),
    path("filters/save/", views.ledger_filter_save, name="ledger_filter_save"),
    path("filters/<int:pk>/delete/", views.ledger_filter_delete, name="ledger_filter_delete"),
    path("bulk/", views.bulk_upload, name="bulk_upload"),
    path("bulk/download/", views.bulk_download, name="bulk_download"),
    path("bulk/<int:batch>/", views.bulk_preview, name="bulk_preview"),
    path("bulk/<int:batch>/confirm/", views.bulk_confirm, name="bulk_confirm"),
]
