"""The data-exchange pages: system clients and tokens, access grants and the pull log, export
packages and the file drops."""

from django.urls import include, path

app_name = "exchange"
urlpatterns = [
    path("clients/", include("fuyuan.exchange.client_urls")),
    path("grants/", include("fuyuan.exchange.grant_urls")),
    path("transfers/", include("fuyuan.exchange.transfer_urls")),
]
