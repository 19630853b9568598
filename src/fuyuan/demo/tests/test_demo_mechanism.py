"""`fuyuan load_demo_mechanism`: meetings, dual lists, liaison letters, collections, documents
and campaigns on top of the org demo and the demo matters, built through the apps' actions
as the demo accounts (so audit entries, matters and notifications are the real ones)."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from fuyuan.accounts.models import User
from fuyuan.audit.models import AuditEntry
from fuyuan.documents.models import DocumentNumber, OfficialDocument
from fuyuan.duallists.models import ListCall, ListItem
from fuyuan.liaison.models import LiaisonLetter
from fuyuan.matters.models import Campaign, CampaignMatter, Matter
from fuyuan.meetings.models import Decision, Meeting, Minutes, MinutesComment
from fuyuan.notify.models import OutboxMessage
from fuyuan.reporting.models import Collection, Submission

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
MODELS = (
    Meeting,
    Minutes,
    Decision,
    MinutesComment,
    ListCall,
    ListItem,
    LiaisonLetter,
    Collection,
    Submission,
    OfficialDocument,
    DocumentNumber,
    Campaign,
    CampaignMatter,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def load(*extra: str) -> str:
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo_matters", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_mechanism", *extra, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "Matter": Matter.objects.count(),
        "AuditEntry": AuditEntry.objects.count(),
    }


@pytest.mark.parametrize(
    "now",
    [
        datetime.datetime(2026, 11, 26, 10, 30, tzinfo=BEIJING),
        datetime.datetime(2026, 5, 12, 9, 0, tzinfo=BEIJING),
    ],
    ids=["2026-11-26", "2026-05-12"],
)
def test_the_demo_fills_every_mechanism_app_through_its_actions(now: datetime.datetime) -> None:
    with time_machine.travel(now, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        call_command("load_demo_matters", stdout=io.StringIO())
        matters_before = Matter.objects.count()
        out = io.StringIO()
        call_command("load_demo_mechanism", stdout=out)
    assert "Mechanism demo loaded" in out.getvalue() and "meetings 4" in out.getvalue()
    for name, n in counts().items():
        assert n > 0, name

    # The plenary's minutes are issued as 第1期 and each decision became an assigned matter.
    issued = Minutes.objects.get(state="issued")
    assert issued.meeting.kind == "plenary" and issued.issue_label == "第1期"
    decisions = list(issued.decisions.select_related("matter"))
    assert len(decisions) >= 3
    for decision in decisions:
        assert decision.matter is not None
        assert decision.matter.state == "assigned"
        assert decision.matter.source_kind == "meetings.decision"
        assert decision.matter.lead_unit_id == decision.lead_unit_id
    # The coordination meeting's minutes are out for comments, with 市人社局's comment.
    circulated = Minutes.objects.get(state="circulated")
    assert circulated.meeting.kind == "coordination"
    assert circulated.comments.get().unit.short_name == "市人社局"
    assert Meeting.objects.filter(kind="case_analysis", state="scheduled").exists()
    assert Meeting.objects.filter(
        kind="plenary", state="scheduled", mechanism__jurisdiction__name="西平县"
    ).exists()

    # Dual lists: next year's call open, items in every early state.
    call = ListCall.objects.get()
    assert call.state == "open" and call.year == now.year + 1
    states = set(ListItem.objects.values_list("state", flat=True))
    assert {"submitted", "claimed", "objected", "returned", "accepted"} <= states
    assert ListItem.objects.filter(proposing_unit__kind="court").exists()

    # Liaison: one escalated to the office, one coordinated with a matter opened.
    assert LiaisonLetter.objects.filter(state="escalated").exists()
    coordinated = LiaisonLetter.objects.get(state="coordinated")
    assert coordinated.matter is not None and coordinated.matter.state == "assigned"
    assert {"agreed", "sent", "replied"} <= set(
        LiaisonLetter.objects.values_list("state", flat=True)
    )

    # Reporting: a compiled collection has its file; the open one has returned and late units.
    compiled = Collection.objects.get(state="compiled")
    assert compiled.compiled_file and compiled.compiled_file.size > 0
    summary = Collection.objects.get(state="open")
    assert set(summary.submissions.values_list("state", flat=True)) == {"accepted", "returned"}
    assert summary.targets.filter(urge_count__gt=0).count() > summary.submissions.count()

    # Documents: the issued notice carries its number; a bulletin is still a draft.
    notice = OfficialDocument.objects.get(state="issued")
    assert notice.number is not None and notice.number.number.startswith("驻府院办〔")
    assert notice.number.used_by_id == notice.pk and notice.file
    assert OfficialDocument.objects.filter(kind="bulletin", state="draft").exists()
    assert DocumentNumber.objects.filter(used_by_id__isnull=True).count() >= 1

    # Campaigns: one running over 5–8 running city matters, one concluded.
    running = Campaign.objects.get(state="running")
    in_it = Matter.objects.filter(campaign_entries__campaign=running)
    assert 5 <= in_it.count() <= 8
    assert set(in_it.values_list("state", flat=True)) == {"in_progress"}
    assert Campaign.objects.filter(state="concluded").exclude(conclusion="").exists()

    # Built through the actions, as the demo accounts: audited by the right people.
    users = {u.username: u for u in User.objects.all()}
    assert AuditEntry.objects.filter(action="liaison.reply.create", actor=users["court"]).exists()
    assert AuditEntry.objects.filter(
        action="meetings.minutes_comment.create", actor=users["liaison"]
    ).exists()
    assert AuditEntry.objects.filter(
        action="duallists.item.object", actor=users["liaison2"]
    ).exists()
    assert AuditEntry.objects.filter(
        action="meetings.meeting.schedule", actor=users["county"]
    ).exists()
    assert Matter.objects.count() == matters_before + len(decisions) + 1
    assert OutboxMessage.objects.exists()


def test_if_empty_twice_does_not_duplicate() -> None:
    load("--if-empty")
    first = counts()
    out = io.StringIO()
    call_command("load_demo_mechanism", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert counts() == first
    with pytest.raises(CommandError, match="meetings already"):
        call_command("load_demo_mechanism", stdout=io.StringIO())


def test_without_the_org_demo_it_fails_clearly() -> None:
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_mechanism", stdout=io.StringIO())
    assert not Meeting.objects.exists()


def test_the_demo_pages_open_for_the_demo_accounts() -> None:
    load()
    office, liaison = Client(), Client()
    office.force_login(User.objects.get(username="office"))
    liaison.force_login(User.objects.get(username="liaison"))
    pages = [
        reverse("meetings:meeting_list"),
        *(reverse("meetings:meeting_detail", args=[m.pk]) for m in Meeting.objects.all()),
        reverse("duallists:call_detail", args=[ListCall.objects.get().pk]),
        *(reverse("liaison:letter_detail", args=[x.pk]) for x in LiaisonLetter.objects.all()),
        *(reverse("reporting:collection_detail", args=[c.pk]) for c in Collection.objects.all()),
        reverse("documents:document_list"),
        reverse("documents:number_list"),
        reverse("matters:campaign_list"),
        *(reverse("matters:campaign_detail", args=[c.pk]) for c in Campaign.objects.all()),
    ]
    for url in pages:
        assert office.get(url).status_code == 200, url
    for url in (
        reverse("liaison:letter_list"),
        reverse("duallists:call_detail", args=[ListCall.objects.get().pk]),
        reverse("meetings:meeting_detail", args=[Meeting.objects.get(kind="coordination").pk]),
    ):
        assert liaison.get(url).status_code == 200, url
