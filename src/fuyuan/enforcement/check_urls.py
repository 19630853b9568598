"""URLs of the enforcement app: list checks and feedback (mounted by urls.py)."""

from django.urls import URLPattern, path

from . import check_views

urlpatterns: list[URLPattern] = [
    path("checks/", check_views.check_list, name="check_list"),
    path("checks/new/", check_views.check_new, name="check_new"),
    path("checks/figures/", check_views.check_figures, name="check_figures"),
    path("checks/<int:pk>/", check_views.check_detail, name="check_detail"),
    path("checks/matches/<int:pk>/feedback/", check_views.check_feedback, name="check_feedback"),
    path("checks/matches/<int:pk>/confirm/", check_views.check_confirm, name="check_confirm"),
]
