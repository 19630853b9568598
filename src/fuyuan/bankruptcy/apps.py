"""Bankruptcy coordination: cases, coordination items, information queries, the cost fund."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankruptcyConfig(AppConfig):
    name = "fuyuan.bankruptcy"
    label = "bankruptcy"
    verbose_name = _("Bankruptcy coordination")

    def ready(self) -> None:
        from fuyuan.matters import sources

        from . import jobs, menus  # noqa: F401  (daily job, menu entries)

        sources.register(
            "bankruptcy.item",
            _("Bankruptcy coordination item"),
            _item_url,
            reference_url=_case_page,
        )


def _item_url(matter: object) -> str:
    """The case page of the item a matter was opened for."""
    from .models import CoordinationItem

    ref = str(getattr(matter, "source_ref", "") or "")
    if not ref.isdigit():
        return ""
    case_id = CoordinationItem.objects.filter(pk=int(ref)).values_list("case_id", flat=True).first()
    return _case_page(str(case_id)) if case_id else ""


def _case_page(ref: str) -> str:
    from django.urls import reverse

    return reverse("bankruptcy:case_detail", args=[int(ref)]) if str(ref).isdigit() else ""
