"""org.actions: permission, validation (with stable codes), optimistic locking and audit of
every write of the org app."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuyuan.accounts.models import Person, Post, PostKind
from fuyuan.audit.models import AuditEntry
from fuyuan.core.models import StaleObjectError
from fuyuan.core.workflow import TransitionError
from fuyuan.org import actions
from fuyuan.org.models import (
    Jurisdiction,
    JurisdictionLevel,
    MembershipChange,
    Seat,
    SeatRole,
    TaskArea,
    Unit,
    UnitKind,
)

VALID = "91350100M000100Y43"
BAD_CHECK = "91350100M000100Y4Z"
GOVERNMENT = "11330109002514937D"
MALFORMED = "9135010OM000100Y43"  # contains the letter O


def codes(exc: ValidationError, field: str) -> set[str]:
    return {e.code for e in exc.error_dict[field]}


def unit_data(unit: Unit, **changes: object) -> dict[str, object]:
    data = {f: actions._current_value(unit, f) for f in actions.UNIT_FIELDS}
    data.update(changes)
    return data


# --- credit code rule -------------------------------------------------------------------------
def test_valid_credit_code_is_saved_and_clears_an_old_override(world):
    hrss = world.units["hrss"]
    hrss.credit_code, hrss.credit_code_override = BAD_CHECK, "printed so on the certificate"
    hrss.save()
    actions.save_unit(world.users["city_office"], hrss, unit_data(hrss, credit_code=VALID))
    hrss.refresh_from_db()
    assert hrss.credit_code == VALID
    assert hrss.credit_code_override == ""


def test_government_body_credit_code_is_accepted(world):
    hrss = world.units["hrss"]
    actions.save_unit(world.users["city_office"], hrss, unit_data(hrss, credit_code=GOVERNMENT))
    hrss.refresh_from_db()
    assert hrss.credit_code == GOVERNMENT


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (MALFORMED, "uscc.charset"),
        ("91350100M000100Y4", "uscc.length"),
        ("91350100M000100Y431", "uscc.length"),
    ],
)
def test_structurally_wrong_credit_code_is_refused_even_with_a_reason(world, raw, code):
    hrss = world.units["hrss"]
    with pytest.raises(ValidationError) as caught:
        actions.save_unit(
            world.users["city_office"], hrss, unit_data(hrss, credit_code=raw), "I am sure"
        )
    assert codes(caught.value, "credit_code") == {code}
    hrss.refresh_from_db()
    assert hrss.credit_code == ""


def test_failed_check_character_is_refused_without_a_reason(world):
    hrss = world.units["hrss"]
    with pytest.raises(ValidationError) as caught:
        actions.save_unit(world.users["city_office"], hrss, unit_data(hrss, credit_code=BAD_CHECK))
    assert codes(caught.value, "credit_code") == {"uscc.checksum"}


def test_failed_check_character_is_saved_with_a_reason_which_is_stored(world):
    hrss = world.units["hrss"]
    actions.save_unit(
        world.users["city_office"],
        hrss,
        unit_data(hrss, credit_code=BAD_CHECK.lower()),
        override_reason="printed so on the certificate",
    )
    hrss.refresh_from_db()
    assert hrss.credit_code == BAD_CHECK
    assert hrss.credit_code_override == "printed so on the certificate"


def test_earlier_override_survives_an_edit_that_keeps_the_code(world):
    hrss = world.units["hrss"]
    hrss.credit_code, hrss.credit_code_override = BAD_CHECK, "printed so"
    hrss.save()
    actions.save_unit(world.users["city_office"], hrss, unit_data(hrss, address="新华路1号"))
    hrss.refresh_from_db()
    assert (hrss.address, hrss.credit_code_override) == ("新华路1号", "printed so")


# --- other unit rules -------------------------------------------------------------------------
def test_court_needs_a_well_formed_court_code(world):
    court = world.units["court"]
    with pytest.raises(ValidationError) as caught:
        actions.save_unit(world.users["city_office"], court, unit_data(court, court_code=""))
    assert codes(caught.value, "court_code") == {"court_code.required"}
    with pytest.raises(ValidationError) as caught:
        actions.save_unit(world.users["city_office"], court, unit_data(court, court_code="17"))
    assert codes(caught.value, "court_code") == {"court_code.format"}


def test_unit_name_is_unique_within_its_jurisdiction(world):
    with pytest.raises(ValidationError) as caught:
        actions.save_unit(
            world.users["city_office"],
            Unit(),
            {
                "name": world.units["hrss"].name,
                "kind": UnitKind.DEPARTMENT,
                "jurisdiction": world.city,
                "order_no": 50,
            },
        )
    assert codes(caught.value, "name") == {"unit.name_taken"}


def test_successor_cannot_close_a_cycle(world):
    new = world.units["new_regulator"]
    with pytest.raises(ValidationError) as caught:
        actions.save_unit(
            world.users["city_office"], new, unit_data(new, successor=world.units["old_regulator"])
        )
    assert codes(caught.value, "successor") == {"unit.successor_cycle"}


def test_office_creates_a_unit_in_its_jurisdiction_and_it_is_audited(world):
    unit = actions.save_unit(
        world.users["a_office"],
        Unit(),
        {
            "name": "西平县住房和城乡建设局",
            "kind": UnitKind.DEPARTMENT,
            "jurisdiction": world.county_a,
            "order_no": 9,
            "credit_code": VALID,
        },
    )
    assert unit.pk and unit.jurisdiction == world.county_a
    assert AuditEntry.objects.filter(action="org.unit.create", object_id=str(unit.pk)).exists()


def test_county_office_may_not_create_units_in_another_county(world):
    with pytest.raises(PermissionDenied):
        actions.save_unit(
            world.users["a_office"],
            Unit(),
            {
                "name": "上蔡县住建局",
                "kind": UnitKind.DEPARTMENT,
                "jurisdiction": world.county_b,
                "order_no": 9,
            },
        )


def test_liaison_may_not_edit_its_unit_record(world):
    hrss = world.units["hrss"]
    with pytest.raises(PermissionDenied):
        actions.save_unit(world.users["hrss_liaison"], hrss, unit_data(hrss, address="x"))


def test_stale_unit_edit_is_refused_and_nothing_is_overwritten(world):
    hrss = world.units["hrss"]
    read_version = hrss.version
    actions.save_unit(world.users["city_office"], hrss, unit_data(hrss, address="first"))
    stale = Unit.objects.get(pk=hrss.pk)
    with pytest.raises(StaleObjectError):
        actions.save_unit(
            world.users["city_office"], stale, unit_data(stale, address="second"), "", read_version
        )
    hrss.refresh_from_db()
    assert hrss.address == "first"


def test_unit_update_is_audited_with_before_and_after(world):
    hrss = world.units["hrss"]
    actions.save_unit(world.users["city_office"], hrss, unit_data(hrss, phone="0396-1234567"))
    entry = AuditEntry.objects.get(action="org.unit.update", object_id=str(hrss.pk))
    assert entry.before["phone"] == "" and entry.after["phone"] == "0396-1234567"


# --- reorganisation ---------------------------------------------------------------------------
def test_reorganise_into_a_new_unit_ends_the_old_one_and_links_the_successor(world):
    housing = world.units["housing"]
    last_day = datetime.date(2024, 12, 31)
    successor = actions.reorganise_unit(
        world.users["city_office"],
        housing,
        last_day=last_day,
        new_unit={"name": "驻马店市住房和城乡建设委员会", "short_name": "住建委"},
    )
    housing.refresh_from_db()
    assert housing.valid_to == last_day and housing.successor == successor
    assert successor.valid_from == datetime.date(2025, 1, 1)
    assert successor.order_no == housing.order_no and successor.kind == housing.kind
    assert AuditEntry.objects.filter(action="org.unit.reorganise").exists()
    assert AuditEntry.objects.filter(action="org.unit.create", object_id=str(successor.pk)).exists()


def test_a_unit_with_a_successor_cannot_be_reorganised_again(world):
    with pytest.raises(ValidationError) as caught:
        actions.reorganise_unit(
            world.users["city_office"],
            world.units["old_regulator"],
            last_day=datetime.date(2023, 10, 31),
            successor=world.units["hrss"],
        )
    assert codes(caught.value, "__all__") == {"unit.has_successor"}


# --- contacts ---------------------------------------------------------------------------------
def test_liaison_updates_its_own_contact_details(world):
    hrss = world.units["hrss"]
    post = Post.objects.get(unit=hrss, kind=PostKind.LIAISON)
    actions.save_unit_contacts(
        world.users["hrss_liaison"],
        hrss,
        liaison={
            "name": post.holder.name,
            "phone": "13900002222",
            "office_phone": "0396-1",
            "email": "hrss@example.org",
        },
    )
    person = Person.objects.get(pk=post.holder_id)
    assert person.phone == "13900002222" and person.office_phone == "0396-1"
    assert AuditEntry.objects.filter(action="org.person.update", object_id=str(person.pk)).exists()
    entry = AuditEntry.objects.get(action="org.person.update", object_id=str(person.pk))
    assert "13900002222" not in str(entry.after)  # personal data redacted


def test_new_liaison_name_means_a_new_person_holds_the_post(world):
    hrss = world.units["hrss"]
    post = Post.objects.get(unit=hrss, kind=PostKind.LIAISON)
    old_holder = post.holder_id
    actions.save_unit_contacts(
        world.users["city_office"], hrss, liaison={"name": "新联络员", "phone": "13900003333"}
    )
    post.refresh_from_db()
    assert post.holder_id != old_holder and post.holder.name == "新联络员"
    assert AuditEntry.objects.filter(action="org.post.holder", object_id=str(post.pk)).exists()


def test_liaison_may_not_edit_another_units_contacts(world):
    with pytest.raises(PermissionDenied):
        actions.save_unit_contacts(
            world.users["hrss_liaison"], world.units["housing"], liaison={"name": "x"}
        )


def test_post_holder_change_through_contacts(world):
    hrss = world.units["hrss"]
    head = Post.objects.get(unit=hrss, kind=PostKind.HEAD)
    actions.save_unit_contacts(
        world.users["hrss_liaison"],
        hrss,
        liaison={"name": Post.objects.get(unit=hrss, kind=PostKind.LIAISON).holder.name},
        holders={head.pk: "张局长"},
    )
    head.refresh_from_db()
    assert head.holder.name == "张局长"


# --- jurisdictions ----------------------------------------------------------------------------
def test_create_jurisdiction_computes_the_materialised_path(world):
    zone = actions.create_jurisdiction(
        world.users["system_admin"],
        name="驻马店经济开发区",
        level=JurisdictionLevel.ZONE,
        parent=world.city,
        stat_code="411771",
    )
    assert zone.path == Jurisdiction.build_path(world.city, zone.pk)
    root = actions.create_jurisdiction(
        world.users["system_admin"], name="湖北省", code="420000", level=JurisdictionLevel.PROVINCE
    )
    assert root.path == Jurisdiction.build_path(None, root.pk)
    assert AuditEntry.objects.filter(action="org.jurisdiction.create").count() == 2


def test_only_the_system_administrator_creates_jurisdictions(world):
    with pytest.raises(PermissionDenied):
        actions.create_jurisdiction(
            world.users["city_office"], name="x", level=JurisdictionLevel.ZONE, parent=world.city
        )


def test_division_code_must_be_unique(world):
    with pytest.raises(ValidationError) as caught:
        actions.create_jurisdiction(
            world.users["system_admin"],
            name="重复",
            code="411721",
            level=JurisdictionLevel.COUNTY,
            parent=world.city,
        )
    assert codes(caught.value, "code") == {"division.taken"}
    assert not Jurisdiction.objects.filter(name="重复").exists()


# --- mechanism settings -----------------------------------------------------------------------
def test_office_updates_settings_and_task_areas(world):
    m = world.mechanisms["city"]
    area = TaskArea.objects.create(mechanism=m, code="bankruptcy", name="破产", order=4)
    actions.update_mechanism_settings(
        world.users["city_office"],
        m,
        {"reds_for_formal_talk": 4, "enabled_steps": ["leader_check"], "second_factors": ["sms"]},
        task_areas=[{"id": area.pk, "name": "化解企业破产难题", "active": False}],
        expected_version=m.version,
    )
    m.refresh_from_db()
    area.refresh_from_db()
    assert m.config.reds_for_formal_talk == 4
    assert m.config.enabled_steps == ["leader_check"]
    assert (area.name, area.active) == ("化解企业破产难题", False)
    assert AuditEntry.objects.filter(action="org.mechanism.settings").exists()
    assert AuditEntry.objects.filter(action="org.task_area.update").exists()


def test_settings_refuse_unknown_steps_and_no_second_factor(world):
    m = world.mechanisms["city"]
    with pytest.raises(ValidationError) as caught:
        actions.update_mechanism_settings(
            world.users["city_office"], m, {"enabled_steps": ["teleport"], "second_factors": []}
        )
    assert codes(caught.value, "enabled_steps") == {"invalid_choice"}
    assert codes(caught.value, "second_factors") == {"required"}


def test_county_office_may_not_change_the_city_settings(world):
    with pytest.raises(PermissionDenied):
        actions.update_mechanism_settings(
            world.users["a_office"], world.mechanisms["city"], {"reds_for_formal_talk": 1}
        )


def test_stale_settings_edit_is_refused(world):
    m = world.mechanisms["city"]
    version = m.version
    actions.update_mechanism_settings(world.users["city_office"], m, {"red_card_points": 3})
    with pytest.raises(StaleObjectError):
        actions.update_mechanism_settings(
            world.users["city_office"], m, {"red_card_points": 4}, expected_version=version
        )


# --- membership changes -----------------------------------------------------------------------
def propose_leave(world, user="hrss_liaison", unit="hrss"):
    return actions.propose_membership_change(
        world.users[user],
        world.mechanisms["city"],
        unit=world.units[unit],
        kind="leave",
        reason="职能调整",
    )


def test_liaison_proposes_for_its_own_unit_and_it_is_audited(world):
    change = propose_leave(world)
    assert change.state == "proposed" and change.proposed_by == world.users["hrss_liaison"]
    assert AuditEntry.objects.filter(
        action="org.membership_change.propose", object_id=str(change.pk)
    ).exists()


def test_liaison_may_not_propose_for_another_unit(world):
    with pytest.raises(PermissionDenied):
        propose_leave(world, unit="housing")


def test_join_for_a_unit_already_member_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        actions.propose_membership_change(
            world.users["city_office"],
            world.mechanisms["city"],
            unit=world.units["hrss"],
            kind="join",
            reason="x",
            representative_title="局长",
        )
    assert codes(caught.value, "unit") == {"membership.already_member"}


def test_leave_for_a_unit_without_a_seat_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        actions.propose_membership_change(
            world.users["city_office"],
            world.mechanisms["city"],
            unit=world.units["city_gov"],
            kind="leave",
            reason="x",
        )
    assert codes(caught.value, "unit") == {"membership.not_member"}


def test_second_pending_proposal_for_a_unit_is_refused(world):
    propose_leave(world)
    with pytest.raises(ValidationError) as caught:
        propose_leave(world, user="city_office")
    assert "membership.pending" in codes(caught.value, "unit")


def test_reject_needs_a_comment_then_succeeds_with_one(world):
    change = propose_leave(world)
    leader = world.users["city_leader"]
    with pytest.raises(TransitionError) as caught:
        actions.decide_membership_change(leader, change, "reject", "  ")
    assert caught.value.code == "workflow.comment_required"
    change.refresh_from_db()
    assert change.state == "proposed"
    actions.decide_membership_change(leader, change, "reject", "职能未变")
    change.refresh_from_db()
    assert (change.state, change.decision_comment, change.decided_by) == (
        "rejected",
        "职能未变",
        leader,
    )
    assert AuditEntry.objects.filter(action="org.membership_change.reject").exists()


def test_only_the_convener_side_approves(world):
    change = propose_leave(world)
    with pytest.raises(TransitionError) as caught:
        actions.decide_membership_change(world.users["city_office"], change, "approve")
    assert caught.value.code == "workflow.not_allowed"


def test_approving_a_join_creates_a_member_seat_held_by_the_head_post(world):
    unit = Unit.objects.create(
        name="驻马店市税务局",
        short_name="税务局",
        kind=UnitKind.VERTICAL,
        jurisdiction=world.city,
        order_no=30,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    change = actions.propose_membership_change(
        world.users["city_office"],
        world.mechanisms["city"],
        unit=unit,
        kind="join",
        reason="按通知增补",
        representative_title="局长",
    )
    actions.decide_membership_change(world.users["city_leader"], change, "approve")
    seat = Seat.objects.current().get(mechanism=world.mechanisms["city"], unit=unit)
    assert seat.role == SeatRole.MEMBER and seat.joined_on == timezone.localdate()
    assert seat.post.title == "局长" and seat.post.kind == PostKind.HEAD
    change.refresh_from_db()
    assert change.state == "approved" and change.effective_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="org.membership_change.approve").exists()
    assert AuditEntry.objects.filter(action="org.seat.create").exists()


def test_approving_a_leave_ends_the_seat_today(world):
    change = propose_leave(world)
    actions.decide_membership_change(world.users["city_leader"], change, "approve")
    assert (
        not Seat.objects.current()
        .filter(mechanism=world.mechanisms["city"], unit=world.units["hrss"])
        .exists()
    )
    assert AuditEntry.objects.filter(action="org.seat.end").exists()


def test_proposer_withdraws_its_proposal(world):
    change = propose_leave(world)
    actions.decide_membership_change(world.users["hrss_liaison"], change, "withdraw")
    assert MembershipChange.objects.get(pk=change.pk).state == "withdrawn"
    assert AuditEntry.objects.filter(action="org.membership_change.withdraw").exists()


def test_stale_decision_is_refused(world):
    change = propose_leave(world)
    version = change.version
    actions.decide_membership_change(world.users["hrss_liaison"], change, "withdraw")
    again = MembershipChange.objects.get(pk=change.pk)
    again.state = "proposed"  # as the stale page showed it
    with pytest.raises(StaleObjectError):
        actions.decide_membership_change(
            world.users["city_leader"], again, "reject", "no", expected_version=version
        )


def test_membership_proposal_and_decision_reach_the_inbox(
    world, django_capture_on_commit_callbacks
):
    from fuyuan.notify.models import InboxMessage
    from fuyuan.org import actions as org_actions
    from fuyuan.org.models import MembershipChangeKind

    with django_capture_on_commit_callbacks(execute=True):
        change = org_actions.propose_membership_change(
            world.users["hrss_liaison"],
            world.mechanisms["city"],
            unit=world.units["hrss"],
            kind=MembershipChangeKind.LEAVE,
            reason="职能调整",
        )
    assert InboxMessage.objects.filter(user=world.users["city_leader"], ref_id=change.pk).exists()
    assert InboxMessage.objects.filter(user=world.users["city_office"], ref_id=change.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        org_actions.decide_membership_change(world.users["city_leader"], change, "approve")
    assert InboxMessage.objects.filter(
        user=world.users["hrss_liaison"], ref_kind="org.membershipchange", ref_id=change.pk
    ).exists()
