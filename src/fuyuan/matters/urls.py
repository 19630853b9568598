"""URLs of the matter engine: the ledger and bulk update (views.py), each matter's page and
actions (matter_views.py), the working-day calendar (calendar_views.py)."""

from django.urls import include, path

app_name = "matters"
urlpatterns = [
    path("", include("fuyuan.matters.ledger_urls")),
    path("m/", include("fuyuan.matters.matter_urls")),
    path("calendar/", include("fuyuan.matters.calendar_urls")),
    path("campaigns/", include("fuyuan.matters.campaign_urls")),
]
