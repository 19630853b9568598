"""URLs of the litigation app (mounted under /litigation/), one module of views per area:
cases, hearings and head appearances (case_views), imports of the court's exports
(import_views), recommendations (recommendation_views), dispute referrals (dispute_views),
figures and loss-risk warnings (figure_views), the annual report (report_views)."""

from django.urls import path

from . import (
    case_views,
    dispute_views,
    figure_views,
    import_views,
    recommendation_views,
    report_views,
)

app_name = "litigation"
urlpatterns = [
    # cases, hearings, head appearances
    path("", case_views.case_list, name="case_list"),
    path("cases/new/", case_views.case_create, name="case_create"),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", case_views.case_edit, name="case_edit"),
    path("cases/<int:pk>/hearings/new/", case_views.hearing_create, name="hearing_create"),
    path("hearings/", case_views.hearing_list, name="hearing_list"),
    path("hearings/<int:pk>/edit/", case_views.hearing_edit, name="hearing_edit"),
    path("hearings/<int:pk>/appearance/", case_views.appearance_record, name="appearance_record"),
    path(
        "appearances/<int:pk>/do/<slug:transition>/",
        case_views.appearance_transition,
        name="appearance_transition",
    ),
    # imports of the court's exports
    path("import/", import_views.import_start, name="import"),
    path("import/<int:batch>/", import_views.import_preview, name="import_preview"),
    path("import/<int:batch>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/sample/<slug:feed>/", import_views.import_sample, name="import_sample"),
    # recommendations
    path("recommendations/", recommendation_views.recommendation_list, name="recommendation_list"),
    path(
        "recommendations/new/",
        recommendation_views.recommendation_create,
        name="recommendation_create",
    ),
    path(
        "recommendations/<int:pk>/",
        recommendation_views.recommendation_detail,
        name="recommendation_detail",
    ),
    path(
        "recommendations/<int:pk>/edit/",
        recommendation_views.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        "recommendations/<int:pk>/reply/",
        recommendation_views.recommendation_reply,
        name="recommendation_reply",
    ),
    path(
        "recommendations/<int:pk>/urge/",
        recommendation_views.recommendation_urge,
        name="recommendation_urge",
    ),
    path(
        "recommendations/<int:pk>/do/<slug:transition>/",
        recommendation_views.recommendation_transition,
        name="recommendation_transition",
    ),
    path(
        "recommendations/<int:pk>/files/",
        recommendation_views.attachment_add,
        name="recommendation_attachment_add",
    ),
    path(
        "recommendations/<int:pk>/files/<int:att>/",
        recommendation_views.attachment_download,
        name="recommendation_attachment_download",
    ),
    # dispute referrals (行政争议实质性化解)
    path("disputes/", dispute_views.dispute_list, name="dispute_list"),
    path("disputes/new/", dispute_views.dispute_create, name="dispute_create"),
    path("disputes/<int:pk>/", dispute_views.dispute_detail, name="dispute_detail"),
    path("disputes/<int:pk>/steps/", dispute_views.dispute_step_add, name="dispute_step_add"),
    path(
        "disputes/<int:pk>/do/<slug:transition>/",
        dispute_views.dispute_transition,
        name="dispute_transition",
    ),
    # figures and loss-risk warnings
    path("figures/", figure_views.figures, name="figures"),
    path("figures/warnings/", figure_views.warnings, name="warnings"),
    # annual report
    path("report/", report_views.report_edit, name="report"),
    path("report/<int:year>.docx", report_views.report_docx, name="report_docx"),
]
