"""URLs of the enforcement app: government-debtor and livelihood cases and the import of the
court's ledger of them (mounted by urls.py)."""

from django.urls import URLPattern, path

from . import case_import_views, case_views

urlpatterns: list[URLPattern] = [
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/new/", case_views.case_new, name="case_new"),
    path("cases/campaign/", case_views.case_campaign, name="case_campaign"),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", case_views.case_edit, name="case_edit"),
    path("cases/<int:pk>/payment/", case_views.case_payment, name="case_payment"),
    path("cases/<int:pk>/close/", case_views.case_close, name="case_close"),
    *case_import_views.PAGES.urlpatterns("cases/import/"),
]
