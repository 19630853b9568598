"""Administrative cases and recommendations in the search index: what is indexed, who may
find it, how a hit is shown. Plaintiffs (personal data) are never indexed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuyuan.core import search

from .models import AdminCase, CoDefendant, Recommendation

CASE_KIND = "litigation.case"
RECOMMENDATION_KIND = "litigation.recommendation"
BATCH = 1000


# --- cases -------------------------------------------------------------------------------------
def _case_rows(cases: QuerySet[AdminCase]) -> Iterator[search.IndexRow]:
    """Index rows of the cases: number, cause, court, defendants and the outcome note. Two
    queries per batch (cases with their units, co-defendants)."""
    cases = cases.select_related("court", "defendant", "jurisdiction").order_by("pk")
    batch: list[AdminCase] = []

    def emit() -> Iterator[search.IndexRow]:
        co: dict[int, list[tuple[int, str]]] = {}
        for case_id, unit_id, name in CoDefendant.objects.filter(
            case_id__in=[c.pk for c in batch]
        ).values_list("case_id", "unit_id", "unit__name"):
            co.setdefault(case_id, []).append((unit_id, name))
        for case in batch:
            others = co.get(case.pk, [])
            text = " ".join(
                [
                    case.number,
                    case.cause,
                    case.court.name,
                    case.defendant.name,
                    *(name for _id, name in others),
                    case.outcome_note,
                ]
            )
            units = [case.court_id, case.defendant_id, *(u for u, _name in others)]
            yield search.IndexRow(case.pk, case.jurisdiction.path, units, text)
        batch.clear()

    for case in cases.iterator(chunk_size=BATCH):
        batch.append(case)
        if len(batch) >= BATCH:
            yield from emit()
    if batch:
        yield from emit()


def index_cases(case_ids: Iterable[int]) -> int:
    """Rewrite the entries of these cases (after a form save or an import's store step)."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    return search.index_many(CASE_KIND, _case_rows(AdminCase.objects.filter(pk__in=ids)))


def case_rows() -> Iterator[search.IndexRow]:
    return _case_rows(AdminCase.objects.all())


def case_ids(user: Any) -> QuerySet[Any, Any]:
    return AdminCase.objects.visible_to(user).values("pk")


def describe_cases(user: Any, ids: list[int]) -> dict[int, search.Found]:
    found = (
        AdminCase.objects.visible_to(user).filter(pk__in=ids).select_related("court", "defendant")
    )
    return {
        c.pk: search.Found(
            f"{c.number} {c.cause}",
            reverse("litigation:case_detail", args=[c.pk]),
            " ".join([c.cause, c.court.name, c.defendant.name, c.outcome_note]),
        )
        for c in found
    }


# --- recommendations ---------------------------------------------------------------------------
def recommendation_row(rec: Recommendation) -> search.IndexRow:
    """The recommendation's index row: number, title, content, issuer and recipient."""
    text = " ".join(
        [rec.document_number, rec.title, rec.content, rec.issuer.name, rec.recipient.name]
    )
    return search.IndexRow(
        rec.pk, rec.mechanism.jurisdiction.path, [rec.issuer_id, rec.recipient_id], text
    )


def reindex_recommendation(rec: Recommendation) -> None:
    search.index_row(RECOMMENDATION_KIND, recommendation_row(rec))


def recommendation_rows() -> Iterator[search.IndexRow]:
    found = Recommendation.objects.select_related(
        "mechanism__jurisdiction", "issuer", "recipient"
    ).order_by("pk")
    for rec in found.iterator(chunk_size=BATCH):
        yield recommendation_row(rec)


def recommendation_ids(user: Any) -> QuerySet[Any, Any]:
    return Recommendation.objects.visible_to(user).values("pk")


def describe_recommendations(user: Any, ids: list[int]) -> dict[int, search.Found]:
    found = (
        Recommendation.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("issuer", "recipient")
    )
    return {
        r.pk: search.Found(
            r.title,
            reverse("litigation:recommendation_detail", args=[r.pk]),
            " ".join([r.document_number, r.issuer.name, "→", r.recipient.name, r.content]),
        )
        for r in found
    }


def register() -> None:
    search.register(
        search.SearchKind(
            CASE_KIND, _("Administrative cases"), case_ids, describe_cases, case_rows, order=50
        )
    )
    search.register(
        search.SearchKind(
            RECOMMENDATION_KIND,
            _("Recommendations"),
            recommendation_ids,
            describe_recommendations,
            recommendation_rows,
            order=60,
        )
    )
