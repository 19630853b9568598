"""A full dual-list year: proposals from hrss, housing and the court; one objected to and
arbitrated, one returned and resubmitted, two merged; the draft, a revision, the approval;
matters created and assigned; the court rates its item and a government unit cannot; the
unfinished items carried into next year's call."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core.workflow import TransitionError
from fuyuan.duallists import actions, queries
from fuyuan.duallists import workflow as wf
from fuyuan.duallists.models import ListItem, VersionKind
from fuyuan.matters import actions as matter_actions
from fuyuan.matters import sources
from fuyuan.notify.models import InboxMessage

from .helpers import ITEM_DEADLINE, open_call, propose, setup_lists

pytestmark = pytest.mark.django_db


def _fresh(item):
    return ListItem.objects.get(pk=item.pk)


def test_full_dual_list_year(world, client_for, django_capture_on_commit_callbacks):
    lists = setup_lists(world)
    court_kind, gov_kind, area = lists["court_kind"], lists["gov_kind"], lists["area"]
    office, court = world.users["city_office"], world.users["court_staff"]
    hrss, housing = world.users["hrss_liaison"], world.users["housing_liaison"]
    u = world.units

    with django_capture_on_commit_callbacks(execute=True):
        call = open_call(world)
    # The call for proposals reaches the member units' people.
    assert InboxMessage.objects.filter(user=world.users["regulator_liaison"]).exists()
    assert InboxMessage.objects.filter(user=court).exists()

    # The court asks government for two things; government asks the court for three.
    wages = propose(
        world,
        call,
        "court_staff",
        "court",
        court_kind,
        "hrss",
        title="欠薪案件执行联动",
        co_units=[u["housing"]],
        task_area=area,
    )
    housing_item = propose(
        world, call, "court_staff", "court", court_kind, "housing", title="问题楼盘司法处置"
    )
    labour = propose(
        world, call, "hrss_liaison", "hrss", gov_kind, "court", title="劳动争议诉调对接"
    )
    mediation = propose(
        world, call, "housing_liaison", "housing", gov_kind, "court", title="涉房纠纷诉前调解"
    )
    duplicate = propose(
        world,
        call,
        "hrss_liaison",
        "hrss",
        gov_kind,
        "court",
        title="房地产纠纷诉前调解",
        co_units=[u["hrss"]],
    )
    assert {i.state for i in (wages, housing_item, labour, mediation)} == {wf.SUBMITTED}

    # A government unit cannot propose for the court's list (sides come from the list kind).
    with pytest.raises(ValidationError) as wrong_side:
        propose(world, call, "hrss_liaison", "hrss", court_kind, "housing")
    assert wrong_side.value.error_dict["list_kind"][0].code == "item.requester_side"
    # Nor for another unit.
    with pytest.raises(PermissionDenied):
        propose(world, call, "hrss_liaison", "housing", gov_kind, "court")

    # Only the named lead unit claims or objects.
    with pytest.raises(TransitionError):
        actions.claim(housing, wages)
    actions.claim(hrss, wages)
    actions.claim(court, mediation)

    # Housing objects; the office keeps housing as lead, with a comment.
    with pytest.raises(TransitionError) as no_reason:
        actions.object_to(housing, housing_item, " ")
    assert no_reason.value.code == "workflow.comment_required"
    housing_item = _fresh(housing_item)
    actions.object_to(housing, housing_item, "属于属地政府职责")
    assert _fresh(housing_item).state == wf.OBJECTED
    with pytest.raises(TransitionError):
        actions.arbitrate(hrss, _fresh(housing_item), comment="x")
    actions.arbitrate(office, _fresh(housing_item), comment="住建局牵头，属地政府配合")
    housing_item = _fresh(housing_item)
    assert housing_item.state == wf.CLAIMED
    assert housing_item.lead_unit == u["housing"]

    # The office returns the labour item; hrss resubmits a measurable target; court claims.
    with pytest.raises(TransitionError):
        actions.return_item(office, labour, "")
    actions.return_item(office, labour, "目标不可量化，请细化")
    labour = _fresh(labour)
    assert labour.state == wf.RETURNED
    with pytest.raises(TransitionError):
        actions.resubmit(housing, labour)
    actions.resubmit(hrss, labour, measurable_target="诉前调解成功率不低于30%")
    labour = _fresh(labour)
    assert labour.state == wf.SUBMITTED
    assert labour.measurable_target == "诉前调解成功率不低于30%"
    actions.claim(court, labour)

    # Two duplicates merged into one.
    with pytest.raises(PermissionDenied):
        actions.merge(hrss, mediation, duplicate)
    actions.merge(office, _fresh(mediation), _fresh(duplicate), "重复事项")
    duplicate, mediation = _fresh(duplicate), _fresh(mediation)
    assert duplicate.state == wf.MERGED
    assert duplicate.merged_into == mediation
    assert u["hrss"] in mediation.co_units.all()

    for item in (wages, housing_item, labour, mediation):
        actions.accept(office, _fresh(item))
    actions.close_call(office, call)
    call.refresh_from_db()

    draft = actions.settle_draft(office, call, meeting_ref="2027年第1次协调会")
    assert draft.kind == VersionKind.DRAFT
    assert len(draft.snapshot) == 4

    # Revised after the coordination meeting: the comparison shows it.
    later = ITEM_DEADLINE + datetime.timedelta(days=60)
    actions.revise_item(office, _fresh(wages), deadline=later)

    call.refresh_from_db()
    with pytest.raises(TransitionError):
        actions.approve(hrss, call, meeting_ref="全体会议")
    with django_capture_on_commit_callbacks(execute=True):
        approved = actions.approve(office, call, meeting_ref="联席会议2027年全体会议")
    call.refresh_from_db()
    assert call.state == wf.CALL_APPROVED
    assert approved.kind == VersionKind.APPROVED and approved.number == 2

    rows = {r.title: r for r in queries.diff_versions(draft, approved)}
    assert rows["欠薪案件执行联动"].status == "changed"
    (name, _label, before, after) = rows["欠薪案件执行联动"].changes[0]
    assert name == "deadline"
    assert (before, after) == (ITEM_DEADLINE.isoformat(), later.isoformat())
    assert rows["问题楼盘司法处置"].status == "same"

    # Every approved item became an assigned matter of the dual-list kind.
    items = {i.title: i for i in ListItem.objects.filter(call=call, state=wf.APPROVED)}
    assert set(items) == {
        "欠薪案件执行联动",
        "问题楼盘司法处置",
        "劳动争议诉调对接",
        "涉房纠纷诉前调解",
    }
    for item in items.values():
        matter = item.matter
        assert matter is not None
        assert matter.source_kind == "duallists.item"
        assert matter.source_ref == str(item.pk)
        assert matter.lead_unit_id == item.lead_unit_id
        assert matter.state == "assigned"
        assert matter.matter_type == "dual_list"
        assert matter.deadline == item.deadline
    assert items["欠薪案件执行联动"].matter.task_area == area
    assert list(items["欠薪案件执行联动"].matter.co_units.values_list("unit_id", flat=True)) == [
        u["housing"].pk
    ]
    assert items["劳动争议诉调对接"].matter.lead_unit == u["court"]
    assert sources.url_of(items["欠薪案件执行联动"].matter) == reverse(
        "duallists:item_detail", args=[items["欠薪案件执行联动"].pk]
    )

    # The wages matter is done; the court (the requesting side) rates it, hrss cannot.
    wages = items["欠薪案件执行联动"]
    matter = wages.matter
    for name in ("sign", "start"):
        matter_actions.transition(hrss, matter, name)
    matter_actions.transition(hrss, matter, "report", values={"summary": "已完成"})
    matter_actions.transition(office, matter, "complete")
    wages = _fresh(wages)
    with pytest.raises(PermissionDenied):
        actions.rate(hrss, wages, timeliness=5, quality=5, effect=5)
    with pytest.raises(PermissionDenied):
        actions.rate(office, wages, timeliness=5, quality=5, effect=5)
    response = client_for("hrss_liaison").post(
        reverse("duallists:item_rate", args=[wages.pk]),
        {"timeliness": 5, "quality": 5, "effect": 5},
    )
    assert response.status_code == 403
    response = client_for("court_staff").post(
        reverse("duallists:item_rate", args=[wages.pk]),
        {"timeliness": 5, "quality": 4, "effect": 3, "comment": "配合及时"},
    )
    assert response.status_code == 302
    wages = _fresh(wages)
    assert (wages.rating_timeliness, wages.rating_quality, wages.rating_effect) == (5, 4, 3)
    assert wages.rated_by == court
    # Rated once.
    with pytest.raises(PermissionDenied):
        actions.rate(court, wages, timeliness=1, quality=1, effect=1)

    # Next year: the unfinished items are carried into the new call (run twice: once).
    next_call = open_call(world, year=call.year + 1)
    carried = actions.carry_over(office, call, next_call)
    assert {c.carried_over_from.title for c in carried} == {
        "问题楼盘司法处置",
        "劳动争议诉调对接",
        "涉房纠纷诉前调解",
    }
    assert all(c.state == wf.SUBMITTED and c.call == next_call for c in carried)
    assert all(c.deadline == datetime.date(next_call.year, 12, 31) for c in carried)
    assert actions.carry_over(office, call, next_call) == []
    mediation_next = next(c for c in carried if c.title == "涉房纠纷诉前调解")
    assert u["hrss"] in mediation_next.co_units.all()

    # Every step is in the audit trail.
    recorded = set(
        AuditEntry.objects.filter(action__startswith="duallists.").values_list("action", flat=True)
    )
    assert {
        "duallists.call.open",
        "duallists.item.propose",
        "duallists.item.object",
        "duallists.item.arbitrate",
        "duallists.item.return_item",
        "duallists.item.resubmit",
        "duallists.item.merge",
        "duallists.call.settle_draft",
        "duallists.call.approve",
        "duallists.item.rate",
        "duallists.item.carry_over",
    } <= recorded


def test_arbitration_may_name_another_lead_unit(world):
    lists = setup_lists(world)
    call = open_call(world)
    item = propose(world, call, "court_staff", "court", lists["court_kind"], "housing")
    actions.object_to(world.users["housing_liaison"], item, "不属于本单位职责")
    actions.arbitrate(
        world.users["city_office"],
        _fresh(item),
        comment="改由人社局牵头",
        lead_unit=world.units["hrss"],
    )
    item = _fresh(item)
    assert item.lead_unit == world.units["hrss"]
    assert item.state == wf.CLAIMED
    # A court cannot be named lead of a court-needs-government item.
    item2 = propose(world, call, "court_staff", "court", lists["court_kind"], "housing")
    actions.object_to(world.users["housing_liaison"], item2, "不属于")
    with pytest.raises(ValidationError) as wrong:
        actions.arbitrate(
            world.users["city_office"], _fresh(item2), comment="x", lead_unit=world.units["court"]
        )
    assert wrong.value.error_dict["lead_unit"][0].code == "item.lead_side"


def test_a_leader_records_the_approval_and_the_office_registers_the_matters(world):
    lists = setup_lists(world)
    office = world.users["city_office"]
    call = open_call(world)
    item = propose(world, call, "court_staff", "court", lists["court_kind"], "hrss")
    actions.claim(world.users["hrss_liaison"], item)
    actions.accept(office, _fresh(item))
    actions.close_call(office, call)
    call.refresh_from_db()
    actions.settle_draft(office, call, meeting_ref="协调会")
    call.refresh_from_db()
    actions.approve(world.users["city_leader"], call, meeting_ref="全体会议")
    item = _fresh(item)
    assert item.state == wf.APPROVED and item.matter is None
    with pytest.raises(PermissionDenied):
        actions.register_matters(world.users["city_leader"], call)
    created = actions.register_matters(office, call)
    assert len(created) == 1 and _fresh(item).matter == created[0]
    assert actions.register_matters(office, call) == []


def test_units_cannot_propose_after_the_deadline_but_the_office_can(world):
    import time_machine

    lists = setup_lists(world)
    call = open_call(world, days=3)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=5), tick=False):
        with pytest.raises(PermissionDenied):
            propose(world, call, "court_staff", "court", lists["court_kind"], "hrss")
        item = propose(world, call, "city_office", "court", lists["court_kind"], "hrss")
        assert item.proposed_by == world.users["city_office"]
