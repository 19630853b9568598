"""Administrative litigation, heads in court, recommendations, dispute resolution."""

from collections.abc import Callable

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LitigationConfig(AppConfig):
    name = "fuyuan.litigation"
    label = "litigation"
    verbose_name = _("Administrative litigation")

    def ready(self) -> None:
        from fuyuan.matters import sources

        from . import importers, jobs, menus, search_index  # noqa: F401  (feeds, menus, jobs)

        search_index.register()

        sources.register(
            "litigation.recommendation_item", _("Recommendation item"), _recommendation_url
        )
        sources.register("litigation.loss_risk", _("Loss-risk warning"), _figures_url)
        sources.register(
            "litigation.case",
            _("Administrative case"),
            _case_url,
            reference_url=_page("litigation:case_detail"),
        )
        sources.register(
            "litigation.dispute",
            _("Dispute referral"),
            _dispute_url,
            reference_url=_page("litigation:dispute_detail"),
        )


def _ref(matter: object) -> int | None:
    ref = str(getattr(matter, "source_ref", "") or "")
    return int(ref) if ref.isdigit() else None


def _recommendation_url(matter: object) -> str:
    from django.urls import reverse

    ref = _ref(matter)
    return reverse("litigation:recommendation_detail", args=[ref]) if ref else ""


def _figures_url(matter: object) -> str:
    from django.urls import reverse

    return reverse("litigation:figures")


def _case_url(matter: object) -> str:
    from django.urls import reverse

    ref = _ref(matter)
    return reverse("litigation:case_detail", args=[ref]) if ref else ""


def _dispute_url(matter: object) -> str:
    from django.urls import reverse

    ref = _ref(matter)
    return reverse("litigation:dispute_detail", args=[ref]) if ref else ""


def _page(route: str) -> Callable[[str], str]:
    """The record's page for an agenda item's reference (kind + id)."""

    def url(ref: str) -> str:
        from django.urls import reverse

        return reverse(route, args=[int(ref)]) if str(ref).isdigit() else ""

    return url
