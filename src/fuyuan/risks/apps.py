"""Major risks: risk events and the stalled-housing ledger."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "fuyuan.risks"
    label = "risks"
    verbose_name = _("Major risks")

    def ready(self) -> None:
        from fuyuan.matters import sources

        from . import menus  # noqa: F401  (menu entries)

        sources.register(
            "risks.event", _("Risk event"), _event_url, reference_url=_event_reference_url
        )


def _event_reference_url(ref: str) -> str:
    from django.urls import reverse

    return reverse("risks:event_detail", args=[int(ref)]) if str(ref).isdigit() else ""


def _event_url(matter: object) -> str:
    return _event_reference_url(str(getattr(matter, "source_ref", "") or ""))
