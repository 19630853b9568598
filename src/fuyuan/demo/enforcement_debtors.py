"""Demo data of the dishonest-debtor list: the court's periodic list file and its removal file,
imported by the intermediate court's staff (`court`) through the enforcement importers
(`enforcement.debtors`, `enforcement.debtor_removals`) — preview, then confirm, one audit
entry per batch, as in production.

About 5,000 entries: persons (resident IDs of 驻马店 and elsewhere, some published masked as
on the public list, a few old 15-digit IDs, Hong Kong / Macao permits and passports) and
organisations (credit codes, a few old organisation codes), executed by 驻马店's courts (豫17,
豫1702, 豫1721 … 豫1729) and by courts elsewhere in Henan. A handful of rows carry a bad check
character: the court accepts them with a reason and they stay "to confirm". About one entry in
eight is then removed by the court's removal file (performance, correction, settlement).

Deterministic: a fixed seed; every date is relative to the day it is loaded. Every person,
company and number is invented.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

SEED = 20251201
ENTRIES = 5000
HELD = 12
MASKED_SHARE = 0.15
REMOVED_SHARE = 0.12
ORGANISATION_SHARE = 0.24

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "建国秀英志强丽娟海涛红梅俊杰桂兰振华玉梅卫东春雷国富明亮永刚立军晓燕文斌新民伟平"
    "淑珍金凤宏伟建军德胜长青卫华红霞小红保国"
)
PLACES = (
    "驻马店市",
    "驿城区",
    "西平县",
    "上蔡县",
    "平舆县",
    "正阳县",
    "确山县",
    "泌阳县",
    "汝南县",
    "遂平县",
    "新蔡县",
)
TRADES = (
    ("建材", "有限公司"),
    ("置业", "有限公司"),
    ("商贸", "有限公司"),
    ("农业开发", "有限公司"),
    ("物流", "有限公司"),
    ("食品", "有限责任公司"),
    ("建筑工程", "有限公司"),
    ("机械制造", "有限公司"),
    ("纺织", "有限公司"),
    ("养殖", "专业合作社"),
    ("汽车销售服务", "有限公司"),
    ("电子科技", "有限公司"),
)
WORDS = "恒达天中鑫源远航华豫盛通宏图兴业金阳顺发嘉禾新达昌隆瑞丰永安中原汇通长青"
# Division codes of residents: 驻马店 (4117xx, and 4128xx of 驻马店地区 before 2000) and elsewhere.
HOME_DIVISIONS: tuple[str, ...] = (
    "411702",
    "411721",
    "411722",
    "411723",
    "411724",
    "411725",
    "411726",
)
HOME_DIVISIONS += ("411727", "411728", "411729", "412801", "412822", "412826")
OTHER_DIVISIONS = ("410102", "410105", "411302", "411502", "411602", "411102", "340102")
# Courts elsewhere (name, court code); 驻马店's courts come from the org demo's units.
OTHER_COURTS = (
    ("郑州市中级人民法院", "豫01"),
    ("郑州市金水区人民法院", "豫0105"),
    ("南阳市中级人民法院", "豫13"),
    ("信阳市中级人民法院", "豫15"),
    ("周口市中级人民法院", "豫16"),
    ("漯河市郾城区人民法院", "豫1103"),
)
CONDUCTS = (
    "有履行能力而拒不履行生效法律文书确定义务",
    "违反财产报告制度",
    "违反限制消费令",
    "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    "无正当理由拒不履行执行和解协议",
)
DUTIES = (
    "偿还借款本金{amount}元及利息",
    "支付货款{amount}元及违约金",
    "支付工程款{amount}元",
    "支付拖欠工资{amount}元",
    "赔偿损失{amount}元",
    "返还租金{amount}元",
)
REMOVAL_WORDS = (("已履行", 70), ("和解", 15), ("纠错", 8), ("期满", 7))

_RID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id(division: str, born: datetime.date, sequence: int, *, bad: bool = False) -> str:
    body = f"{division}{born:%Y%m%d}{sequence:03d}"
    total = sum(int(c) * w for c, w in zip(body, _RID_WEIGHTS, strict=True)) % 11
    check = "10X98765432"[total]
    if bad:
        check = "0" if check != "0" else "1"
    return body + check


def organisation_code(body: str) -> str:
    total = sum(_ORG_CHARS.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(division: str, org_body: str, *, bad: bool = False) -> str:
    body = "91" + division + organisation_code(org_body)
    total = sum(_USCC.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    check = _USCC[(31 - total % 31) % 31]
    if bad:
        check = "0" if check != "0" else "1"
    return body + check


class DebtorDemo:
    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.used_ids: set[str] = set()
        self.sequences: dict[tuple[int, str], int] = {}

    # --- parties --------------------------------------------------------------------------------
    def person_name(self) -> str:
        given = "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2))))
        return self.rng.choice(SURNAMES) + given

    def person(self, bad: bool = False) -> dict[str, Any]:
        rng = self.rng
        while True:
            born = datetime.date(rng.randint(1955, 2002), rng.randint(1, 12), rng.randint(1, 28))
            home = rng.random() < 0.8
            division = rng.choice(HOME_DIVISIONS if home else OTHER_DIVISIONS)
            sequence = rng.randint(1, 999)
            roll = rng.random()
            if bad:
                id_type, number = "居民身份证", resident_id(division, born, sequence, bad=True)
            elif roll < 0.01 and born.year < 1985:
                id_type = "15位身份证"
                number = f"{division}{born:%y%m%d}{sequence:03d}"
            elif roll < 0.015:
                id_type, number = (
                    "港澳居民来往内地通行证",
                    f"{rng.choice('HM')}{rng.randint(0, 10**8 - 1):08d}",
                )
            elif roll < 0.02:
                id_type, number = "护照", f"E{rng.randint(10**7, 10**8 - 1)}"
            else:
                id_type, number = "居民身份证", resident_id(division, born, sequence)
            if number not in self.used_ids:
                break
        self.used_ids.add(number)
        sex = "男" if (sequence % 2 or id_type != "居民身份证") and rng.random() < 0.7 else "女"
        if id_type == "居民身份证" and not bad:
            sex = "男" if sequence % 2 else "女"
            if rng.random() < MASKED_SHARE:  # as the public list publishes it
                number = number[:10] + "****" + number[14:]
        age = self.today.year - born.year
        return {
            "name": self.person_name(),
            "id_type": id_type,
            "id_number": number,
            "sex": sex,
            "age": age,
            "legal_representative": "",
        }

    def organisation(self, bad: bool = False) -> dict[str, Any]:
        rng = self.rng
        while True:
            place = rng.choice(PLACES)
            word = "".join(rng.sample(WORDS, 2))
            trade, form = rng.choice(TRADES)
            name = f"{place}{word}{trade}{form}"
            division = rng.choice(HOME_DIVISIONS[:10])
            org_body = "MA" + "".join(
                rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6)
            )
            if not bad and rng.random() < 0.05:
                id_type, number = (
                    "组织机构代码",
                    organisation_code(f"{rng.randint(10**7, 10**8 - 1)}"),
                )
            else:
                id_type, number = "统一社会信用代码", credit_code(division, org_body, bad=bad)
            if number not in self.used_ids:
                break
        self.used_ids.add(number)
        return {
            "name": name,
            "id_type": id_type,
            "id_number": number,
            "sex": "",
            "age": "",
            "legal_representative": self.person_name(),
        }

    # --- cases ----------------------------------------------------------------------------------
    def case_number(self, year: int, code: str) -> str:
        key = (year, code)
        self.sequences[key] = self.sequences.get(key, self.rng.randint(20, 200)) + self.rng.randint(
            1, 6
        )
        kind = "执恢" if self.rng.random() < 0.06 else "执"
        return f"（{year}）{code}{kind}{self.sequences[key]}号"

    def row(self, courts: list[tuple[str, str]], bad: bool = False) -> dict[str, Any]:
        rng = self.rng
        party = self.organisation(bad) if rng.random() < ORGANISATION_SHARE else self.person(bad)
        if rng.random() < 0.82:
            court, code = rng.choice(courts)
        else:
            court, code = rng.choice(OTHER_COURTS)
        filed = self.today - datetime.timedelta(days=rng.randint(45, 5 * 365))
        published = min(self.today, filed + datetime.timedelta(days=rng.randint(30, 240)))
        amount = rng.randint(8, 3000) * 1000
        duty = rng.choice(DUTIES).format(amount=f"{amount:,}")
        partial = rng.random() < 0.3
        paid = rng.randint(1, max(1, amount // 2000)) * 1000 if partial else 0
        basis_year = filed.year - rng.choice((0, 1))
        basis_kind = rng.choice(("民初", "民终", "民初", "商初"))
        return {
            **party,
            "court": court,
            "province": "河南",
            "basis_number": f"（{basis_year}）{code}{basis_kind}{rng.randint(1, 9000)}号",
            "basis_issuer": court,
            "filed_on": filed.isoformat(),
            "case_number": self.case_number(filed.year, code),
            "duty": duty,
            "performance": "部分履行" if partial else "全部未履行",
            "performed_part": f"已履行{paid:,}元" if partial else "",
            "unperformed_part": f"{amount - paid:,}元",
            "conduct": rng.choice(CONDUCTS),
            "published_on": published.isoformat(),
        }


def _csv(name: str, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("gb18030"))


def _import(feed: str, upload: Any, user: Any, *, held_reason: str = "") -> Any:
    from fuyuan.core import importing

    batch = importing.preview(feed, upload, user)
    if batch.error_rows or batch.duplicate_rows:
        problems = "; ".join(
            f"row {i.row_number} {i.code}: {i.message}"
            for i in batch.issues.exclude(level="warning")[:5]
        )
        raise ValueError(f"The demo's {feed} file does not import cleanly: {problems}")
    accept = bool(batch.held_rows)
    batch = importing.confirm(batch, user, accept_held=accept, reason=held_reason if accept else "")
    if batch.state != "imported":
        raise ValueError(f"The demo's {feed} file failed to import: {batch.failure}")
    return batch


def load(today: datetime.date) -> dict[str, int]:
    """Import the court's list file and its removal file as the court's demo account."""
    from django.contrib.auth import get_user_model

    from fuyuan.enforcement.importers import DEBTORS_FEED, REMOVALS_FEED
    from fuyuan.enforcement.models import DebtorRecord, DebtorState
    from fuyuan.enforcement.samples.make_samples import FIELDS, HEADERS, REMOVAL_HEADERS
    from fuyuan.org.models import Unit, UnitKind

    court_user = get_user_model()._default_manager.get(username="court")
    courts = list(
        Unit.objects.filter(kind=UnitKind.COURT, court_code__startswith="豫17")
        .order_by("court_code")
        .values_list("name", "court_code")
    )
    if not courts:
        courts = [("驻马店市中级人民法院", "豫17")]
    demo = DebtorDemo(today)
    rows = [demo.row(courts) for _ in range(ENTRIES - HELD)]
    rows += [demo.row(courts, bad=True) for _ in range(HELD)]
    demo.rng.shuffle(rows)
    keys = [key for key, _header, _json in FIELDS]
    mapping = {"court": "court", "duty": "duty"}
    table = [tuple(row.get(mapping.get(k, k), "") for k in keys) for row in rows]
    _import(
        DEBTORS_FEED,
        _csv(f"失信被执行人名单_{today:%Y%m%d}.csv", HEADERS, table),
        court_user,
        held_reason="法院确认：证件号码以法院执行案件系统登记为准，待核实",
    )
    # The removal file: about one entry in eight, removed after publication.
    removals = []
    for row in demo.rng.sample(rows, int(len(rows) * REMOVED_SHARE)):
        published = datetime.date.fromisoformat(row["published_on"])
        if published >= today:
            continue
        removed = published + datetime.timedelta(
            days=demo.rng.randint(1, max(1, (today - published).days))
        )
        reason = demo.rng.choices(
            [w for w, _n in REMOVAL_WORDS], weights=[n for _w, n in REMOVAL_WORDS]
        )[0]
        note = "经核查系错误纳入" if reason == "纠错" else ""
        removals.append(
            (row["case_number"], row["id_number"], row["name"], removed.isoformat(), reason, note)
        )
    _import(
        REMOVALS_FEED,
        _csv(f"失信被执行人屏蔽_{today:%Y%m%d}.csv", REMOVAL_HEADERS, removals),
        court_user,
    )
    entries = DebtorRecord.objects.all()
    return {
        "debtor_entries": entries.count(),
        "debtor_active": entries.filter(state=DebtorState.ACTIVE).count(),
        "debtor_to_confirm": entries.filter(state=DebtorState.TO_CONFIRM).count(),
        "debtor_removed": entries.filter(state=DebtorState.REMOVED).count(),
        "debtor_masked": entries.filter(id_masked=True).count(),
        "debtor_organisations": entries.filter(party_kind="organisation").count(),
    }
