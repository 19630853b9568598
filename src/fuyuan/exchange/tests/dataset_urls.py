"""A test-only purpose-bound endpoint (the real ones belong to the business apps): units the
user may see, served as dataset "enforcement.debtors" with the unit's name as the "personal"
field, so the tests can watch the grant check, the masking and the pull log end to end. The
URLconf mounts it next to the project's own URLs."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from fuyuan.core.api import MaskedField, ScopedReadViewSet
from fuyuan.org.models import Unit
from fuyuan.urls import urlpatterns as project_urlpatterns


def mask_name(value: str) -> str:
    return value[:1] + "*" * (len(value) - 1)


class UnitRowSerializer(serializers.ModelSerializer[Unit]):
    name = MaskedField(mask_name)

    class Meta:
        model = Unit
        fields = ["id", "name"]
        read_only_fields = fields


class DebtorStandIn(ScopedReadViewSet):
    resource = "enforcement.debtors"
    dataset = "enforcement.debtors"
    serializer_class = UnitRowSerializer

    def visible(self) -> Any:
        return Unit.objects.visible_to(self.request.user).order_by("pk")


router = SimpleRouter()
router.register("stand-in-debtors", DebtorStandIn, basename="stand-in-debtors")

urlpatterns = [path("api-test/", include(router.urls)), *project_urlpatterns]
