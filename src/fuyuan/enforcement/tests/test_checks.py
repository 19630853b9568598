"""List checks (联合惩戒) and feedback (触发反馈): matching rules, scenario measures, feedback and
its rate, urging, batch files and the set operation's query count (check_actions)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from stdnum.cn import uscc

from fuyuan.audit.models import AuditEntry
from fuyuan.core import calendar
from fuyuan.core.identifiers import organisation_code_check, resident_id_check_char
from fuyuan.enforcement import check_actions as actions
from fuyuan.enforcement import measures
from fuyuan.enforcement.models import (
    Check,
    CheckHit,
    DebtorRecord,
    DebtorState,
    FeedbackAction,
    HitState,
    IdType,
    MatchKind,
    PartyKind,
    RemovalReason,
    Scenario,
)
from fuyuan.notify.models import OutboxMessage
from fuyuan.testing import World

pytestmark = pytest.mark.django_db


# --- builders -----------------------------------------------------------------------------------
def person_id(seq: int, division: str = "411721", birth: str = "19800101") -> str:
    first17 = f"{division}{birth}{seq % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(seq: int) -> str:
    body = f"{seq % 100000000:08d}"
    org = body + organisation_code_check(body)
    first17 = f"91411700{org}"
    return first17 + uscc.calc_check_digit(first17)


_ROW = iter(range(1, 10**9))


def entry(
    name: str,
    id_number: str = "",
    *,
    kind: str = PartyKind.PERSON,
    id_type: str = IdType.RESIDENT_ID,
    state: str = DebtorState.ACTIVE,
    masked: bool = False,
) -> DebtorRecord:
    n = next(_ROW)
    return DebtorRecord.objects.create(
        name=name,
        party_kind=kind,
        id_type=id_type,
        id_number=id_number,
        id_masked=masked,
        id_display=actions.mask(id_number, id_type),
        court_name="驻马店市驿城区人民法院",
        basis_number=f"（2024）豫1702民初{n}号",
        case_number=f"（2025）豫1702执{n}号",
        state=state,
        removal_reason=RemovalReason.PERFORMED if state == DebtorState.REMOVED else "",
        row_key=f"row-{n}",
    )


def check(w: World, parties: list[tuple[str, str]], scenario: str = Scenario.PROCUREMENT) -> Check:
    return actions.run_check(
        w.users["hrss_liaison"], unit=w.units["hrss"], scenario=scenario, parties=parties
    )


def hits_of(c: Check) -> list[CheckHit]:
    return list(c.matches.order_by("row_number", "pk"))


# --- matching -----------------------------------------------------------------------------------
def test_a_party_with_the_identifier_and_name_of_an_active_entry_is_a_hit(world: World) -> None:
    e = entry("王建国", person_id(1))
    c = check(world, [("王建国", person_id(1)), ("李秀兰", person_id(2))])
    [hit] = hits_of(c)
    assert (hit.debtor_id, hit.match, hit.state) == (e.pk, MatchKind.IDENTIFIER, HitState.HIT)
    assert hit.counts_as_hit and hit.row_number == 1
    assert (c.parties, c.hits, c.to_confirm) == (2, 1, 0)


def test_spaces_lower_case_and_full_width_forms_do_not_hide_a_hit(world: World) -> None:
    number = person_id(7)
    entry("王建国", number)
    typed = " ".join(number[:6]) + "　" + number[6:].lower()
    [hit] = hits_of(check(world, [("王 建国", typed)]))
    assert hit.state == HitState.HIT


def test_an_organisation_hits_by_its_code_alone_even_under_another_name(world: World) -> None:
    code = credit_code(3)
    entry("驻马店市宏远建材有限公司", code, kind=PartyKind.ORGANISATION, id_type=IdType.CREDIT_CODE)
    [hit] = hits_of(check(world, [("驻马店宏远新型建材有限公司", code)]))
    assert (hit.match, hit.state) == (MatchKind.IDENTIFIER, HitState.HIT)


def test_a_credit_code_hits_an_entry_published_under_its_organisation_code(world: World) -> None:
    code = credit_code(4)
    entry(
        "西平县恒达商贸有限公司",
        code[8:17],
        kind=PartyKind.ORGANISATION,
        id_type=IdType.ORGANISATION_CODE,
    )
    [hit] = hits_of(check(world, [("西平县恒达商贸有限公司", code)]))
    assert hit.state == HitState.HIT


def test_a_person_with_the_same_identifier_but_another_name_needs_confirmation(
    world: World,
) -> None:
    entry("王建国", person_id(5))
    [hit] = hits_of(check(world, [("王建军", person_id(5))]))
    assert (hit.match, hit.state) == (MatchKind.IDENTIFIER, HitState.NEEDS_CONFIRMATION)
    assert not hit.counts_as_hit


def test_a_removed_entry_never_hits(world: World) -> None:
    entry("王建国", person_id(1), state=DebtorState.REMOVED)
    c = check(world, [("王建国", person_id(1)), ("王建国", "")])
    assert hits_of(c) == [] and c.hits == 0 and c.to_confirm == 0


def test_an_entry_held_to_confirm_never_hits(world: World) -> None:
    entry("王建国", person_id(1), state=DebtorState.TO_CONFIRM)
    c = check(world, [("王建国", person_id(1))])
    assert hits_of(c) == [] and c.hits == 0


def test_a_name_alone_needs_confirmation_never_a_hit(world: World) -> None:
    e = entry("刘桂芳", person_id(9))
    c = check(world, [("刘桂芳", "")])
    [hit] = hits_of(c)
    assert (hit.debtor_id, hit.match, hit.state) == (
        e.pk,
        MatchKind.NAME_ONLY,
        HitState.NEEDS_CONFIRMATION,
    )
    assert (c.hits, c.to_confirm) == (0, 1)


def test_a_masked_list_identifier_with_agreeing_visible_parts_needs_confirmation(
    world: World,
) -> None:
    full = person_id(11)
    published = full[:6] + "*" * 8 + full[-4:]
    entry("张卫东", published, masked=True)
    [hit] = hits_of(check(world, [("张卫东", full)]))
    assert (hit.match, hit.state) == (MatchKind.MASKED, HitState.NEEDS_CONFIRMATION)


def test_a_masked_list_identifier_with_other_visible_parts_is_no_match(world: World) -> None:
    full = person_id(11)
    entry("张卫东", "411702********" + full[-4:], masked=True)
    assert hits_of(check(world, [("张卫东", full)])) == []


def test_a_party_typed_masked_is_at_most_needs_confirmation(world: World) -> None:
    full = person_id(12)
    entry("赵红梅", full)
    [hit] = hits_of(check(world, [("赵红梅", full[:6] + "********" + full[-4:])]))
    assert (hit.match, hit.state) == (MatchKind.MASKED, HitState.NEEDS_CONFIRMATION)


def test_same_name_with_a_different_clear_identifier_is_another_party(world: World) -> None:
    entry("张伟", person_id(13))
    assert hits_of(check(world, [("张伟", person_id(14))])) == []


def test_visible_parts_comparison() -> None:
    assert actions.visible_parts_agree("411721198001010012", "411721********0012")
    assert not actions.visible_parts_agree("411721198001010012", "411721********0013")
    assert actions.visible_parts_agree("411721****0012", "411721198001010012")
    assert not actions.visible_parts_agree("41****", "41**")


def test_a_check_is_one_audit_entry(world: World) -> None:
    entry("王建国", person_id(1))
    before = AuditEntry.objects.count()
    c = check(world, [("王建国", person_id(1)), ("李四", ""), ("王五", person_id(3))])
    entries = AuditEntry.objects.order_by("seq")[before:]
    assert [e.action for e in entries] == ["enforcement.check.run"]
    assert (entries[0].detail or {})["parties"] == 3 and entries[0].object_id == str(c.pk)


def test_only_the_department_or_its_office_runs_checks(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.run_check(
            world.users["housing_liaison"],
            unit=world.units["hrss"],
            scenario=Scenario.PROCUREMENT,
            parties=[("王建国", "")],
        )
    with pytest.raises(PermissionDenied):
        actions.run_check(
            world.users["city_office"],
            unit=world.units["hrss"],
            scenario=Scenario.PROCUREMENT,
            parties=[("王建国", "")],
        )
    c = actions.run_check(
        world.users["city_office"],
        unit=world.units["city_office"],
        scenario=Scenario.HONOURS,
        parties=[("王建国", "")],
    )
    assert c.unit == world.units["city_office"]
    assert set(actions.check_units(world.users["city_office"])) == {world.units["city_office"]}
    assert set(actions.check_units(world.users["hrss_liaison"])) == {world.units["hrss"]}
    assert not actions.check_units(world.users["court_staff"]).exists()


def test_an_empty_check_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        check(world, [])
    assert refused.value.error_list[0].code == "enforcement.no_parties"


# --- measures ------------------------------------------------------------------------------------
def test_each_scenario_lists_its_own_measures_with_their_basis() -> None:
    procurement = measures.measures_for(Scenario.PROCUREMENT)
    honours = measures.measures_for(Scenario.HONOURS)
    assert {m.key for m in procurement}.isdisjoint({m.key for m in honours})
    assert any("政府采购" in m.text for m in procurement)
    assert any("财库〔2016〕125号" in m.basis_text for m in procurement)
    assert any("文明" in m.text for m in honours)
    assert all(m.category == measures.MeasureCategory.HONOURS for m in honours)
    assert any("法〔2016〕285号" in m.basis_text for m in measures.measures_for(Scenario.TENDER))
    for scenario in Scenario.values:
        assert measures.measures_for(scenario), scenario
        assert all(m.basis for m in measures.measures_for(scenario))


# --- confirmation and feedback ------------------------------------------------------------------
def test_confirming_a_match_makes_it_a_hit_and_not_same_closes_it(world: World) -> None:
    entry("刘桂芳", person_id(9))
    entry("刘桂芳", person_id(19))
    c = check(world, [("刘桂芳", "")])
    first, second = hits_of(c)
    liaison = world.users["hrss_liaison"]
    actions.confirm_match(liaison, first, True)
    with pytest.raises(ValidationError) as refused:
        actions.confirm_match(liaison, second, False, "")
    assert refused.value.error_dict["note"][0].code == "enforcement.reason_required"
    actions.confirm_match(liaison, second, False, "身份证号码不同")
    c.refresh_from_db()
    assert (c.hits, c.to_confirm) == (1, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (HitState.CONFIRMED_HIT, HitState.NOT_SAME)
    with pytest.raises(ValidationError) as again:
        actions.confirm_match(liaison, first, True)
    assert again.value.error_list[0].code == "enforcement.not_to_confirm"
    with pytest.raises(PermissionDenied):
        actions.confirm_match(world.users["city_office"], second, True)


def test_feedback_with_a_measure_of_the_scenario_is_recorded(world: World) -> None:
    entry("王建国", person_id(1))
    [hit] = hits_of(check(world, [("王建国", person_id(1))]))
    liaison = world.users["hrss_liaison"]
    with pytest.raises(ValidationError) as wrong:
        actions.give_feedback(
            liaison, hit, action=FeedbackAction.APPLIED, measure="honours.civility"
        )
    assert wrong.value.error_dict["measure"][0].code == "enforcement.measure_unknown"
    with pytest.raises(ValidationError) as missing:
        actions.give_feedback(liaison, hit, action=FeedbackAction.APPLIED)
    assert missing.value.error_dict["measure"][0].code == "enforcement.measure_required"
    actions.give_feedback(
        liaison,
        hit,
        action=FeedbackAction.APPLIED,
        measure="procurement.supplier",
        note="已取消其投标资格",
    )
    hit.refresh_from_db()
    assert (hit.feedback, hit.measure, hit.fed_back_by) == (
        FeedbackAction.APPLIED,
        "procurement.supplier",
        liaison,
    )
    assert AuditEntry.objects.filter(action="enforcement.check.feedback").count() == 1


def test_not_applicable_without_a_reason_is_refused(world: World) -> None:
    entry("王建国", person_id(1))
    [hit] = hits_of(check(world, [("王建国", person_id(1))]))
    with pytest.raises(ValidationError) as refused:
        actions.give_feedback(
            world.users["hrss_liaison"], hit, action=FeedbackAction.NOT_APPLICABLE, note="  "
        )
    assert refused.value.error_dict["note"][0].code == "enforcement.reason_required"
    actions.give_feedback(
        world.users["hrss_liaison"],
        hit,
        action=FeedbackAction.NOT_APPLICABLE,
        note="该供应商已退出本次采购",
    )
    hit.refresh_from_db()
    assert hit.feedback == FeedbackAction.NOT_APPLICABLE and hit.measure == ""


def test_feedback_on_a_match_still_to_confirm_is_refused(world: World) -> None:
    entry("刘桂芳", person_id(9))
    [hit] = hits_of(check(world, [("刘桂芳", "")]))
    with pytest.raises(ValidationError) as refused:
        actions.give_feedback(
            world.users["hrss_liaison"], hit, action=FeedbackAction.NOT_APPLICABLE, note="x"
        )
    assert refused.value.error_list[0].code == "enforcement.feedback_not_hit"


def test_feedback_rate_per_department_on_a_known_set(world: World) -> None:
    for i in range(4):
        entry(f"失信人{i}", person_id(100 + i))
    c = check(world, [(f"失信人{i}", person_id(100 + i)) for i in range(4)])
    h = hits_of(c)
    liaison = world.users["hrss_liaison"]
    actions.give_feedback(
        liaison, h[0], action=FeedbackAction.APPLIED, measure="procurement.supplier"
    )
    actions.give_feedback(liaison, h[1], action=FeedbackAction.NOT_APPLICABLE, note="非本单位业务")
    actions.give_feedback(liaison, h[2], action=FeedbackAction.APPLIED, measure="procurement.award")
    # A department with checks but no hit: rate None, not 0 or 100.
    actions.run_check(
        world.users["housing_liaison"],
        unit=world.units["housing"],
        scenario=Scenario.MARKET_ENTRY,
        parties=[("无关企业", credit_code(77))],
    )
    rows = {r.unit.pk: r for r in actions.feedback_figures(Check.objects.all())}
    hrss, housing = rows[world.units["hrss"].pk], rows[world.units["housing"].pk]
    assert (hrss.checks, hrss.parties, hrss.hits, hrss.answered, hrss.unanswered) == (1, 4, 4, 3, 1)
    assert hrss.feedback_rate == Decimal("75.0")
    assert (housing.hits, housing.feedback_rate) == (0, None)
    totals = actions.total_figures(rows.values())
    assert totals["feedback_rate"] == Decimal("75.0") and totals["parties"] == 5
    # Units as the source, and a period without checks.
    by_units = actions.feedback_figures(world.units["hrss"].__class__.objects.all())
    assert {r.unit.pk for r in by_units} == set(rows)
    assert (
        actions.feedback_figures(
            Check.objects.all(), (datetime.date(2001, 1, 1), datetime.date(2001, 12, 31))
        )
        == []
    )


# --- urging -------------------------------------------------------------------------------------
def test_unanswered_hits_are_urged_once_a_week_per_check(world: World) -> None:
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        calendar.seed_year(year)
    entry("王建国", person_id(1))
    entry("李秀兰", person_id(2))
    c = check(world, [("王建国", person_id(1)), ("李秀兰", person_id(2))])
    # Within 5 working days: nothing.
    assert actions.urge_unanswered_hits(calendar.add_working_days(today, 4)) == 0
    due = calendar.add_working_days(today, 6)
    assert actions.urge_unanswered_hits(due) == 1
    sent = OutboxMessage.objects.filter(ref_kind="enforcement.check", ref_id=c.pk)
    assert {m.recipient for m in sent} == {world.users["hrss_liaison"]}
    count = sent.count()
    assert actions.urge_unanswered_hits(due) == 0  # same day again
    assert actions.urge_unanswered_hits(due + datetime.timedelta(days=3)) == 0  # same week
    assert sent.count() == count
    assert actions.urge_unanswered_hits(due + datetime.timedelta(days=7)) == 1  # a week on
    for hit in hits_of(c):
        actions.give_feedback(
            world.users["hrss_liaison"], hit, action=FeedbackAction.NOT_APPLICABLE, note="已核实"
        )
    assert actions.urge_unanswered_hits(due + datetime.timedelta(days=14)) == 0


def test_urging_without_a_calendar_year_urges_nothing(world: World) -> None:
    entry("王建国", person_id(1))
    check(world, [("王建国", person_id(1))])
    assert actions.urge_unanswered_hits(datetime.date(2091, 6, 1)) == 0


# --- batches ------------------------------------------------------------------------------------
def _csv(rows: list[tuple[str, str]], encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    text = "名称,证件号码\n" + "".join(f"{a},{b}\n" for a, b in rows)
    return SimpleUploadedFile("batch.csv", text.encode(encoding), content_type="text/csv")


def test_a_batch_file_is_read_with_its_row_errors(world: World) -> None:
    upload = _csv(
        [
            ("王建国", person_id(1)),
            ("", person_id(2)),
            ("李秀兰", "12345"),
            ("驻马店市宏远建材有限公司", credit_code(3)),
            ("赵红梅", ""),
        ],
        encoding="gb18030",
    )
    batch = actions.parse_batch(upload)
    assert [p[0] for p in batch.parties] == ["王建国", "驻马店市宏远建材有限公司", "赵红梅"]
    assert [p[2] for p in batch.parties] == [2, 5, 6]
    assert (batch.errors[0].row, batch.errors[0].code) == (3, "enforcement.name_required")
    assert batch.errors[1].row == 4


def test_a_batch_xlsx_is_read(world: World) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "统一社会信用代码"])
    sheet.append(["王建国", person_id(1)])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("batch.xlsx", buffer.getvalue())
    [(name, number, row, parsed)] = actions.parse_batch(upload).parties
    assert (name, number, row, parsed.value) == ("王建国", person_id(1), 2, person_id(1))


def test_a_batch_without_a_name_column_is_refused(world: World) -> None:
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n")
    with pytest.raises(ValidationError) as refused:
        actions.parse_batch(upload)
    assert refused.value.error_dict["file"][0].code == "enforcement.batch_columns"


def _batch(n: int) -> list[tuple[str, str]]:
    parties: list[tuple[str, str]] = []
    for i in range(n):
        if i % 3 == 0:
            parties.append((f"企业{i}有限公司", credit_code(5000 + i)))
        elif i % 3 == 1:
            parties.append((f"人员{i}", person_id(i, birth="19900101" if i < 1000 else "19910101")))
        else:
            parties.append((f"名称{i}", ""))
    return parties


def test_a_batch_runs_in_a_number_of_queries_that_does_not_depend_on_its_size(
    world: World,
) -> None:
    parties_2000 = _batch(2000)
    for i in range(0, 2000, 50):  # 40 entries, some hits, some name-only, some removed
        name, number = parties_2000[i]
        entry(
            name,
            number,
            kind=PartyKind.ORGANISATION if i % 3 == 0 else PartyKind.PERSON,
            id_type=IdType.CREDIT_CODE if i % 3 == 0 else IdType.RESIDENT_ID,
            state=DebtorState.REMOVED if i % 200 == 0 else DebtorState.ACTIVE,
        )
    check(world, parties_2000[:1])  # the actor's scope is computed once per request/day
    counts: dict[int, int] = {}
    for size in (200, 2000):
        with CaptureQueriesContext(connection) as ctx:
            c = check(world, parties_2000[:size])
        counts[size] = len(ctx.captured_queries)
        assert c.parties == size
    assert counts[2000] == counts[200]
    assert counts[2000] <= 25
    c.refresh_from_db()
    assert c.hits + c.to_confirm == 40 - 10  # removed entries never match


def test_parse_identifier_refuses_a_structural_error() -> None:
    from fuyuan.core.identifiers import IdentifierError

    with pytest.raises(IdentifierError):
        actions.parse_identifier("12345")
    assert actions.parse_identifier("411721********0012").masked
    assert actions.parse_identifier("").value == ""


# --- demo ---------------------------------------------------------------------------------------
def test_the_demo_runs_checks_with_feedback_on_most_hits_and_some_unanswered() -> None:
    from django.core.management import call_command

    from fuyuan.demo import enforcement_checks, enforcement_debtors

    call_command("load_demo", stdout=io.StringIO())
    today = timezone.localdate()
    enforcement_debtors.load(today)
    before = AuditEntry.objects.count()
    counts = enforcement_checks.load(today)
    assert counts["checks"] == len(enforcement_checks.PLANS)
    assert counts["check_parties"] > 2000
    assert counts["check_hits"] >= 20
    assert 0 < counts["check_hits_unanswered"] < counts["check_hits_answered"]
    assert counts["check_matches_confirmed"] > 0
    actions_written = set(
        AuditEntry.objects.order_by("seq")[before:].values_list("action", flat=True)
    )
    assert "enforcement.check.run" in actions_written
    assert "enforcement.demo.checks" in actions_written
    rows = actions.feedback_figures(Check.objects.all())
    assert any(r.feedback_rate is not None and r.feedback_rate < 100 for r in rows)
    # Removed and held entries never matched.
    assert not CheckHit.objects.exclude(debtor__state=DebtorState.ACTIVE).exists()
