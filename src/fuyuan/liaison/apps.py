"""Daily liaison: letters between departments and courts, replies, escalation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "fuyuan.liaison"
    label = "liaison"
    verbose_name = _("Liaison")

    def ready(self) -> None:
        from fuyuan.matters import sources

        from . import menus, search_index  # noqa: F401

        search_index.register()

        sources.register("liaison.letter", _("Liaison letter"), _letter_url)


def _letter_url(matter: object) -> str:
    from django.urls import reverse

    ref = str(getattr(matter, "source_ref", "") or "")
    return reverse("liaison:letter_detail", args=[int(ref)]) if ref.isdigit() else ""
