"""Administrative cases entered by hand: the number tells year, type and procedure and must
be an administrative case of the chosen court; a case of a county body heard by another
county's court (相对集中管辖) is seen by that court, the body and the offices above it — and
by nobody else; hearings are announced by the court or the office."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core.models import StaleObjectError
from fuyuan.litigation import actions
from fuyuan.litigation.models import AdminCase, CoDefendant, Hearing
from fuyuan.notify.models import InboxMessage
from fuyuan.testing import World

pytestmark = pytest.mark.django_db

B_NUMBER = "（2024）豫1722行初35号"


def make_case(
    world: World,
    actor: str = "b_court_staff",
    *,
    number: str = B_NUMBER,
    court: str = "b_court",
    defendant: str = "a_hrss",
    **extra: Any,
) -> AdminCase:
    """A case of 西平县人社局 heard by 上蔡县人民法院 unless told otherwise."""
    values: dict[str, Any] = {
        "plaintiffs": "王秀兰\n李建国",
        "cause": "工伤认定",
        "enterprise_related": False,
        "filed_on": timezone.localdate() - datetime.timedelta(days=40),
        "stage": "filed",
    }
    values.update(extra)
    return actions.create_case(
        world.users[actor],
        number=number,
        court=world.units[court],
        defendant=world.units[defendant],
        **values,
    )


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


# --- registering ------------------------------------------------------------------------------
def test_court_registers_a_case_of_another_countys_body_with_facts_from_the_number(world):
    case = make_case(world, number="(2024)豫1722行初35号", enterprise_related=True)
    assert case.number == "（2024）豫1722行初35号"  # canonical brackets
    assert (case.year, case.type_code, case.instance) == (2024, "行初", "first")
    assert case.court == world.units["b_court"]
    assert case.jurisdiction == world.county_a  # the defendant's, not the court's
    assert case.mechanism == world.mechanisms["a"]
    assert case.plaintiffs == "王秀兰\n李建国"
    entry = AuditEntry.objects.get(action="litigation.case.create")
    assert entry.object_id == str(case.pk) and entry.actor == world.users["b_court_staff"]
    assert entry.after["plaintiffs"] == "[redacted]"


def test_office_registers_a_case_of_a_body_it_oversees_heard_elsewhere(world):
    case = make_case(world, "a_office")
    assert case.mechanism == world.mechanisms["a"]


def test_second_instance_number_sets_the_procedure(world):
    case = make_case(world, "court_staff", number="（2024）豫17行终8号", court="court")
    assert (case.type_code, case.instance) == ("行终", "second")


def test_pre_2016_administrative_number_is_accepted_without_a_court_code(world):
    case = make_case(
        world,
        number="（2015）上行初字第3号",
        filed_on=datetime.date(2015, 3, 2),
        stage="concluded",
        concluded_on=datetime.date(2015, 9, 1),
        outcome="dismissed",
    )
    assert case.year == 2015 and case.type_code == "行初"


@pytest.mark.parametrize(
    ("actor", "court", "defendant"),
    [
        ("hrss_liaison", "court", "hrss"),  # a body cannot enter its own case
        ("a_hrss_liaison", "b_court", "a_hrss"),
        ("court_staff", "b_court", "a_hrss"),  # the intermediate court for a basic court
        ("b_office", "b_court", "a_hrss"),  # the office of the court's county, not the body's
        ("a_office", "court", "hrss"),  # a county office for a city body
        ("city_leader", "court", "hrss"),
        ("system_admin", "court", "hrss"),
    ],
)
def test_only_the_court_or_the_bodys_office_may_register(world, actor, court, defendant):
    number = B_NUMBER if court == "b_court" else "（2024）豫17行初12号"
    with pytest.raises(PermissionDenied):
        make_case(world, actor, number=number, court=court, defendant=defendant)
    assert not AdminCase.objects.exists()


def test_a_civil_case_number_is_refused(world):
    with pytest.raises(ValidationError) as info:
        make_case(world, number="（2024）豫1722民初35号")
    assert codes(info.value) == {"number": ["litigation.not_administrative"]}


def test_a_number_of_another_court_is_refused(world):
    with pytest.raises(ValidationError) as info:
        make_case(world, number="（2024）豫17行初35号")
    assert codes(info.value) == {"court": ["litigation.court_mismatch"]}


def test_a_malformed_number_names_the_wrong_part(world):
    with pytest.raises(ValidationError) as info:
        make_case(world, number="2024豫1722行初35号")
    assert codes(info.value)["number"][0].startswith("case_number.")


def test_a_duplicate_number_is_refused_naming_the_existing_case(world):
    make_case(world)
    with pytest.raises(ValidationError) as info:
        make_case(world, "a_office", number="(2024)豫1722行初35号")
    assert codes(info.value) == {"number": ["litigation.duplicate_number"]}
    assert B_NUMBER in info.value.error_dict["number"][0].messages[0]


def test_a_concluded_case_needs_its_date_and_outcome_and_vice_versa(world):
    with pytest.raises(ValidationError) as info:
        make_case(world, stage="concluded")
    assert codes(info.value) == {
        "concluded_on": ["litigation.outcome_required"],
        "outcome": ["litigation.outcome_required"],
    }
    with pytest.raises(ValidationError) as info:
        make_case(world, stage="hearing", outcome="revoked")
    assert codes(info.value) == {"stage": ["litigation.outcome_required"]}


def test_filing_date_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError) as info:
        make_case(world, filed_on=timezone.localdate() + datetime.timedelta(days=1))
    assert codes(info.value) == {"filed_on": ["litigation.filed_in_future"]}


def test_conclusion_cannot_precede_filing(world):
    filed = timezone.localdate() - datetime.timedelta(days=10)
    with pytest.raises(ValidationError) as info:
        make_case(
            world,
            filed_on=filed,
            stage="concluded",
            concluded_on=filed - datetime.timedelta(days=1),
            outcome="withdrawn",
        )
    assert codes(info.value) == {"concluded_on": ["litigation.concluded_before_filed"]}


def test_co_defendants_are_kept_once_and_without_the_primary(world):
    case = make_case(
        world,
        "city_office",
        number="（2024）豫17行初40号",
        court="court",
        defendant="hrss",
        co_defendants=[world.units["a_hrss"], world.units["a_hrss"], world.units["hrss"]],
    )
    assert list(CoDefendant.objects.filter(case=case).values_list("unit", flat=True)) == [
        world.units["a_hrss"].pk
    ]
    # the co-defendant body sees the case, and may refer it for resolution
    assert AdminCase.objects.visible_to(world.users["a_hrss_liaison"]).filter(pk=case.pk).exists()


def test_mechanism_for_falls_back_to_the_nearest_joint_meeting_above(world):
    from fuyuan.testing import make_jurisdiction, make_unit

    zone = make_jurisdiction("经济开发区", "411771", "zone", world.city)
    body = make_unit("开发区管委会", zone)
    assert actions.mechanism_for(body) == world.mechanisms["city"]
    assert actions.mechanism_for(world.units["a_hrss"]) == world.mechanisms["a"]


# --- who sees it ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("b_court_staff", True),
        ("a_hrss_liaison", True),
        ("a_office", True),
        ("city_office", True),
        ("city_leader", True),
        ("b_office", False),
        ("hrss_liaison", False),
        ("court_staff", False),
        ("system_admin", False),
        ("nobody", False),
    ],
)
def test_a_case_heard_in_another_county_is_seen_by_court_body_and_offices_above(world, user, sees):
    case = make_case(world)
    assert AdminCase.objects.visible_to(world.users[user]).filter(pk=case.pk).exists() is sees


# --- correcting -------------------------------------------------------------------------------
def test_court_concludes_the_case_with_its_outcome(world):
    case = make_case(world)
    today = timezone.localdate()
    actions.update_case(
        world.users["b_court_staff"],
        case,
        expected_version=case.version,
        stage="concluded",
        concluded_on=today,
        outcome="revoked",
        outcome_note="撤销被诉工伤认定决定，责令重新作出。",
    )
    case.refresh_from_db()
    assert (case.stage, case.outcome, case.concluded_on) == ("concluded", "revoked", today)
    entry = AuditEntry.objects.get(action="litigation.case.update")
    assert entry.before["stage"] == "filed" and entry.after["stage"] == "concluded"


def test_a_stale_edit_is_refused(world):
    case = make_case(world)
    stale = case.version
    actions.update_case(world.users["a_office"], case, cause="工伤保险待遇")
    with pytest.raises(StaleObjectError):
        actions.update_case(
            world.users["b_court_staff"],
            AdminCase.objects.get(pk=case.pk),
            expected_version=stale,
            cause="行政确认",
        )


def test_the_body_and_other_courts_may_not_edit(world):
    case = make_case(world)
    for name in ("a_hrss_liaison", "b_office", "city_leader"):
        with pytest.raises(PermissionDenied):
            actions.update_case(world.users[name], case, cause="其他")


def test_the_court_cannot_move_a_case_to_a_court_it_does_not_work_for(world):
    case = make_case(world)
    with pytest.raises(PermissionDenied):
        actions.update_case(
            world.users["b_court_staff"],
            case,
            number="（2024）豫17行初35号",
            court=world.units["court"],
        )


def test_changing_the_defendant_moves_the_case_to_its_jurisdiction(world):
    case = make_case(world, "city_office", number="（2024）豫17行初41号", court="court")
    actions.update_case(world.users["city_office"], case, defendant=world.units["hrss"])
    case.refresh_from_db()
    assert case.jurisdiction == world.city and case.mechanism == world.mechanisms["city"]


def test_form_choices_reach_the_bodies_and_courts_of_the_city(world):
    courts = set(actions.court_choices(world.users["a_office"]))
    assert {world.units["b_court"], world.units["court"]} <= courts
    assert set(actions.court_choices(world.users["b_court_staff"])) == {world.units["b_court"]}
    defendants = set(actions.defendant_choices(world.users["b_court_staff"]))
    assert world.units["a_hrss"] in defendants and world.units["b_court"] not in defendants
    office = set(actions.defendant_choices(world.users["a_office"]))
    assert world.units["a_hrss"] in office and world.units["hrss"] not in office


# --- hearings ---------------------------------------------------------------------------------
def _at(days: int, hour: int = 9) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def test_announcing_a_hearing_puts_the_case_in_trial_and_tells_the_body(world):
    case = make_case(world)
    hearing = actions.add_hearing(world.users["b_court_staff"], case, _at(10), "第三审判庭")
    case.refresh_from_db()
    assert case.stage == "hearing"
    assert hearing.state == "scheduled" and hearing.place == "第三审判庭"
    assert InboxMessage.objects.filter(
        user=world.users["a_hrss_liaison"], subject__contains=case.number
    ).exists()
    assert AuditEntry.objects.filter(action="litigation.hearing.create").count() == 1


def test_hearing_checks_time(world):
    case = make_case(world)
    court = world.users["b_court_staff"]
    actions.add_hearing(court, case, _at(10))
    with pytest.raises(ValidationError) as info:
        actions.add_hearing(court, case, _at(10))
    assert codes(info.value) == {"starts_at": ["litigation.hearing_duplicate"]}
    with pytest.raises(ValidationError) as info:
        actions.add_hearing(court, case, _at(-60))
    assert codes(info.value) == {"starts_at": ["litigation.hearing_before_filing"]}


def test_only_court_and_office_announce_hearings(world):
    case = make_case(world)
    actions.add_hearing(world.users["a_office"], case, _at(12))
    with pytest.raises(PermissionDenied):
        actions.add_hearing(world.users["a_hrss_liaison"], case, _at(11))


def test_a_hearing_is_held_only_once_its_time_has_come(world):
    case = make_case(world)
    hearing = actions.add_hearing(world.users["b_court_staff"], case, _at(5))
    with pytest.raises(ValidationError) as info:
        actions.update_hearing(world.users["b_court_staff"], hearing, state="held")
    assert codes(info.value) == {"state": ["litigation.hearing_in_future"]}


def test_moving_a_hearing_resets_its_reminder_and_tells_the_body(world):
    case = make_case(world)
    hearing = actions.add_hearing(world.users["b_court_staff"], case, _at(2))
    Hearing.objects.filter(pk=hearing.pk).update(reminded_on=timezone.localdate())
    hearing.refresh_from_db()
    actions.update_hearing(
        world.users["b_court_staff"], hearing, starts_at=_at(9, 15), place="第一审判庭"
    )
    hearing.refresh_from_db()
    assert hearing.reminded_on is None and hearing.place == "第一审判庭"
    # announced, then moved
    assert InboxMessage.objects.filter(user=world.users["a_hrss_liaison"]).count() == 2
