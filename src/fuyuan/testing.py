"""Test builders shared by every app's tests: a small city with two counties, units, posts,
a mechanism and users of every role. Direct model writes here are test set-up, not domain
writes (the domain's own writes are tested through actions)."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_tasks import task as _task

from fuyuan.accounts.models import Person, Post, PostKind, Role, RoleAssignment, User
from fuyuan.org.models import (
    Jurisdiction,
    JurisdictionLevel,
    Mechanism,
    Seat,
    SeatRole,
    Unit,
    UnitKind,
)

PASSWORD = "Test-pass-2026!"


def make_jurisdiction(
    name: str, code: str, level: str, parent: Jurisdiction | None = None
) -> Jurisdiction:
    j = Jurisdiction(name=name, code=code, level=level, parent=parent, path=f"tmp-{code}-{name}")
    j.save()
    j.path = Jurisdiction.build_path(parent, j.pk)
    j.save(update_fields=["path"])
    return j


def make_unit(
    name: str,
    jurisdiction: Jurisdiction,
    kind: str = UnitKind.DEPARTMENT,
    order_no: int = 10,
    **extra: Any,
) -> Unit:
    unit = Unit(
        name=name, short_name=name, kind=kind, jurisdiction=jurisdiction, order_no=order_no, **extra
    )
    unit.save()
    return unit


@functools.cache
def _password_hash() -> str:
    # Argon2 is deliberately slow; hash the shared test password once per process.
    return make_password(PASSWORD)


def make_user(
    username: str,
    role: str | None = None,
    *,
    jurisdiction: Jurisdiction | None = None,
    unit: Unit | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> User:
    user = User(username=username, display_name=username, password=_password_hash())
    user.password_changed_at = timezone.now()
    user.save()
    if role:
        RoleAssignment.objects.create(
            user=user,
            role=role,
            jurisdiction=jurisdiction or (unit.jurisdiction if unit else None),
            unit=unit,
            valid_from=valid_from or timezone.localdate() - datetime.timedelta(days=30),
            valid_to=valid_to,
        )
    return user


@dataclass
class World:
    city: Jurisdiction
    county_a: Jurisdiction
    county_b: Jurisdiction
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    mechanisms: dict[str, Mechanism] = field(default_factory=dict)


def build_world() -> World:
    """驻马店-like: the city, 西平县 (a) and 上蔡县 (b); city and county offices, two city
    departments (人社局, 住建局), the intermediate court, 上蔡县's basic court, a county
    department, and one reorganised body (银保监分局 → 金融监管分局)."""
    province = make_jurisdiction("河南省", "410000", JurisdictionLevel.PROVINCE)
    city = make_jurisdiction("驻马店市", "411700", JurisdictionLevel.CITY, province)
    county_a = make_jurisdiction("西平县", "411721", JurisdictionLevel.COUNTY, city)
    county_b = make_jurisdiction("上蔡县", "411722", JurisdictionLevel.COUNTY, city)
    w = World(city=city, county_a=county_a, county_b=county_b)
    u = w.units
    u["city_gov"] = make_unit("驻马店市人民政府", city, UnitKind.GOVERNMENT, 1)
    u["city_office"] = make_unit("驻马店市司法局", city, UnitKind.DEPARTMENT, 5)
    u["hrss"] = make_unit("驻马店市人力资源和社会保障局", city, UnitKind.DEPARTMENT, 6)
    u["housing"] = make_unit("驻马店市住房和城乡建设局", city, UnitKind.DEPARTMENT, 9)
    u["court"] = make_unit("驻马店市中级人民法院", city, UnitKind.COURT, 40, court_code="豫17")
    u["new_regulator"] = make_unit(
        "国家金融监督管理总局驻马店监管分局",
        city,
        UnitKind.FINANCIAL_REGULATOR,
        33,
        valid_from=datetime.date(2023, 11, 1),
    )
    u["old_regulator"] = make_unit(
        "驻马店银保监分局",
        city,
        UnitKind.FINANCIAL_REGULATOR,
        33,
        valid_to=datetime.date(2023, 10, 31),
        successor=u["new_regulator"],
    )
    u["a_gov"] = make_unit("西平县人民政府", county_a, UnitKind.GOVERNMENT, 1)
    u["a_office"] = make_unit("西平县司法局", county_a, UnitKind.DEPARTMENT, 5)
    u["a_hrss"] = make_unit("西平县人力资源和社会保障局", county_a, UnitKind.DEPARTMENT, 6)
    u["b_gov"] = make_unit("上蔡县人民政府", county_b, UnitKind.GOVERNMENT, 1)
    u["b_office"] = make_unit("上蔡县司法局", county_b, UnitKind.DEPARTMENT, 5)
    # A basic court: administrative cases of county a's bodies are heard here (相对集中管辖).
    u["b_court"] = make_unit("上蔡县人民法院", county_b, UnitKind.COURT, 40, court_code="豫1722")
    for key, jur, gov, office in (
        ("city", city, "city_gov", "city_office"),
        ("a", county_a, "a_gov", "a_office"),
        ("b", county_b, "b_gov", "b_office"),
    ):
        m = Mechanism.objects.create(
            jurisdiction=jur, name=f"{jur.name}府院联动联席会议", office_unit=u[office]
        )
        w.mechanisms[key] = m
        head = Post.objects.create(
            unit=u[gov],
            title="市长" if key == "city" else "县长",
            kind=PostKind.HEAD,
            holder=Person.objects.create(name=f"{key}召集人"),
        )
        Seat.objects.create(mechanism=m, role=SeatRole.CONVENER, unit=u[gov], post=head, order=0)
        office_head = Post.objects.create(unit=u[office], title="局长", kind=PostKind.HEAD)
        Seat.objects.create(
            mechanism=m, role=SeatRole.MEMBER, unit=u[office], post=office_head, order=3
        )
    for key in ("hrss", "housing", "court", "new_regulator"):
        post = Post.objects.create(unit=u[key], title="局长", kind=PostKind.HEAD)
        liaison = Post.objects.create(
            unit=u[key],
            title="联络员",
            kind=PostKind.LIAISON,
            holder=Person.objects.create(name=f"{key}联络员", phone="13800001234"),
        )
        Seat.objects.create(
            mechanism=w.mechanisms["city"],
            role=SeatRole.MEMBER,
            unit=u[key],
            post=post,
            liaison_post=liaison,
            order=3,
        )
    us = w.users
    us["city_office"] = make_user("city_office", Role.OFFICE, jurisdiction=city)
    us["city_leader"] = make_user("city_leader", Role.LEADER, jurisdiction=city)
    us["a_office"] = make_user("a_office", Role.OFFICE, jurisdiction=county_a)
    us["b_office"] = make_user("b_office", Role.OFFICE, jurisdiction=county_b)
    us["hrss_liaison"] = make_user("hrss_liaison", Role.LIAISON, unit=u["hrss"])
    us["housing_liaison"] = make_user("housing_liaison", Role.LIAISON, unit=u["housing"])
    us["regulator_liaison"] = make_user("regulator_liaison", Role.LIAISON, unit=u["new_regulator"])
    us["court_staff"] = make_user("court_staff", Role.COURT, unit=u["court"])
    us["b_court_staff"] = make_user("b_court_staff", Role.COURT, unit=u["b_court"])
    us["a_hrss_liaison"] = make_user("a_hrss_liaison", Role.LIAISON, unit=u["a_hrss"])
    us["system_admin"] = make_user("system_admin", Role.SYSTEM_ADMIN)
    us["security_admin"] = make_user("security_admin", Role.SECURITY_ADMIN)
    us["audit_admin"] = make_user("audit_admin", Role.AUDIT_ADMIN)
    us["nobody"] = make_user("nobody")
    return w


def make_matter(
    world: World,
    *,
    mechanism: str = "city",
    lead: str = "hrss",
    title: str = "推进行政机关负责人出庭应诉",
    start: datetime.date | None = None,
    deadline: datetime.date | None = None,
    state: str | None = None,
    **fields: Any,
) -> Any:
    """A matter registered by the office of `mechanism` (city, a or b) through the action,
    with a fixed-date deadline; `state="assigned"` etc. takes the office's transitions."""
    from fuyuan.matters import actions

    office = {"city": "city_office", "a": "a_office", "b": "b_office"}[mechanism]
    start = start or timezone.localdate()
    matter = actions.create_matter(
        world.users[office],
        mechanism=world.mechanisms[mechanism],
        title=title,
        lead_unit=world.units[lead],
        start_date=start,
        deadline=deadline or start + datetime.timedelta(days=30),
        **fields,
    )
    if state == "assigned":
        actions.transition(world.users[office], matter, "assign")
    return matter


@_task()
def nap_once(flag_path: str) -> str:
    """A task for the killed-worker test: the first run leaves a flag and sleeps (so the test
    can kill its worker mid-task); any later run finds the flag and returns at once."""
    import pathlib
    import time

    flag = pathlib.Path(flag_path)
    if not flag.exists():
        flag.write_text("started")
        time.sleep(120)
    return "done"
