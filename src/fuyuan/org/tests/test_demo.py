"""The demo data set: `fuyuan load_demo` loads 驻马店 as the founding notice sets it up."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from fuyuan.accounts.models import Person, PostKind, RoleAssignment, User
from fuyuan.audit.models import AuditEntry
from fuyuan.core.identifiers import parse_credit_code
from fuyuan.org import demo
from fuyuan.org.models import (
    Jurisdiction,
    Mechanism,
    MembershipChange,
    Seat,
    SeatRole,
    Unit,
    UnitKind,
)
from fuyuan.org.queries import seats_of

# The members as written in 驻政〔2022〕59号, 一(二) (copied from the notice, not from demo.py).
NOTICE_MEMBER_SENTENCE = (
    "市政府办公室、市发展和改革委员会、市工业和信息化局、市司法局、市财政局、"
    "市人力资源和社会保障局、市自然资源和规划局、市生态环境局、市住建局、市城管局、"
    "市交通运输局、市水利局、市农业农村局、市商务局、市文化广电和旅游局、市卫生健康体育委员会、"
    "市应急管理局、市审计局、市市场监管局、市医疗保障局、市林业局、市金融工作局、"
    "市政务服务和大数据管理局、市信访局、市住房公积金中心、市不动产登记中心、驻马店海关、"
    "市税务局、中国人民银行驻马店中心支行、驻马店银保监分局"
)
NOTICE_MEMBERS = NOTICE_MEMBER_SENTENCE.split("、")
REAL_OFFICIALS = ("李跃勇", "金冬江", "王钦胜", "张社军")


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded(db: None) -> str:
    return load()


def city_mechanism() -> Mechanism:
    return Mechanism.objects.get(jurisdiction__code="411700")


@pytest.mark.django_db
def test_loads_the_city_and_ten_county_level_mechanisms(loaded: str) -> None:
    mechanisms = Mechanism.objects.select_related("jurisdiction")
    assert mechanisms.count() == 11
    codes = {m.jurisdiction.code for m in mechanisms}
    assert codes == {"411700", *(row[2] for row in demo.COUNTY_LEVEL)}
    for m in mechanisms:
        assert m.task_areas.count() == 6
        assert m.list_kinds.count() == 2
        assert m.office_unit.name.endswith("司法局")
        assert m.office_unit.jurisdiction_id == m.jurisdiction_id
    zones = Jurisdiction.objects.filter(level="zone")
    assert zones.count() == 3
    assert not zones.filter(runs_own_mechanism=True).exists()
    assert zones.get(name="驻马店经济开发区").stat_code == "411771"
    city = Jurisdiction.objects.get(code="411700")
    assert city.parent is not None and city.parent.code == "410000"
    for j in Jurisdiction.objects.exclude(pk=city.parent.pk):
        assert j.path == Jurisdiction.build_path(j.parent, j.pk)


@pytest.mark.django_db
def test_city_mechanism_is_the_notice(loaded: str) -> None:
    m = city_mechanism()
    assert m.founding_document_no == "驻政〔2022〕59号"
    assert "常态化府院联动工作机制" in m.founding_document_title
    assert m.established_on.isoformat() == "2022-09-29"
    assert m.office_unit.name == "驻马店市司法局"
    conveners = [
        (s.role, s.unit.name, s.post.title) for s in seats_of(m) if s.role != SeatRole.MEMBER
    ]
    assert conveners == [
        (SeatRole.CONVENER, "驻马店市人民政府", "市长"),
        (SeatRole.EXECUTIVE_DEPUTY_CONVENER, "驻马店市人民政府", "常务副市长"),
        (SeatRole.DEPUTY_CONVENER, "驻马店市人民政府", "副市长"),
        (SeatRole.DEPUTY_CONVENER, "驻马店市中级人民法院", "院长"),
    ]
    assert all(s.post.holder_id for s in m.seats.all())


@pytest.mark.django_db
def test_city_members_follow_the_notice_in_official_order(loaded: str) -> None:
    assert demo.NOTICE_MEMBER_UNITS == NOTICE_MEMBERS
    members = [s for s in seats_of(city_mechanism()) if s.role == SeatRole.MEMBER]
    assert [s.unit.name for s in members] == demo.city_member_names()
    order_nos = [s.unit.order_no for s in members]
    assert order_nos == sorted(order_nos) == list(range(1, len(members) + 1))

    # Every unit of the notice is there, itself or through its current successor ("原…").
    notice_name = {row[2]: row[1] for row in demo.CITY_MEMBER_UNITS}
    shown = []
    for seat in members[: len(NOTICE_MEMBERS)]:
        names = [seat.unit.name, *(u.name for u in seat.unit.predecessor_chain())]
        shown.append(next(notice_name[n] for n in names if n in notice_name))
    assert shown == NOTICE_MEMBERS
    for seat in members[: len(NOTICE_MEMBERS)]:
        assert seat.post.kind == PostKind.HEAD

    court, police, joined = members[len(NOTICE_MEMBERS) :]
    assert (court.unit.name, court.post.title, court.post.kind) == (
        "驻马店市中级人民法院",
        "常务副院长",
        PostKind.EXECUTIVE_DEPUTY,
    )
    assert court.unit.court_code == "豫17"
    assert (police.unit.name, police.post.title, police.post.kind) == (
        "驻马店市公安局",
        "常务副局长",
        PostKind.EXECUTIVE_DEPUTY,
    )
    assert joined.unit.name == demo.APPROVED_JOIN.name


@pytest.mark.django_db
def test_reorganised_bodies_keep_history(loaded: str) -> None:
    old = Unit.objects.get(name="中国银行保险监督管理委员会驻马店监管分局")
    assert old.valid_to.isoformat() == "2023-11-09"
    assert old.successor.name == "国家金融监督管理总局驻马店监管分局"
    assert old.successor.valid_from.isoformat() == "2023-11-10"
    assert old.successor.order_no == old.order_no == 30
    bank = Unit.objects.get(name="中国人民银行驻马店中心支行")
    assert bank.successor.name == "中国人民银行驻马店市分行"
    current = set(Unit.objects.current().values_list("name", flat=True))
    assert old.name not in current and bank.name not in current
    assert not Seat.objects.filter(unit__in=[old, bank]).exists()


@pytest.mark.django_db
def test_county_mechanisms(loaded: str) -> None:
    for name, _short, code, level, seats, _on in demo.COUNTY_LEVEL:
        m = Mechanism.objects.get(jurisdiction__code=code)
        rows = list(seats_of(m))
        members = [s for s in rows if s.role == SeatRole.MEMBER]
        assert len(members) == seats
        assert 15 <= len(members) <= 22
        head = "区长" if level == "district" else "县长"
        conveners = [(s.role, s.post.title) for s in rows if s.role != SeatRole.MEMBER]
        assert conveners == [
            (SeatRole.CONVENER, head),
            (SeatRole.EXECUTIVE_DEPUTY_CONVENER, f"常务副{head}"),
            (SeatRole.DEPUTY_CONVENER, f"副{head}"),
            (SeatRole.DEPUTY_CONVENER, "院长"),
        ]
        court = rows[3].unit
        assert court.kind == UnitKind.COURT
        assert court.court_code == f"豫{code[2:]}"
        assert court.jurisdiction.name == name
        assert [s.post.title for s in members[-2:]] == ["常务副院长", "常务副局长"]
        assert m.office_unit.name == f"{name}司法局"
    courts = Unit.objects.filter(kind=UnitKind.COURT).order_by("court_code")
    assert list(courts.values_list("court_code", flat=True)) == [
        "豫17",
        "豫1702",
        *(f"豫{c}" for c in range(1721, 1730)),
    ]
    assert courts.get(court_code="豫1702").name == "驻马店市驿城区人民法院"


@pytest.mark.django_db
def test_every_member_seat_has_a_liaison_officer(loaded: str) -> None:
    members = Seat.objects.filter(role=SeatRole.MEMBER).select_related(
        "liaison_post__holder", "unit"
    )
    assert members.count() > 200
    for seat in members:
        liaison = seat.liaison_post
        assert liaison is not None, seat
        assert liaison.kind == PostKind.LIAISON and liaison.title == "联络员"
        assert liaison.unit_id == seat.unit_id
        assert liaison.holder is not None
        assert liaison.holder.phone.startswith("1") and len(liaison.holder.phone) == 11
        assert liaison.holder.office_phone.startswith("0396-")


@pytest.mark.django_db
def test_no_real_official_is_a_demo_person(loaded: str) -> None:
    names = list(Person.objects.values_list("name", flat=True))
    assert len(names) > 300
    for name in names:
        assert not any(real in name for real in REAL_OFFICIALS), name
    assert len(set(names)) == len(names)


@pytest.mark.django_db
def test_credit_codes_pass_their_checks(loaded: str) -> None:
    units = Unit.objects.exclude(credit_code="")
    assert units.count() > 100
    for unit in units:
        parsed = parse_credit_code(unit.credit_code)
        assert parsed.check_ok or unit.credit_code_override, unit.name
        assert parsed.is_government_body
        assert parsed.division_code == unit.jurisdiction.code
    assert Unit.objects.get(name="驻马店市司法局").credit_code.startswith("11411700")


@pytest.mark.django_db
def test_membership_history(loaded: str) -> None:
    approved = MembershipChange.objects.get(state="approved")
    assert approved.unit.name == demo.APPROVED_JOIN.name
    assert approved.decided_by.username == "leader"
    assert approved.decision_comment
    assert Seat.objects.filter(unit=approved.unit, mechanism=approved.mechanism).exists()
    pending = MembershipChange.objects.get(state="proposed")
    assert pending.unit.name == demo.PENDING_JOIN.name
    assert pending.proposed_by.username == "office"
    assert not Seat.objects.filter(unit=pending.unit).exists()


@pytest.mark.django_db
def test_demo_accounts_sign_in_with_the_demo_password(loaded: str) -> None:
    for username, *_ in demo.DEMO_ACCOUNTS:
        assert username in loaded
    request = RequestFactory().post("/accounts/login/")
    for username, role, _code, unit_name, held, _display in demo.DEMO_ACCOUNTS:
        user = authenticate(request, username=username, password=demo.PASSWORD)
        assert user is not None, username
        assert user.password_changed_at is not None
        assert user.roles() == {role}
        assignment = RoleAssignment.objects.get(user=user)
        assert assignment.valid_from.isoformat() == "2022-10-12"
        if unit_name:
            assert assignment.unit.name == unit_name
        if held:
            assert user.person is not None
            assert user.display_name == user.person.name
            assert user.person.posts.filter(unit__name=held[0], title=held[1]).exists()
        else:
            assert user.person is None
    liaison = User.objects.get(username="liaison")
    assert liaison.person.posts.get().kind == PostKind.LIAISON
    assert RoleAssignment.objects.get(user__username="county").jurisdiction.code == "411721"


@pytest.mark.django_db
def test_one_audit_entry_for_the_batch(loaded: str) -> None:
    entry = AuditEntry.objects.get(action="org.demo.load")
    assert entry.object_kind == "org.demo"
    assert entry.detail["mechanisms"] == 11
    assert entry.detail["users"] == len(demo.DEMO_ACCOUNTS)


@pytest.mark.django_db
def test_if_empty_runs_once() -> None:
    load("--if-empty")
    counts = (Jurisdiction.objects.count(), Unit.objects.count(), Person.objects.count())
    out = load("--if-empty")
    assert "not loaded" in out
    assert (Jurisdiction.objects.count(), Unit.objects.count(), Person.objects.count()) == counts
    assert User.objects.count() == len(demo.DEMO_ACCOUNTS)
    assert AuditEntry.objects.filter(action="org.demo.load").count() == 1
    with pytest.raises(CommandError):
        load()
