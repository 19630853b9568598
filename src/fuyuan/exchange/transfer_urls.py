"""URLs of the transfer pages (under /exchange/transfers/, namespace "exchange"): export
packages, and for the system administrator the file drops and pushed/dropped batches."""

from django.urls import path

from . import transfer_views as views

urlpatterns = [
    path("packages/", views.package_list, name="package_list"),
    path("packages/<int:pk>/", views.package_detail, name="package_detail"),
    path("drops/", views.drop_list, name="drop_list"),
    path("drops/scan/", views.drop_scan, name="drop_scan"),
    path("batches/", views.batch_list, name="transfer_batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="transfer_batch_detail"),
]
