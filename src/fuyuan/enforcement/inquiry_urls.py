"""URLs of the enforcement app: point-to-point inquiries (mounted by urls.py)."""

from django.urls import URLPattern, path

from . import inquiry_views

urlpatterns: list[URLPattern] = [
    path("inquiries/", inquiry_views.inquiry_list, name="inquiry_list"),
    path("inquiries/new/", inquiry_views.inquiry_new, name="inquiry_new"),
    path("inquiries/figures/", inquiry_views.inquiry_figures, name="inquiry_figures"),
    path("inquiries/<int:pk>/", inquiry_views.inquiry_detail, name="inquiry_detail"),
    path("inquiries/<int:pk>/answer/", inquiry_views.inquiry_answer, name="inquiry_answer"),
    path("inquiries/<int:pk>/withdraw/", inquiry_views.inquiry_withdraw, name="inquiry_withdraw"),
    path("inquiries/<int:pk>/reveal/", inquiry_views.inquiry_reveal, name="inquiry_reveal"),
    path("inquiries/<int:pk>/files/<int:att>/", inquiry_views.inquiry_file, name="inquiry_file"),
]
