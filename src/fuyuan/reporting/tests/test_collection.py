"""A collection from three units: one late and urged, one returned and resubmitted; the
compiled document holds the accepted submissions in the units' official order."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from fuyuan.audit.models import AuditEntry
from fuyuan.core.workflow import TransitionError
from fuyuan.notify.models import InboxMessage, OutboxMessage
from fuyuan.reporting import actions, queries
from fuyuan.reporting import workflow as wf
from fuyuan.reporting.models import Collection, CollectionKind, Submission

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def _collection(world, units=("hrss", "housing", "court"), counties=(), deadline=None):
    u = world.units
    return actions.create_collection(
        world.users["city_office"],
        world.mechanisms["city"],
        kind=CollectionKind.HALF_YEAR_SUMMARY,
        title="2026年上半年府院联动工作总结",
        deadline=deadline or timezone.localdate() + datetime.timedelta(days=5),
        instructions="请按模板报送。",
        units=[u[k] for k in units],
        jurisdictions=[getattr(world, f"county_{c}") for c in counties],
    )


def _write_and_deliver(world, user, collection, unit, text):
    target = collection.targets.get(unit=world.units[unit])
    submission = actions.save_submission(world.users[user], target, text=text)
    return actions.deliver(world.users[user], submission)


def test_default_targets_are_the_current_member_units_and_the_counties(world):
    collection = actions.create_collection(
        world.users["city_office"],
        world.mechanisms["city"],
        kind=CollectionKind.TYPICAL_CASE,
        title="典型案例征集",
        deadline=timezone.localdate() + datetime.timedelta(days=10),
    )
    names = {t.name for t in collection.targets.select_related("unit", "jurisdiction")}
    # Member units of the city (not the office's own unit, not the former regulator) + counties.
    assert names == {
        world.units["hrss"].name,
        world.units["housing"].name,
        world.units["court"].name,
        world.units["new_regulator"].name,
        world.county_a.name,
        world.county_b.name,
    }
    assert collection.state == wf.C_DRAFT
    assert AuditEntry.objects.filter(action="reporting.collection.create").count() == 1


def test_only_the_office_of_the_mechanism_issues_a_collection(world):
    with pytest.raises(PermissionDenied):
        actions.create_collection(
            world.users["a_office"],
            world.mechanisms["city"],
            kind=CollectionKind.OTHER,
            title="x",
            deadline=timezone.localdate(),
        )
    with pytest.raises(ValidationError) as exc:
        actions.create_collection(
            world.users["city_office"],
            world.mechanisms["city"],
            kind=CollectionKind.OTHER,
            title="x",
            deadline=timezone.localdate(),
            units=[world.units["a_hrss"]],
            jurisdictions=[],
        )
    assert exc.value.error_dict["units"][0].code == "reporting.unit_outside"


def test_opening_notifies_each_targets_liaison(world):
    collection = _collection(world)
    actions.transition_collection(world.users["city_office"], collection, "open")
    for user in ("hrss_liaison", "housing_liaison", "court_staff"):
        assert InboxMessage.objects.filter(
            user=world.users[user], ref_kind="reporting.collection", ref_id=collection.pk
        ).exists()
    assert not InboxMessage.objects.filter(user=world.users["regulator_liaison"]).exists()


def test_three_units_one_late_and_urged_one_returned_compiled_in_official_order(world):
    office = world.users["city_office"]
    today = timezone.localdate()
    collection = _collection(world, deadline=today + datetime.timedelta(days=5))
    collection = actions.transition_collection(office, collection, "open")

    # The court delivers first and on time; housing delivers and is returned.
    court = _write_and_deliver(world, "court_staff", collection, "court", "中院：开展庭审观摩3次。")
    housing = _write_and_deliver(world, "housing_liaison", collection, "housing", "住建局初稿")
    with pytest.raises(TransitionError) as exc:
        actions.return_submission(office, housing, "")
    assert exc.value.code == "workflow.comment_required"
    housing = actions.return_submission(office, housing, "请补充问题楼盘化解数据。")
    assert housing.state == wf.RETURNED
    assert InboxMessage.objects.filter(
        user=world.users["housing_liaison"], ref_kind="reporting.submission", ref_id=housing.pk
    ).exists()

    # After the deadline, hrss has delivered nothing: it is on the late list and urged.
    later = timezone.now() + datetime.timedelta(days=7)
    with time_machine.travel(later, tick=False):
        late = queries.late_targets(collection)
        assert [t.unit for t in late] == [world.units["hrss"], world.units["housing"]]
        urged = actions.urge(office, collection, [collection.targets.get(unit=world.units["hrss"])])
        assert len(urged) == 1
        target = collection.targets.get(unit=world.units["hrss"])
        assert target.urged_at == later
        assert target.urge_count == 1
        reminder = OutboxMessage.objects.get(
            recipient=world.users["hrss_liaison"], kind__startswith="urge:", channel="inbox"
        )
        assert reminder.url.endswith(f"/reporting/{collection.pk}/")
        inbox = InboxMessage.objects.filter(user=world.users["hrss_liaison"])
        assert inbox.count() == 2  # the call when it opened, then the reminder
        assert not InboxMessage.objects.filter(
            user=world.users["court_staff"], created_at=later
        ).exists()
        # Urging twice the same day sends no second message.
        actions.urge(office, collection, [target])
        assert inbox.count() == 2
        hrss = _write_and_deliver(
            world, "hrss_liaison", collection, "hrss", "人社局：欠薪案件联动。"
        )
        # Housing revises and delivers again (still counted on time: first delivery was).
        housing = actions.save_submission(
            world.users["housing_liaison"],
            housing.target,
            text="住建局：化解问题楼盘2个。\n交付房屋1200套。",
        )
        housing = actions.deliver(world.users["housing_liaison"], housing)
    assert hrss.is_late is True
    assert court.is_late is False
    assert housing.is_late is False
    assert housing.state == wf.DELIVERED

    for submission in (court, housing, hrss):
        actions.accept(office, submission)
    collection = actions.compile_collection(office, collection)
    assert collection.state == wf.C_COMPILED
    document = Document(io.BytesIO(collection.compiled_file.read()))
    text = [p.text for p in document.paragraphs]
    names = [world.units[k].name for k in ("hrss", "housing", "court")]
    positions = [next(i for i, t in enumerate(text) if name in t) for name in names]
    assert positions == sorted(positions), text
    assert any("交付房屋1200套" in t for t in text)
    assert not any("住建局初稿" in t for t in text)
    assert AuditEntry.objects.filter(action="reporting.target.urge").exists()
    assert AuditEntry.objects.filter(action="reporting.submission.return").exists()


def test_urging_without_late_targets_is_refused(world):
    collection = _collection(world)
    collection = actions.transition_collection(world.users["city_office"], collection, "open")
    with pytest.raises(ValidationError) as exc:
        actions.urge(world.users["city_office"], collection)
    assert exc.value.code == "reporting.nothing_to_urge"
    with pytest.raises(PermissionDenied):
        actions.urge(world.users["hrss_liaison"], collection)


def test_compiling_needs_an_accepted_submission(world):
    collection = _collection(world)
    actions.transition_collection(world.users["city_office"], collection, "open")
    with pytest.raises(TransitionError) as exc:
        actions.compile_collection(world.users["city_office"], collection)
    assert exc.value.code == "reporting.nothing_accepted"


def test_a_closed_collection_takes_no_delivery(world):
    collection = _collection(world)
    office = world.users["city_office"]
    collection = actions.transition_collection(office, collection, "open")
    target = collection.targets.get(unit=world.units["hrss"])
    submission = actions.save_submission(world.users["hrss_liaison"], target, text="x")
    actions.transition_collection(office, collection, "close")
    with pytest.raises(TransitionError) as exc:
        actions.deliver(world.users["hrss_liaison"], submission)
    assert exc.value.code == "reporting.collection_not_open"


def test_attachments_are_checked_by_content(world):
    collection = _collection(world)
    actions.transition_collection(world.users["city_office"], collection, "open")
    target = collection.targets.get(unit=world.units["hrss"])
    with pytest.raises(ValidationError) as exc:
        actions.save_submission(
            world.users["hrss_liaison"],
            target,
            text="x",
            attachment=SimpleUploadedFile("总结.pdf", EXE),
        )
    assert exc.value.error_dict["attachment"][0].code == "attachment.type"
    submission = actions.save_submission(
        world.users["hrss_liaison"], target, text="", attachment=SimpleUploadedFile("总结.doc", PDF)
    )
    assert submission.attachment_name == "总结.pdf"
    assert submission.attachment_type == "application/pdf"


def test_with_leader_check_a_unit_submission_passes_its_leader_first(world):
    from fuyuan.testing import make_user

    mechanism = world.mechanisms["city"]
    mechanism.settings = {**mechanism.settings, "enabled_steps": ["leader_check"]}
    mechanism.save()
    leader = make_user("hrss_deputy", "liaison", unit=world.units["hrss"])
    collection = _collection(world, units=("hrss",))
    collection.mechanism.refresh_from_db()
    actions.transition_collection(world.users["city_office"], collection, "open")
    target = collection.targets.get()
    liaison = world.users["hrss_liaison"]
    submission = actions.save_submission(liaison, target, text="初稿")
    with pytest.raises(TransitionError) as exc:
        actions.transition_submission(liaison, submission, "deliver_direct")
    assert exc.value.code == "workflow.not_allowed"
    with pytest.raises(TransitionError) as exc:
        actions.submit(liaison, submission)
    assert exc.value.code == "reporting.leader_required"
    submission = actions.save_submission(liaison, target, text="初稿", unit_leader=leader)
    submission = actions.submit(liaison, submission)
    assert InboxMessage.objects.filter(user=leader, ref_kind="reporting.submission").exists()
    with pytest.raises(TransitionError):
        actions.approve(liaison, submission)
    submission = actions.approve(leader, submission)
    submission = actions.deliver(liaison, submission)
    assert submission.state == wf.DELIVERED
    assert Submission.objects.visible_to(world.users["city_office"]).filter(pk=submission.pk)
    assert Collection.objects.get(pk=collection.pk).state == wf.C_OPEN
