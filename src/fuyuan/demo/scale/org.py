"""The organisation of the scale data set: the province, the city and its ten county-level
jurisdictions, each with its joint meeting (mechanism), office unit, government, court and
departments; posts held by invented people; one login per unit (its liaison officer) plus
office staff, leaders, court staff and the fixed benchmark accounts."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password

from fuyuan.accounts.models import (
    Gender,
    Person,
    Post,
    PostKind,
    Role,
    RoleAssignment,
    User,
    normalize_phone,
)
from fuyuan.core import crypto
from fuyuan.org import demo as org_demo
from fuyuan.org.models import (
    Jurisdiction,
    JurisdictionLevel,
    Mechanism,
    Seat,
    SeatRole,
    TaskArea,
    Unit,
    UnitKind,
)
from fuyuan.org.settings_schema import DEFAULT_TASK_AREAS, MechanismSettings

from .common import DAY, Ctx, Ids, TableWriter, Zipf, at

PASSWORD = "Fuyuan@2026"
CITY_CODE = "411700"
BENCH_COUNTY_CODE = "411721"  # 西平县: the county of bench_county_office
MIN_UNITS_PER_JURISDICTION = 4  # government, office (司法局), court, one department

# (name after the jurisdiction's, short name, kind, title of the head's post)
DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("人力资源和社会保障局", "人社局", UnitKind.DEPARTMENT, "局长"),
    ("自然资源和规划局", "自然资源规划局", UnitKind.DEPARTMENT, "局长"),
    ("住房和城乡建设局", "住建局", UnitKind.DEPARTMENT, "局长"),
    ("市场监督管理局", "市场监管局", UnitKind.DEPARTMENT, "局长"),
    ("公安局", "公安局", UnitKind.PUBLIC_SECURITY, "局长"),
    ("财政局", "财政局", UnitKind.DEPARTMENT, "局长"),
    ("人民政府办公室", "政府办公室", UnitKind.DEPARTMENT, "主任"),
    ("生态环境局", "生态环境局", UnitKind.DEPARTMENT, "局长"),
    ("城市管理局", "城管局", UnitKind.DEPARTMENT, "局长"),
    ("发展和改革委员会", "发展改革委", UnitKind.DEPARTMENT, "主任"),
    ("交通运输局", "交通运输局", UnitKind.DEPARTMENT, "局长"),
    ("工业和信息化局", "工信局", UnitKind.DEPARTMENT, "局长"),
    ("农业农村局", "农业农村局", UnitKind.DEPARTMENT, "局长"),
    ("不动产登记中心", "不动产登记中心", UnitKind.DEPARTMENT, "主任"),
    ("医疗保障局", "医保局", UnitKind.DEPARTMENT, "局长"),
    ("税务局", "税务局", UnitKind.VERTICAL, "局长"),
    ("信访局", "信访局", UnitKind.DEPARTMENT, "局长"),
    ("应急管理局", "应急局", UnitKind.DEPARTMENT, "局长"),
    ("卫生健康委员会", "卫健委", UnitKind.DEPARTMENT, "主任"),
    ("水利局", "水利局", UnitKind.DEPARTMENT, "局长"),
    ("商务局", "商务局", UnitKind.DEPARTMENT, "局长"),
    ("审计局", "审计局", UnitKind.DEPARTMENT, "局长"),
    ("金融工作局", "金融工作局", UnitKind.DEPARTMENT, "局长"),
    ("人民检察院", "检察院", UnitKind.PROCURATORATE, "检察长"),
    ("教育局", "教育局", UnitKind.DEPARTMENT, "局长"),
    ("民政局", "民政局", UnitKind.DEPARTMENT, "局长"),
    ("文化广电和旅游局", "文广旅局", UnitKind.DEPARTMENT, "局长"),
    ("住房公积金管理中心", "公积金中心", UnitKind.DEPARTMENT, "主任"),
    ("政务服务和大数据管理局", "政务服务局", UnitKind.DEPARTMENT, "局长"),
    ("林业局", "林业局", UnitKind.DEPARTMENT, "局长"),
    ("退役军人事务局", "退役军人局", UnitKind.DEPARTMENT, "局长"),
    ("统计局", "统计局", UnitKind.DEPARTMENT, "局长"),
    ("科学技术局", "科技局", UnitKind.DEPARTMENT, "局长"),
    ("国有资产监督管理委员会", "国资委", UnitKind.DEPARTMENT, "主任"),
    ("粮食和物资储备局", "粮储局", UnitKind.DEPARTMENT, "局长"),
    ("乡村振兴局", "乡村振兴局", UnitKind.DEPARTMENT, "局长"),
    ("人民防空办公室", "人防办", UnitKind.DEPARTMENT, "主任"),
    ("机关事务管理局", "机关事务局", UnitKind.DEPARTMENT, "局长"),
    ("供销合作社", "供销社", UnitKind.OTHER, "主任"),
    ("行政审批和政务信息管理局", "行政审批局", UnitKind.DEPARTMENT, "局长"),
]
# Bodies below the departments (towns, police stations, justice offices …): invented place
# names + what the body is; they lead few matters.
TOWN_FIRST = (
    "杨李王张刘陈赵黄周吴孙朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
TOWN_SECOND = "庄店集桥岗寨楼营湾河湖山坡屯铺口寺堂阁台洼园村沟塘洲埠"
TOWN_BODIES: list[tuple[str, str, str]] = [
    ("镇人民政府", UnitKind.GOVERNMENT, "镇长"),
    ("乡人民政府", UnitKind.GOVERNMENT, "乡长"),
    ("派出所", UnitKind.PUBLIC_SECURITY, "所长"),
    ("司法所", UnitKind.DEPARTMENT, "所长"),
    ("市场监督管理所", UnitKind.DEPARTMENT, "所长"),
    ("财政所", UnitKind.DEPARTMENT, "所长"),
    ("自然资源所", UnitKind.DEPARTMENT, "所长"),
    ("人民法庭", UnitKind.COURT, "庭长"),
    ("中心卫生院", UnitKind.OTHER, "院长"),
    ("街道办事处", UnitKind.GOVERNMENT, "主任"),
]


@dataclass
class UnitInfo:
    id: int
    name: str
    short_name: str
    kind: str
    jurisdiction: JurisdictionInfo
    head_title: str = ""
    head_post_id: int = 0
    liaison_post_id: int = 0
    liaison_user_id: int = 0
    court_user_id: int = 0


@dataclass
class JurisdictionInfo:
    id: int
    name: str
    short_name: str
    code: str
    path: str
    level: str
    established_on: datetime.date
    mechanism_id: int = 0
    units: list[UnitInfo] = field(default_factory=list)
    gov: UnitInfo | None = None
    office: UnitInfo | None = None
    court: UnitInfo | None = None
    office_user_id: int = 0
    leader_user_id: int = 0
    leader_person_id: int = 0
    convener_post_id: int = 0
    task_area_ids: dict[str, int] = field(default_factory=dict)
    leads: Zipf | None = None  # lead units, most important first

    @property
    def is_city(self) -> bool:
        return self.code == CITY_CODE


@dataclass
class World:
    """What the later domains need of the organisation."""

    city: JurisdictionInfo
    jurisdictions: list[JurisdictionInfo]  # city first, then the ten counties
    units: list[UnitInfo]
    courts_by_name: dict[str, int]
    password: str
    ids: Ids
    start: datetime.date
    bench: dict[str, int] = field(default_factory=dict)
    writers: list[TableWriter] = field(default_factory=list)
    users: UserWriter | None = None


@functools.cache
def password_hash() -> str:
    """The one password hash every generated account shares (argon2 is slow by design)."""
    return make_password(PASSWORD)


def units_per_jurisdiction(total: int) -> list[int]:
    """How many units each jurisdiction gets: at least MIN_UNITS_PER_JURISDICTION each, the
    city a fifth of the total, the rest spread over the ten counties."""
    n = 1 + len(org_demo.COUNTY_LEVEL)
    base = MIN_UNITS_PER_JURISDICTION
    if total < base * n:
        raise ValueError(f"at least {base * n} units are needed")
    city = max(base, round(total * 0.2))
    if (total - city) // (n - 1) < base:
        city = total - base * (n - 1)
    per, extra = divmod(total - city, n - 1)
    counts = [city] + [per + (1 if i < extra else 0) for i in range(n - 1)]
    assert sum(counts) == total, counts
    return counts


def build(ctx: Ctx, unit_total: int) -> World:
    rng = ctx.sub_rng("org")
    fake = ctx.fake
    ids = Ids()
    start = ctx.today - 6 * 365 * DAY  # roles and units exist before the five years of data

    # --- jurisdictions ---------------------------------------------------------------------
    jw = TableWriter(
        ctx,
        Jurisdiction,
        [
            "id",
            "name",
            "short_name",
            "code",
            "level",
            "parent_id",
            "path",
            "order",
            "runs_own_mechanism",
            "created_at",
            "updated_at",
        ],
    )
    province_id = ids.take(Jurisdiction)
    province_path = Jurisdiction.build_path(None, province_id)
    name, short, code = org_demo.PROVINCE
    jw.add(
        province_id, name, short, code, "province", None, province_path, 0, False, ctx.now, ctx.now
    )
    city_id = ids.take(Jurisdiction)
    infos: list[JurisdictionInfo] = []
    city = JurisdictionInfo(
        city_id,
        org_demo.CITY[0],
        org_demo.CITY[1],
        org_demo.CITY[2],
        province_path + f"{city_id:06d}/",
        JurisdictionLevel.CITY,
        org_demo.FOUNDED_ON,
    )
    infos.append(city)
    for name, short, code, level, _seats, established in org_demo.COUNTY_LEVEL:
        jid = ids.take(Jurisdiction)
        infos.append(
            JurisdictionInfo(jid, name, short, code, city.path + f"{jid:06d}/", level, established)
        )
    for order, j in enumerate(infos, start=1):
        parent = province_id if j.is_city else city.id
        jw.add(
            j.id,
            j.name,
            j.short_name,
            j.code,
            j.level,
            parent,
            j.path,
            order,
            True,
            ctx.now,
            ctx.now,
        )
    jw.close("jurisdictions")

    # --- units ---------------------------------------------------------------------------------
    units: list[UnitInfo] = []
    uw = TableWriter(
        ctx,
        Unit,
        [
            "id",
            "name",
            "short_name",
            "kind",
            "jurisdiction_id",
            "order_no",
            "court_code",
            "valid_from",
            "address",
            "phone",
            "created_at",
            "updated_at",
        ],
    )
    courts_by_name: dict[str, int] = {}
    for j, count in zip(infos, units_per_jurisdiction(unit_total), strict=True):
        prefix = "市" if j.is_city else j.short_name
        specs: list[tuple[str, str, str, str, str]] = []  # name, short, kind, head title, court
        specs.append((f"{j.name}人民政府", f"{prefix}政府", UnitKind.GOVERNMENT, "", ""))
        specs.append((f"{j.name}司法局", f"{prefix}司法局", UnitKind.DEPARTMENT, "局长", ""))
        if j.is_city:
            specs.append(("驻马店市中级人民法院", "市中级人民法院", UnitKind.COURT, "院长", "豫17"))
        else:
            court_name = (
                f"驻马店市{j.name}人民法院" if j.level == "district" else f"{j.name}人民法院"
            )
            court_code = "豫17" + j.code[-2:]
            specs.append((court_name, f"{j.short_name}法院", UnitKind.COURT, "院长", court_code))
        for dept, short, kind, title in DEPARTMENTS:
            if len(specs) >= count:
                break
            specs.append((f"{j.name}{dept}", f"{prefix}{short}", kind, title, ""))
        names = {s[0] for s in specs}
        while len(specs) < count:
            town = rng.choice(TOWN_FIRST) + rng.choice(TOWN_SECOND)
            body, kind, title = TOWN_BODIES[rng.randrange(len(TOWN_BODIES))]
            name = f"{j.name}{town}{body}"
            if name in names:
                continue
            names.add(name)
            specs.append((name, f"{town}{body}", kind, title, ""))
        for order_no, (name, short, kind, title, court_code) in enumerate(specs, start=1):
            uid = ids.take(Unit)
            if not title:
                title = "市长" if j.is_city else ("区长" if j.level == "district" else "县长")
            info = UnitInfo(uid, name, short, kind, j, head_title=title)
            units.append(info)
            j.units.append(info)
            if order_no == 1:
                j.gov = info
            elif order_no == 2:
                j.office = info
            elif order_no == 3:
                j.court = info
                courts_by_name[name] = uid
            uw.add(
                uid,
                name,
                short,
                kind,
                j.id,
                order_no,
                court_code,
                start,
                fake.street_address()[:120],
                f"0396-{rng.randint(2000000, 3999999)}",
                ctx.now,
                ctx.now,
            )
        # Lead units, most matters first: the departments (shuffled per jurisdiction, so each
        # county has its own busiest body), then the office, the court, the government and
        # the small bodies.
        depts = j.units[3 : 3 + len(DEPARTMENTS)]
        depts = sorted(depts, key=lambda u: rng.random()) if not j.is_city else depts
        rest = j.units[3 + len(DEPARTMENTS) :]
        ranked = [*depts[:3], j.units[1], *depts[3:], j.units[2], j.units[0], *rest]
        j.leads = Zipf(ranked, s=1.15)
    uw.close("units")

    # --- people and posts ----------------------------------------------------------------------
    pw = TableWriter(
        ctx,
        Person,
        [
            "id",
            "name",
            "gender",
            "phone",
            "phone_index",
            "office_phone",
            "created_at",
            "updated_at",
        ],
    )
    postw = TableWriter(
        ctx,
        Post,
        ["id", "unit_id", "title", "kind", "holder_id", "order", "created_at", "updated_at"],
    )

    def person(with_phone: bool) -> int:
        pid = ids.take(Person)
        male = rng.random() < 0.7
        name = fake.name_male() if male else fake.name_female()
        phone = index = ""
        if with_phone:
            clear = f"1{rng.choice('3579')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
            phone = crypto.encrypt(clear)
            index = crypto.blind_index(normalize_phone(clear))
        office = f"0396-{rng.randint(2000000, 3999999)}"
        gender = Gender.MALE if male else Gender.FEMALE
        pw.add(pid, name, gender, phone, index, office, ctx.now, ctx.now)
        return pid

    for u in units:
        head = person(False)
        u.head_post_id = ids.take(Post)
        postw.add(u.head_post_id, u.id, u.head_title, PostKind.HEAD, head, 0, ctx.now, ctx.now)
        u.liaison_post_id = ids.take(Post)
        liaison = person(True)
        postw.add(u.liaison_post_id, u.id, "联络员", PostKind.LIAISON, liaison, 9, ctx.now, ctx.now)
        if u is u.jurisdiction.gov:
            u.jurisdiction.convener_post_id = u.head_post_id
            u.jurisdiction.leader_person_id = head

    # --- mechanisms, seats, task areas ---------------------------------------------------------
    mw = TableWriter(
        ctx,
        Mechanism,
        [
            "id",
            "jurisdiction_id",
            "name",
            "office_unit_id",
            "established_on",
            "founding_document_no",
            "founding_document_title",
            "settings",
            "created_at",
            "updated_at",
        ],
    )
    sw = TableWriter(
        ctx,
        Seat,
        [
            "mechanism_id",
            "role",
            "unit_id",
            "post_id",
            "liaison_post_id",
            "order",
            "joined_on",
            "created_at",
            "updated_at",
        ],
    )
    tw = TableWriter(
        ctx, TaskArea, ["id", "mechanism_id", "code", "name", "order", "created_at", "updated_at"]
    )
    settings_json = MechanismSettings().to_json()
    for j in infos:
        assert j.gov and j.office and j.court
        j.mechanism_id = ids.take(Mechanism)
        if j.is_city:
            name = org_demo.CITY_MECHANISM_NAME
            doc_no, doc_title = org_demo.CITY_FOUNDING_DOCUMENT_NO, ""
        else:
            name = f"{j.name}常态化府院联动工作联席会议"
            doc_no, doc_title = (
                f"{j.short_name}政〔{j.established_on.year}〕{rng.randint(8, 60)}号",
                "",
            )
        mw.add(
            j.mechanism_id,
            j.id,
            name,
            j.office.id,
            j.established_on,
            doc_no,
            doc_title,
            settings_json,
            ctx.now,
            ctx.now,
        )
        sw.add(
            j.mechanism_id,
            SeatRole.CONVENER,
            j.gov.id,
            j.gov.head_post_id,
            None,
            0,
            j.established_on,
            ctx.now,
            ctx.now,
        )
        members = [j.office, j.court, *[u for u in j.units[3:] if u.kind != UnitKind.OTHER][:20]]
        for i, u in enumerate(members, start=1):
            sw.add(
                j.mechanism_id,
                SeatRole.MEMBER,
                u.id,
                u.head_post_id,
                u.liaison_post_id,
                i,
                j.established_on,
                ctx.now,
                ctx.now,
            )
        for order, (code, area) in enumerate(DEFAULT_TASK_AREAS, start=1):
            tid = ids.take(TaskArea)
            j.task_area_ids[code] = tid
            tw.add(tid, j.mechanism_id, code, area, order, ctx.now, ctx.now)
    mw.close("mechanisms")
    sw.close("seats")
    tw.close("task_areas")

    # --- accounts ------------------------------------------------------------------------------
    world = World(city, infos, units, courts_by_name, password_hash(), ids, start)
    world.writers = [pw, postw]
    users = world.users = UserWriter(ctx, world)
    for j in infos:
        code = j.code
        j.office_user_id = users.add(f"office_{code}", Role.OFFICE, jurisdiction=j)
        j.leader_user_id = users.add(
            f"leader_{code}", Role.LEADER, jurisdiction=j, person=j.leader_person_id
        )
    for u in units:
        u.liaison_user_id = users.add(f"liaison_{u.jurisdiction.code}_{u.id}", Role.LIAISON, unit=u)
        if u.kind == UnitKind.COURT:
            u.court_user_id = users.add(f"court_{u.jurisdiction.code}_{u.id}", Role.COURT, unit=u)
    county = next(j for j in infos if j.code == BENCH_COUNTY_CODE)
    assert city.court is not None
    world.bench["bench_office"] = users.add("bench_office", Role.OFFICE, jurisdiction=city)
    world.bench["bench_leader"] = users.add("bench_leader", Role.LEADER, jurisdiction=city)
    world.bench["bench_county_office"] = users.add(
        "bench_county_office", Role.OFFICE, jurisdiction=county
    )
    world.bench["bench_court"] = users.add("bench_court", Role.COURT, unit=city.court)
    return world


class UserWriter:
    """Logins with one role assignment each, all with the one shared password hash."""

    def __init__(self, ctx: Ctx, world: World) -> None:
        self.ctx = ctx
        self.world = world
        self.fake = ctx.fake
        self.users = TableWriter(
            ctx,
            User,
            [
                "id",
                "password",
                "username",
                "display_name",
                "person_id",
                "is_active",
                "date_joined",
                "password_changed_at",
            ],
        )
        self.roles = TableWriter(
            ctx,
            RoleAssignment,
            [
                "user_id",
                "role",
                "jurisdiction_id",
                "unit_id",
                "valid_from",
                "note",
                "created_at",
                "updated_at",
            ],
        )

    def add(
        self,
        username: str,
        role: str,
        *,
        jurisdiction: JurisdictionInfo | None = None,
        unit: UnitInfo | None = None,
        person: int | None = None,
    ) -> int:
        ctx, world = self.ctx, self.world
        uid = world.ids.take(User)
        name = self.fake.name()
        joined = at(world.start, 9)
        self.users.add(uid, world.password, username, name, person, True, joined, ctx.now)
        jid = jurisdiction.id if jurisdiction else (unit.jurisdiction.id if unit else None)
        self.roles.add(
            uid,
            role,
            jid,
            unit.id if unit else None,
            world.start,
            "generated",
            ctx.now,
            ctx.now,
        )
        return uid

    def close(self) -> None:
        self.users.close("users")
        self.roles.close("role_assignments")


def finish(ctx: Ctx, world: World) -> None:
    """Flush the people, posts and accounts (the benchmark liaison is added once the matters
    show which city department leads the most)."""
    pw, postw = world.writers
    pw.close("persons")
    postw.close("posts")
    assert world.users is not None
    world.users.close()


def add_bench_liaison(ctx: Ctx, world: World, unit: UnitInfo) -> Any:
    assert world.users is not None
    world.bench["bench_liaison"] = world.users.add("bench_liaison", Role.LIAISON, unit=unit)
    world.bench["bench_liaison_unit"] = unit.id
    return world.bench["bench_liaison"]
