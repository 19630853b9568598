"""A matter walks every transition of the default graph and of the optional steps; send-back
needs a comment; extensions (approved, refused, a second one needing the leader);
suspension; co-units consolidated by the lead unit; urging; every transition audited."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuyuan.accounts.models import Role
from fuyuan.audit.models import AuditEntry
from fuyuan.core.workflow import TransitionError
from fuyuan.matters import actions
from fuyuan.matters import workflow as wf
from fuyuan.matters.models import Matter
from fuyuan.notify.models import InboxMessage
from fuyuan.testing import make_matter, make_user

pytestmark = pytest.mark.django_db


def _enable(world, *steps):
    mechanism = world.mechanisms["city"]
    mechanism.settings = {**mechanism.settings, "enabled_steps": list(steps)}
    mechanism.save()


def _fresh(matter):
    return Matter.objects.get(pk=matter.pk)


def _code(exc):
    if hasattr(exc, "error_dict"):
        return next(e.code for errors in exc.error_dict.values() for e in errors)
    return exc.code


def test_default_graph_walk_with_send_back_requiring_a_comment(world):
    office, liaison = world.users["city_office"], world.users["hrss_liaison"]
    matter = make_matter(world)
    for name, actor in (("assign", office), ("sign", liaison), ("start", liaison)):
        actions.transition(actor, matter, name)
    with pytest.raises(TransitionError) as missing:
        actions.transition(liaison, matter, "report")
    assert missing.value.code == "workflow.fields_required"
    actions.transition(liaison, matter, "report", values={"summary": "已完成培训"})
    with pytest.raises(TransitionError) as no_comment:
        actions.transition(office, matter, "send_back", comment="  ")
    assert no_comment.value.code == "workflow.comment_required"
    assert _fresh(matter).state == wf.REPORTED
    actions.transition(office, matter, "send_back", comment="材料不全")
    actions.transition(liaison, matter, "report", values={"summary": "已补充材料"})
    actions.transition(office, matter, "complete")
    actions.transition(office, matter, "close")
    matter = _fresh(matter)
    assert matter.state == wf.CLOSED
    assert matter.progress == 100
    assert matter.summary == "已补充材料"
    kinds = list(matter.timeline.values_list("kind", flat=True))
    assert kinds == [
        "created",
        "transition:assign",
        "transition:sign",
        "transition:start",
        "transition:report",
        "transition:send_back",
        "transition:report",
        "transition:complete",
        "transition:close",
    ]
    audited = list(
        AuditEntry.objects.filter(object_id=str(matter.pk), action__startswith="matters.matter.")
        .order_by("seq", "pk")
        .values_list("action", flat=True)
    )
    assert audited == ["matters.matter.create"] + [
        f"matters.matter.{k.split(':')[1]}" for k in kinds[1:]
    ]


def test_the_lead_unit_cannot_take_the_office_s_steps(world):
    matter = make_matter(world, state="assigned")
    with pytest.raises(TransitionError) as exc:
        actions.transition(world.users["hrss_liaison"], matter, "complete")
    assert exc.value.code == "workflow.not_allowed"
    with pytest.raises(TransitionError):
        actions.transition(world.users["housing_liaison"], matter, "sign")


def test_optional_steps_handler_and_leader_check(world):
    _enable(world, "handler_assignment", "leader_check")
    hrss = world.units["hrss"]
    handler = make_user("hrss_handler", Role.LIAISON, unit=hrss)
    chief = make_user("hrss_chief", Role.LIAISON, unit=hrss)
    liaison = world.users["hrss_liaison"]
    matter = make_matter(world, state="assigned")
    actions.transition(liaison, matter, "sign")
    with pytest.raises(TransitionError) as short_path:
        actions.transition(liaison, matter, "start")
    assert short_path.value.code == "workflow.not_allowed"
    actions.transition(
        liaison, matter, "hand_to_handler", values={"handler": handler, "unit_leader": chief}
    )
    with pytest.raises(TransitionError):
        actions.transition(handler, matter, "report", values={"summary": "x"})
    actions.transition(handler, matter, "submit_for_check", values={"summary": "初稿"})
    assert _fresh(matter).state == wf.AWAITING_CHECK
    with pytest.raises(TransitionError) as needs_comment:
        actions.transition(chief, matter, "return_check")
    assert needs_comment.value.code == "workflow.comment_required"
    actions.transition(chief, matter, "return_check", comment="数据需核实")
    actions.transition(handler, matter, "submit_for_check", values={"summary": "终稿"})
    actions.transition(chief, matter, "approve_check")
    matter = _fresh(matter)
    assert matter.state == wf.REPORTED
    assert matter.handler == handler and matter.unit_leader == chief


def test_suspend_and_resume(world):
    office, liaison = world.users["city_office"], world.users["hrss_liaison"]
    matter = make_matter(world, state="assigned")
    actions.transition(liaison, matter, "sign")
    actions.transition(liaison, matter, "start")
    with pytest.raises(TransitionError):
        actions.transition(liaison, matter, "request_suspension")
    actions.transition(liaison, matter, "request_suspension", comment="等待法院判决")
    with pytest.raises(TransitionError):
        actions.transition(office, matter, "reject_suspension")
    actions.transition(office, matter, "reject_suspension", comment="不属于中止情形")
    assert _fresh(matter).state == wf.IN_PROGRESS
    actions.transition(liaison, matter, "request_suspension", comment="等待法院判决")
    actions.transition(office, matter, "approve_suspension")
    assert _fresh(matter).state == wf.SUSPENDED
    with pytest.raises(TransitionError):
        actions.transition(liaison, matter, "resume")
    actions.transition(office, matter, "resume")
    assert _fresh(matter).state == wf.IN_PROGRESS


def test_extension_approved_then_refused_then_a_second_needs_the_leader(world):
    office, leader = world.users["city_office"], world.users["city_leader"]
    liaison = world.users["hrss_liaison"]
    today = timezone.localdate()
    matter = make_matter(world, state="assigned", deadline=today + datetime.timedelta(days=10))
    first = actions.request_extension(
        liaison, matter, "需协调多部门", today + datetime.timedelta(days=40), "已完成一半"
    )
    assert first.level == 1
    with pytest.raises(ValidationError) as pending:
        actions.request_extension(
            liaison, matter, "again", today + datetime.timedelta(days=50), "x"
        )
    assert _code(pending.value) == "extension.pending"
    with pytest.raises(PermissionDenied):
        actions.decide_extension(liaison, first, True)
    actions.decide_extension(office, first, True, "同意")
    matter = _fresh(matter)
    assert matter.deadline == today + datetime.timedelta(days=40)
    assert matter.warn_from == matter.deadline - datetime.timedelta(
        days=world.mechanisms["city"].config.warn_days_before_deadline
    )
    assert matter.extension_count == 1

    second = actions.request_extension(
        liaison, matter, "仍需时间", today + datetime.timedelta(days=60), "已完成八成"
    )
    assert second.level == 2
    with pytest.raises(PermissionDenied):
        actions.decide_extension(office, second, True, "同意")
    with pytest.raises(ValidationError) as no_reason:
        actions.decide_extension(leader, second, False, "")
    assert _code(no_reason.value) == "extension.comment_required"
    actions.decide_extension(leader, second, False, "不同意再次延期")
    matter = _fresh(matter)
    assert matter.deadline == today + datetime.timedelta(days=40)
    assert matter.extension_count == 1

    third = actions.request_extension(
        liaison, matter, "特殊情况", today + datetime.timedelta(days=70), "已完成九成"
    )
    assert third.level == 2
    actions.decide_extension(leader, third, True, "同意")
    matter = _fresh(matter)
    assert matter.deadline == today + datetime.timedelta(days=70)
    assert matter.extension_count == 2
    kinds = list(matter.timeline.values_list("kind", flat=True))
    assert kinds.count("extension_approved") == 2 and kinds.count("extension_refused") == 1
    assert AuditEntry.objects.filter(action="matters.matter.extend").count() == 2


def test_extension_only_before_the_deadline_and_to_a_later_date(world):
    liaison = world.users["hrss_liaison"]
    today = timezone.localdate()
    deadline = today + datetime.timedelta(days=10)
    matter = make_matter(world, state="assigned", deadline=deadline)
    with pytest.raises(ValidationError) as earlier:
        actions.request_extension(liaison, matter, "r", deadline - datetime.timedelta(days=1), "p")
    assert _code(earlier.value) == "extension.not_later"
    on_deadline = datetime.datetime.combine(deadline, datetime.time(10), tzinfo=datetime.UTC)
    with time_machine.travel(on_deadline, tick=False):
        liaison.forget_roles()
        ok = actions.request_extension(liaison, matter, "r", deadline + datetime.timedelta(1), "p")
        actions.decide_extension(world.users["city_office"], ok, False, "no")
    with time_machine.travel(on_deadline + datetime.timedelta(days=2), tick=False):
        liaison.forget_roles()
        with pytest.raises(ValidationError) as late:
            actions.request_extension(liaison, matter, "r", deadline + datetime.timedelta(30), "p")
        assert _code(late.value) == "extension.too_late"


def test_co_unit_report_consolidated_by_the_lead_unit(world):
    _enable(world, "lead_unit_consolidation")
    liaison, housing = world.users["hrss_liaison"], world.users["housing_liaison"]
    matter = make_matter(world, co_units=[world.units["housing"]], state="assigned")
    actions.transition(liaison, matter, "sign")
    actions.transition(liaison, matter, "start")
    with pytest.raises(TransitionError) as pending:
        actions.transition(liaison, matter, "report", values={"summary": "牵头汇总"})
    assert pending.value.code == "matter.co_units_pending"
    assert _fresh(matter).state == wf.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        actions.co_unit_report(liaison, matter, "not a co-unit")
    actions.co_unit_report(housing, matter, "住建局已完成排查")
    actions.transition(liaison, matter, "report", values={"summary": "牵头汇总"})
    matter = _fresh(matter)
    assert matter.state == wf.REPORTED
    row = matter.co_units.get()
    assert row.report == "住建局已完成排查" and row.reported_by == housing
    assert row.consolidated_at is not None
    entry = matter.timeline.get(kind="transition:report")
    assert entry.detail["co_unit_reports"] == [
        {"unit": world.units["housing"].name, "report": "住建局已完成排查"}
    ]


def test_urging_notifies_the_lead_unit_liaison(world, django_capture_on_commit_callbacks):
    matter = make_matter(world, state="assigned")
    with django_capture_on_commit_callbacks(execute=True):
        actions.urge(world.users["city_office"], matter, "请于本周内反馈")
    assert matter.timeline.filter(kind="urge", text="请于本周内反馈").exists()
    assert InboxMessage.objects.filter(user=world.users["hrss_liaison"]).count() == 1
    assert not InboxMessage.objects.filter(user=world.users["housing_liaison"]).exists()
    with pytest.raises(PermissionDenied):
        actions.urge(world.users["hrss_liaison"], matter, "x")


def test_evaluation_once_when_finished(world):
    office, liaison = world.users["city_office"], world.users["hrss_liaison"]
    matter = make_matter(world, state="assigned")
    with pytest.raises(PermissionDenied):
        actions.evaluate(office, matter, 5, 5, 5)
    actions.transition(liaison, matter, "sign")
    actions.transition(liaison, matter, "start")
    actions.transition(liaison, matter, "report", values={"summary": "done"})
    actions.transition(office, matter, "complete")
    matter = _fresh(matter)
    with pytest.raises(ValidationError) as bad:
        actions.evaluate(office, matter, 6, 5, 5)
    assert _code(bad.value) == "evaluation.score"
    evaluation = actions.evaluate(office, matter, 5, 4, 3, "较好")
    assert evaluation.unit == world.units["hrss"] and evaluation.score == 4.0
    with pytest.raises(ValidationError) as twice:
        actions.evaluate(office, matter, 5, 5, 5)
    assert _code(twice.value) == "evaluation.exists"
