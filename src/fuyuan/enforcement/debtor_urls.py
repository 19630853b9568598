"""URLs of the enforcement app: the debtor list, its entries and the imports of the court's
files (mounted by urls.py under the "enforcement" namespace)."""

from django.urls import URLPattern, path

from . import debtor_views as views

urlpatterns: list[URLPattern] = [
    path("debtors/", views.debtor_list, name="debtor_list"),
    path("debtors/export/", views.debtor_export, name="debtor_export"),
    path("debtors/<int:pk>/", views.debtor_detail, name="debtor_detail"),
    path("debtors/<int:pk>/reveal/", views.debtor_reveal, name="debtor_reveal"),
    path("debtors/<int:pk>/remove/", views.debtor_remove, name="debtor_remove"),
    path("debtors/<int:pk>/confirm/", views.debtor_confirm, name="debtor_confirm"),
    path("debtors/import/", views.debtor_import, name="debtor_import"),
    path(
        "debtors/import/<int:batch>/",
        views.debtor_import_preview,
        name="debtor_import_preview",
    ),
    path(
        "debtors/import/<int:batch>/confirm/",
        views.debtor_import_confirm,
        name="debtor_import_confirm",
    ),
    path("debtors/samples/<slug:kind>/", views.debtor_sample, name="debtor_sample"),
]
