"""The linkage indicators of the annual rule-of-law assessment (府院联动考核): a scheme per
mechanism and year with its weighted indicators, each unit's result with the per-indicator
scores computed from the records, the office's adjustments with their written reasons, the
second reviewer's confirmation and the final rank. Evaluation itself happens on the
province's 法治政府建设督导 platform; the final table is exported for it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel

from . import workflow as wf


class FinalRecordError(Exception):
    """A write was attempted on a final result or scheme (or on a published scheme's
    indicators): the record is settled and cannot change."""


class Ranking(models.TextChoices):
    STANDARD = "standard", _("Standard competition ranking (1, 2, 2, 4)")
    DENSE = "dense", _("Dense ranking (1, 2, 2, 3)")


class NoData(models.TextChoices):
    FULL = "full", _("Full points (nothing to fault)")
    ZERO = "zero", _("No points")


class SchemeQuerySet(models.QuerySet["Scheme"]):
    def visible_to(self, user: Any) -> SchemeQuerySet:
        """Office staff and leaders of the mechanism's jurisdiction (or above) see its
        schemes in every state; a unit's liaison officer or court staff sees a final scheme
        in which the unit has a result (and, through Result.visible_to, only that result)."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.oversight_q("mechanism__jurisdiction_id", "mechanism__jurisdiction__path")
        if scope.unit_ids:
            own = Result.objects.filter(unit_id__in=sorted(scope.unit_ids), state=wf.FINAL)
            q |= Q(pk__in=own.values("scheme_id"))
        return self.filter(q)


class Scheme(BaseModel):
    """The assessment scheme of a mechanism for a year (考核方案): which linkage indicators
    count, with what weight, target and deductions. The office edits it while it is a draft;
    publishing locks it and scoring starts; finalizing ranks the confirmed results."""

    workflow = wf.SCHEME_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="assessment_schemes",
    )
    year = models.PositiveIntegerField(_("year assessed"))
    title = models.CharField(_("scheme title"), max_length=200)
    total_points = models.DecimalField(
        _("total points"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("1"))],
    )
    ranking = models.CharField(
        _("ranking of equal totals"),
        max_length=10,
        choices=Ranking.choices,
        default=Ranking.STANDARD,
    )
    notes = models.TextField(_("notes"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=wf.SCHEME_WORKFLOW.choices(),
        default=wf.S_DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    scored_at = models.DateTimeField(_("last scored at"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalized by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "mechanism__jurisdiction__path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "year"], name="assessment_scheme_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and _stored_state(Scheme, self.pk) == wf.S_FINAL:
            raise FinalRecordError(self)
        super().save(*args, **kwargs)

    def save_checked(self, expected_version: int, fields: list[str] | None = None) -> None:
        if _stored_state(Scheme, self.pk) == wf.S_FINAL:
            raise FinalRecordError(self)
        super().save_checked(expected_version, fields)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if _stored_state(Scheme, self.pk) != wf.S_DRAFT:
            raise FinalRecordError(self)
        return super().delete(*args, **kwargs)

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.assigned_to(self.mechanism.jurisdiction_id, Role.OFFICE):
            found.add(wf.OFFICE)
        if scope.assigned_to(self.mechanism.jurisdiction_id, Role.LEADER):
            found.add(wf.LEADER)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        from fuyuan.accounts.models import Role

        if action == "view":
            return True  # fetched through visible_to(); being here means visible
        if action == "edit":
            return wf.OFFICE in self.relations(scope) and self.state == wf.S_DRAFT
        if action == "score":
            return wf.OFFICE in self.relations(scope) and self.state == wf.S_PUBLISHED
        if action in {"see_all", "export"}:
            return scope.oversees(self.mechanism.jurisdiction.path, Role.OFFICE, Role.LEADER)
        return False

    @property
    def state_obj(self) -> Any:
        return wf.SCHEME_WORKFLOW.state(self.state)

    @property
    def is_final(self) -> bool:
        return self.state == wf.S_FINAL


def _stored_state(model: Any, pk: int | None) -> str | None:
    """The state as the database holds it (what the guard trusts, not the instance)."""
    if pk is None:
        return None
    state: str | None = model._base_manager.filter(pk=pk).values_list("state", flat=True).first()
    return state


class Indicator(BaseModel):
    """One linkage indicator of a scheme: a kind from the catalogue the software can compute
    (assessment.indicators.CATALOGUE), its weight in points, its target and how points are
    deducted. Fixed once the scheme is published."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="indicators"
    )
    kind = models.CharField(_("indicator"), max_length=40)
    name = models.CharField(_("name in the scheme"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.DecimalField(
        _("weight (points)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    # A rate or average scores its full weight at the target; blank = the kind's default
    # (100% for rates, 5 for evaluation scores, the mechanism's appearance target).
    target = models.DecimalField(
        _("target value"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    # Below the target: points deducted per percentage point (or per point of an average)
    # short of it; blank = points in proportion to the value reached.
    deduction_step = models.DecimalField(
        _("points deducted per point below the target"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    # Cards: points per card; blank = the mechanism's settings (a yellow 1, a red 2).
    yellow_points = models.DecimalField(
        _("points per yellow card"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    red_points = models.DecimalField(
        _("points per red card"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    if_no_data = models.CharField(
        _("when a unit has no records"),
        max_length=6,
        choices=NoData.choices,
        default=NoData.FULL,
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kind"], name="assessment_indicator_kind")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if _stored_state(Scheme, self.scheme_id) not in (None, wf.S_DRAFT):
            raise FinalRecordError(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if _stored_state(Scheme, self.scheme_id) not in (None, wf.S_DRAFT):
            raise FinalRecordError(self)
        return super().delete(*args, **kwargs)

    @property
    def kind_obj(self) -> Any:
        from .indicators import CATALOGUE

        return CATALOGUE.get(self.kind)

    @property
    def kind_label(self) -> Any:
        kind = self.kind_obj
        return kind.label if kind is not None else self.kind


class ResultQuerySet(models.QuerySet["Result"]):
    def visible_to(self, user: Any) -> ResultQuerySet:
        """Office staff and leaders overseeing the mechanism's jurisdiction see every result;
        a unit's liaison officer or court staff sees its own unit's result once it is final."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.oversight_q(
            "scheme__mechanism__jurisdiction_id", "scheme__mechanism__jurisdiction__path"
        )
        q |= scope.unit_q("unit_id") & Q(state=wf.FINAL)
        return self.filter(q)


class Result(BaseModel):
    """A unit's assessment result under a scheme: the indicator scores computed from the
    records (kept with the raw figures), the office's adjustments, who reviewed and who
    confirmed it, and — once final — its rank."""

    workflow = wf.RESULT_WORKFLOW

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="results"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit assessed"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=wf.RESULT_WORKFLOW.choices(),
        default=wf.SCORED,
        db_index=True,
    )
    computed_total = models.DecimalField(
        _("computed points"), max_digits=7, decimal_places=2, default=Decimal("0")
    )
    adjustment_total = models.DecimalField(
        _("adjustments"), max_digits=7, decimal_places=2, default=Decimal("0")
    )
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, default=Decimal("0"))
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    tied = models.BooleanField(_("rank shared"), default=False)
    scored_at = models.DateTimeField(_("scored at"))
    # Records up to this day counted (the year's last day, or the scoring day in the year).
    figures_as_of = models.DateField(_("figures as of"))
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scored by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    return_comment = models.TextField(_("reason sent back"), blank=True)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        ordering = ["scheme", "unit__order_no", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "unit"], name="assessment_result_one_per_unit"
            )
        ]
        indexes = [models.Index(fields=["scheme", "state"])]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.unit}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and _stored_state(Result, self.pk) == wf.FINAL:
            raise FinalRecordError(self)
        super().save(*args, **kwargs)

    def save_checked(self, expected_version: int, fields: list[str] | None = None) -> None:
        if _stored_state(Result, self.pk) == wf.FINAL:
            raise FinalRecordError(self)
        super().save_checked(expected_version, fields)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if _stored_state(Result, self.pk) == wf.FINAL:
            raise FinalRecordError(self)
        return super().delete(*args, **kwargs)

    def adjuster_ids(self) -> set[int]:
        # Through .all() so a prefetched list (the results table) costs no query per row.
        return {a.made_by_id for a in self.adjustments.all()}

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        jurisdiction_id = self.scheme.mechanism.jurisdiction_id
        found: set[str] = set()
        office = scope.assigned_to(jurisdiction_id, Role.OFFICE)
        leader = scope.assigned_to(jurisdiction_id, Role.LEADER)
        if office:
            found.add(wf.OFFICE)
        if leader:
            found.add(wf.LEADER)
        if (office or leader) and scope.user_id not in self.first_reviewers():
            found.add(wf.SECOND_REVIEWER)
        return found

    def first_reviewers(self) -> set[int]:
        """Who reviewed this result: the user who submitted it and everyone who adjusted it.
        None of them may be its second reviewer."""
        found = self.adjuster_ids()
        if self.reviewed_by_id is not None:
            found.add(self.reviewed_by_id)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True  # fetched through visible_to(); being here means visible
        if action == "adjust":
            return (
                wf.OFFICE in self.relations(scope)
                and self.state == wf.SCORED
                and self.scheme.state == wf.S_PUBLISHED
            )
        return False

    @property
    def state_obj(self) -> Any:
        return wf.RESULT_WORKFLOW.state(self.state)

    @property
    def is_final(self) -> bool:
        return self.state == wf.FINAL


