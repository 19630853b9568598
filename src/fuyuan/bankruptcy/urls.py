"""URLs of the bankruptcy app (mounted under /bankruptcy/)."""

from django.urls import path

from . import import_views, views

app_name = "bankruptcy"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/items/new/", views.item_create, name="item_create"),
    path("cases/<int:pk>/queries/new/", views.query_create, name="query_create"),
    path("cases/<int:pk>/fund/apply/", views.application_create, name="application_create"),
    path("queries/", views.query_list, name="query_list"),
    path("queries/<int:pk>/", views.query_answer, name="query_answer"),
    path("fund/", views.fund_list, name="fund_list"),
    path("fund/budget/", views.fund_budget, name="fund_budget"),
    path("fund/<int:pk>/", views.fund_detail, name="fund_detail"),
    path(
        "fund/applications/<int:pk>/<slug:transition>/",
        views.application_transition,
        name="application_transition",
    ),
    path("figures/", views.figures, name="figures"),
    *import_views.PAGES.urlpatterns("import/"),
]
