"""URL configuration: each app mounts its own urls module."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("fuyuan.accounts.urls")),
    path("accounts/second-factor/", include("fuyuan.twofactor.urls")),
    path("sso/", include("fuyuan.sso.urls")),
    path("ops/", include("fuyuan.ops.urls")),
    path("org/", include("fuyuan.org.urls")),
    path("audit/", include("fuyuan.audit.urls")),
    path("matters/", include("fuyuan.matters.urls")),
    path("notify/", include("fuyuan.notify.urls")),
    path("documents/", include("fuyuan.documents.urls")),
    path("meetings/", include("fuyuan.meetings.urls")),
    path("lists/", include("fuyuan.duallists.urls")),
    path("liaison/", include("fuyuan.liaison.urls")),
    path("litigation/", include("fuyuan.litigation.urls")),
    path("enforcement/", include("fuyuan.enforcement.urls")),
    path("bankruptcy/", include("fuyuan.bankruptcy.urls")),
    path("risks/", include("fuyuan.risks.urls")),
    path("reporting/", include("fuyuan.reporting.urls")),
    path("exchange/", include("fuyuan.exchange.urls")),
    path("dashboard/", include("fuyuan.dashboard.urls")),
    path("assessment/", include("fuyuan.assessment.urls")),
    path("api/v1/", include("fuyuan.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler403 = "fuyuan.views.permission_denied"
handler404 = "fuyuan.views.page_not_found"
handler500 = "fuyuan.views.server_error"

admin.site.site_header = admin.site.site_title = "府院联动数字化平台 · 参考数据"