def _refuse_if_result_final(result_id: int | None, obj: Any) -> None:
    if _stored_state(Result, result_id) == wf.FINAL:
        raise FinalRecordError(obj)


class IndicatorScore(BaseModel):
    """A unit's score on one indicator, stored at scoring time with the raw figure it came
    from (value, numerator and denominator, the target applied) so the reviewer sees why."""

    result = models.ForeignKey(
        Result, verbose_name=_("assessment result"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="scores"
    )
    # The figure: a rate in percent, an average, or the points a card count deducts.
    value = models.DecimalField(
        _("raw figure"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    numerator = models.IntegerField(_("numerator"), null=True, blank=True)
    denominator = models.IntegerField(_("denominator"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    target = models.DecimalField(_("target applied"), max_digits=6, decimal_places=2, null=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["result", "indicator__order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "indicator"], name="assessment_score_one_per_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.score}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_if_result_final(self.result_id, self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _refuse_if_result_final(self.result_id, self)
        return super().delete(*args, **kwargs)


class Adjustment(BaseModel):
    """The office's adjustment of a unit's result (加减分): points added or deducted, always
    with a written reason, by whom and when; optionally about one indicator."""

    result = models.ForeignKey(
        Result,
        verbose_name=_("assessment result"),
        on_delete=models.CASCADE,
        related_name="adjustments",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    delta = models.DecimalField(_("points (+ added, − deducted)"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adjusted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    made_at = models.DateTimeField(_("adjusted at"))

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["result", "made_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="assessment_adjustment_has_reason"
            ),
            models.CheckConstraint(condition=~Q(delta=0), name="assessment_adjustment_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+} · {self.reason[:40]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_if_result_final(self.result_id, self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _refuse_if_result_final(self.result_id, self)
        return super().delete(*args, **kwargs)
