"""The project's URLs plus the load measure's baseline: a view that does nothing, reached
through the same middleware (session, user, idle timeout, CSP, audit of denials…)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from fuyuan.urls import urlpatterns as project_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench__/trivial/", trivial), *project_urlpatterns]
