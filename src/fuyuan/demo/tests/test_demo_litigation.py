"""`fuyuan load_demo_litigation`: two years and the current year of administrative litigation on
top of the org demo — cases and hearings through the court-export importer, the history of
appearance records, the demo accounts acting through the actions, recommendations, disputes,
the annual report's text and one run of the daily job — so that every figure has a value.

The demo is loaded once for the module (org demo + litigation demo, in a transaction rolled
back at the end), at a fixed moment."""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from fuyuan.accounts.models import User
from fuyuan.audit.models import AuditEntry
from fuyuan.core.case_numbers import parse_case_number
from fuyuan.core.models import ImportBatch
from fuyuan.litigation import figures
from fuyuan.litigation import workflow as wf
from fuyuan.litigation.models import (
    AdminCase,
    AnnualReport,
    Appearance,
    Dispute,
    DisputeStep,
    Hearing,
    LossRiskWarning,
    Recommendation,
    RecommendationItem,
)
from fuyuan.org.models import Mechanism

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 26, 10, 30, tzinfo=BEIJING)
TODAY = NOW.date()
MODELS = (
    AdminCase,
    Hearing,
    Appearance,
    Recommendation,
    RecommendationItem,
    Dispute,
    DisputeStep,
    AnnualReport,
    LossRiskWarning,
    ImportBatch,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_without_the_org_demo_it_fails_clearly() -> None:
    # Runs before the module's demo is loaded (file order).
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_litigation", stdout=io.StringIO())
    assert not AdminCase.objects.exists()


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    media = tmp_path_factory.mktemp("demo-litigation-media")
    with (
        override_settings(MEDIA_ROOT=str(media)),
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            out = io.StringIO()
            call_command("load_demo_litigation", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def user(name: str) -> Any:
    return User.objects.get(username=name)


def city() -> Mechanism:
    return Mechanism.objects.select_related("jurisdiction").get(jurisdiction__code="411700")


def test_every_figure_of_the_city_has_a_value_for_last_year(demo: str) -> None:
    assert "Litigation demo loaded" in demo
    office = user("office")
    period = figures.Period.year(TODAY.year - 1)
    data = figures.litigation_figures(office, period, mechanism=city())
    total = data.total
    assert total.new_cases > 50 and total.new_cases_last_year > 50
    for name in (
        "new_cases_change",
        "loss_rate",
        "mediated_withdrawn_rate",
        "appearance_rate",
        "top_rate",
        "spoke_rate",
        "resolution_rate",
    ):
        assert getattr(total, name) is not None, name
    # Realistic ranges, not typed numbers.
    assert 60 <= total.appearance_rate <= 95
    assert 5 <= total.loss_rate <= 45
    assert 10 <= total.mediated_withdrawn_rate <= 45
    recommendations = figures.recommendation_summary(figures.scoped_recommendations(office), period)
    assert recommendations["delivered"] >= 3
    assert recommendations["reply_rate"] is not None
    assert recommendations["on_time_rate"] is not None
    # The county rows have values too, and some body is below the appearance target.
    assert len(data.by_jurisdiction) >= 8
    assert any(row.below_target for row in data.by_body)
    # The current year runs as well (year to date), with last year to compare with.
    this_year = figures.litigation_figures(
        office, figures.Period.year(TODAY.year), mechanism=city()
    ).total
    assert this_year.new_cases > 50 and this_year.new_cases_change is not None


def test_cases_are_realistic_and_every_number_parses(demo: str) -> None:
    cases = list(AdminCase.objects.select_related("court", "defendant__jurisdiction"))
    assert 250 <= len(cases) <= 450
    sequences: dict[tuple[str, int, str], list[tuple[datetime.date, int]]] = defaultdict(list)
    for case in cases:
        parsed = parse_case_number(case.number)
        assert parsed.normalized == case.number
        assert parsed.kind == "administrative"
        assert parsed.court_code == case.court.court_code
        assert parsed.year == case.year == case.filed_on.year
        assert case.instance == parsed.instance
        sequences[(parsed.court_code, parsed.year, parsed.type_code)].append(
            (case.filed_on, parsed.sequence)
        )
    for key, rows in sequences.items():
        numbers = [seq for _day, seq in sorted(rows)]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), key
    years = Counter(c.filed_on.year for c in cases if c.instance == "first")
    assert set(years) == {TODAY.year - 2, TODAY.year - 1, TODAY.year}
    # Heard by the intermediate court (first and second instance) and the basic courts; some
    # county bodies' cases by another county's court (相对集中管辖).
    codes = {c.court.court_code for c in cases}
    assert "豫17" in codes and "豫1702" in codes and len(codes) >= 8
    assert any(c.number.startswith(f"（{TODAY.year - 1}）豫17行终") for c in cases)
    elsewhere = [
        c
        for c in cases
        if c.court.jurisdiction_id != c.defendant.jurisdiction_id
        and c.defendant.jurisdiction.code not in ("411700", "411702")
        and c.court.court_code != "豫17"
    ]
    assert elsewhere
    xiping = [c for c in cases if c.defendant.jurisdiction.name == "西平县"]
    assert any(c.court.name == "遂平县人民法院" for c in xiping)
    enterprise = sum(c.enterprise_related for c in cases) / len(cases)
    assert 0.08 <= enterprise <= 0.25
    concluded = [c for c in cases if c.instance == "first" and c.stage == "concluded"]
    outcomes = Counter(c.outcome for c in concluded)
    assert 0.35 <= outcomes["dismissed"] / len(concluded) <= 0.55
    assert 0.12 <= outcomes["withdrawn"] / len(concluded) <= 0.28
    assert {"mediated", "revoked", "confirmed_unlawful", "ordered_to_perform"} <= set(outcomes)
    assert {"filed", "hearing", "concluded"} <= {c.stage for c in cases}
    recent = [c for c in cases if (TODAY - c.filed_on).days < 30]
    assert recent and all(c.stage != "concluded" for c in recent)


def test_hearings_announced_for_the_coming_days_and_reminded(demo: str) -> None:
    now = timezone.now()
    upcoming = Hearing.objects.filter(
        state="scheduled", starts_at__gt=now, starts_at__lt=now + datetime.timedelta(days=21)
    )
    assert upcoming.count() >= 10
    # The daily job reminded those within the reminder days (市人社局 among them).
    reminded = upcoming.filter(reminded_on=TODAY)
    assert reminded.filter(case__defendant__short_name="市人社局").exists()
    assert not Hearing.objects.filter(state="scheduled", starts_at__lt=now).exists()
    # Held hearings have records: most heads appeared, a third of them top officials.
    held = Hearing.objects.filter(state="held")
    assert held.count() >= 200
    assert Appearance.objects.count() == held.count()
    records = Appearance.objects.all()
    appeared = records.exclude(rank="none").count()
    assert 0.7 <= appeared / records.count() <= 0.9
    assert 0.2 <= records.filter(rank="top").count() / appeared <= 0.5
    assert not records.filter(rank="none", absence_reason="").exists()
    states = Counter(records.values_list("state", flat=True))
    assert states[wf.CONFIRMED] > 0.9 * records.count()
    assert states[wf.RECORDED] >= 1 and states[wf.DISPUTED] == 1
    # The dispute answered by the intermediate court: corrected, then confirmed.
    corrected = records.get(court_answer__startswith="经核对")
    assert corrected.state == wf.CONFIRMED and corrected.rank == "deputy" and corrected.spoke


def test_recommendations_disputes_report_and_warnings(demo: str) -> None:
    recs = Recommendation.objects.all()
    assert 15 <= recs.count() <= 25
    states = Counter(recs.values_list("state", flat=True))
    assert states[wf.CLOSED] >= 3 and states[wf.REPLIED] >= 5
    overdue = recs.filter(state=wf.DELIVERED, reply_due__lt=TODAY)
    assert 2 <= overdue.count() <= 3
    assert recs.filter(kind="review_report").exists()
    for rec in recs:
        items = list(rec.items.all())
        assert 2 <= len(items) <= 4 and all(item.matter_id for item in items)
        if rec.state in (wf.REPLIED, wf.CLOSED):
            assert rec.replied_on and all(item.adoption for item in items)
    assert RecommendationItem.objects.filter(matter__state="closed").exists()

    disputes = Dispute.objects.all()
    assert 20 <= disputes.count() <= 30
    dispute_states = Counter(disputes.values_list("state", flat=True))
    assert dispute_states[wf.RESOLVED] + dispute_states[wf.SETTLED] > dispute_states[wf.FAILED]
    assert dispute_states[wf.FAILED] >= 1
    assert dispute_states[wf.REFERRED] + dispute_states[wf.COORDINATING] >= 2
    assert disputes.filter(case__isnull=True).exists()
    assert disputes.filter(case__isnull=False).exists()
    assert DisputeStep.objects.count() >= 2 * disputes.count()
    # Titles name a person by the surname only (张某).
    for dispute in disputes.filter(case__isnull=False).select_related("case"):
        people = [
            n for n in dispute.case.plaintiffs.splitlines() if not n.endswith(("公司", "合作社"))
        ]
        assert not any(name in dispute.title for name in people), dispute.title

    report = AnnualReport.objects.get()
    assert report.year == TODAY.year - 1 and report.mechanism == city()
    assert "负责人出庭" in report.problems and report.suggestions
    assert LossRiskWarning.objects.filter(year=TODAY.year).exists()


def test_written_through_the_importer_and_the_accounts_actions(demo: str) -> None:
    court = user("court")
    batches = ImportBatch.objects.filter(state="imported")
    assert set(batches.values_list("feed", flat=True)) == {
        "litigation.cases",
        "litigation.hearings",
    }
    assert set(batches.values_list("uploaded_by", flat=True)) == {court.pk}
    assert AdminCase.objects.filter(source="import").count() == AdminCase.objects.count()
    audited = AuditEntry.objects
    assert audited.filter(action="import.litigation.cases", actor=court).count() == 1
    assert audited.filter(action="litigation.demo.load").count() == 1
    assert audited.filter(action="litigation.appearance.dispute", actor=user("liaison")).exists()
    assert audited.filter(action="litigation.appearance.correct", actor=court).exists()
    assert audited.filter(action="litigation.recommendation.close", actor=court).exists()
    assert audited.filter(action="litigation.recommendation.reply", actor=user("liaison2")).exists()
    assert audited.filter(action="litigation.dispute.refer", actor=user("county")).exists()
    assert audited.filter(action="litigation.report.create", actor=court).exists()
    # Invented people only: none of the officials the founding notice names.
    text = " ".join(AdminCase.objects.values_list("plaintiffs", flat=True))
    assert not re.search("李跃勇|金冬江|王钦胜|张社军", text)


def test_if_empty_twice_does_not_duplicate(demo: str) -> None:
    before = counts()
    out = io.StringIO()
    call_command("load_demo_litigation", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert counts() == before
    with pytest.raises(CommandError, match="cases already"):
        call_command("load_demo_litigation", stdout=io.StringIO())
    assert counts() == before


def test_the_demo_pages_open_for_the_demo_accounts(demo: str) -> None:
    year = TODAY.year - 1
    disputed = Appearance.objects.get(state=wf.DISPUTED)
    pages = {
        "office": [
            reverse("litigation:case_list"),
            reverse("litigation:hearing_list"),
            reverse("litigation:figures") + f"?year={year}",
            reverse("litigation:warnings"),
            reverse("litigation:recommendation_list"),
            reverse("litigation:dispute_list"),
            reverse("litigation:report"),
            reverse("litigation:case_detail", args=[disputed.case_id]),
            *(
                reverse("litigation:recommendation_detail", args=[pk])
                for pk in Recommendation.objects.values_list("pk", flat=True)[:5]
            ),
            *(
                reverse("litigation:dispute_detail", args=[pk])
                for pk in Dispute.objects.values_list("pk", flat=True)[:5]
            ),
        ],
        "court": [
            reverse("litigation:case_list"),
            reverse("litigation:hearing_list"),
            reverse("litigation:recommendation_list"),
            reverse("litigation:report"),
        ],
        "liaison": [
            reverse("litigation:case_list"),
            reverse("litigation:hearing_list"),
            reverse("litigation:recommendation_list"),
            reverse("litigation:case_detail", args=[disputed.case_id]),
        ],
        "county": [reverse("litigation:case_list"), reverse("litigation:dispute_list")],
    }
    for name, urls in pages.items():
        client = Client()
        client.force_login(user(name))
        for url in urls:
            assert client.get(url).status_code == 200, (name, url)
    office = Client()
    office.force_login(user("office"))
    response = office.get(reverse("litigation:report_docx", args=[year]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])
