"""Sample files of the court's dishonest-debtor list (失信被执行人名单) as the enforcement
importers read them: the periodic list file and the removal file (屏蔽/撤销), for
驻马店's courts (豫17 and the basic courts 豫1702 … 豫1729).

The list file comes in four forms with the same rows: CSV in UTF-8 (with BOM), CSV in
GB18030 (as court systems often write it), .xlsx with real date cells, and JSON in the field
names of the Supreme People's Court's public list (iname, cardNum, caseCode …, no document
type column: the type is detected). Its rows are chosen to show every check:

- good rows: resident ID, credit code, organisation code, an ID published masked
  (4117221985****2318), a Hong Kong / Macao permit, an old 15-digit ID, a passport;
- rows held "to confirm": a credit code and an ID number with a bad check character;
- refused rows: a malformed credit code, an ID number with an impossible birth date, a civil
  case number, a malformed case number, a missing name, an impossible date (2024-02-30), a
  filing date in the future;
- a repeated row (same case and identifier as the first).

The data is invented (people, companies, numbers). The download view builds the files from
this module; running it (`python -m fuyuan.enforcement.samples.make_samples`) rewrites the
copies kept beside it.
"""

from __future__ import annotations

import datetime
import json
import pathlib
from typing import Any

from fuyuan.core import sample_files

D = datetime.date

# Canonical keys → (header of the court's file, field of the public list's JSON).
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "被执行人姓名/名称", "iname"),
    ("id_type", "证件类型", ""),
    ("id_number", "身份证号码/组织机构代码", "cardNum"),
    ("sex", "性别", "sexy"),
    ("age", "年龄", "age"),
    ("legal_representative", "法定代表人或者负责人姓名", "businessEntity"),
    ("court", "执行法院", "courtName"),
    ("province", "省份", "areaName"),
    ("basis_number", "执行依据文号", "gistId"),
    ("basis_issuer", "做出执行依据单位", "gistUnit"),
    ("filed_on", "立案时间", "regDate"),
    ("case_number", "案号", "caseCode"),
    ("duty", "生效法律文书确定的义务", "duty"),
    ("performance", "被执行人的履行情况", "performance"),
    ("performed_part", "已履行部分", "performedPart"),
    ("unperformed_part", "未履行部分", "unperformPart"),
    ("conduct", "失信被执行人行为具体情形", "disruptTypeName"),
    ("published_on", "发布时间", "publishDate"),
)
HEADERS = tuple(header for _key, header, _json in FIELDS)

ZY = "驻马店市中级人民法院"
YC = "驻马店市驿城区人民法院"
XP = "西平县人民法院"
SC = "上蔡县人民法院"
RN = "汝南县人民法院"
EVADE = "有履行能力而拒不履行生效法律文书确定义务"
HIDE = "违反财产报告制度"
DUTY = "被执行人于判决生效之日起十日内偿还申请执行人借款本金及利息"


def _row(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {key: "" for key, _h, _j in FIELDS}
    base.update(province="河南", performance="全部未履行", conduct=EVADE, duty=DUTY)
    base.update(values)
    return base


# fmt: off
GOOD = [
    _row(name="张建国", id_type="居民身份证", id_number="411702197508123459", sex="男", age=50,
         court=ZY, basis_number="（2023）豫17民初45号", basis_issuer=ZY,
         filed_on=D(2024, 3, 11), case_number="（2024）豫17执212号",
         unperformed_part="借款本金38万元及利息", published_on=D(2024, 6, 20)),
    _row(name="李秀英", id_type="居民身份证", id_number="41172119900315432X", sex="女", age=35,
         court=XP, basis_number="（2023）豫1721民初1312号", basis_issuer=XP,
         filed_on=D(2024, 5, 8), case_number="（2024）豫1721执388号", performance="部分履行",
         performed_part="已还款2万元", unperformed_part="剩余款项6.5万元",
         published_on=D(2024, 8, 2)),
    _row(name="驻马店市恒达建材有限公司", id_type="统一社会信用代码",
         id_number="91411700MA44B7KX47", legal_representative="周明亮", court=YC,
         basis_number="（2023）豫1702民初5521号", basis_issuer=YC, filed_on=D(2024, 1, 16),
         case_number="（2024）豫1702执1056号", duty="支付货款127万元及违约金",
         unperformed_part="货款127万元及违约金", conduct=HIDE, published_on=D(2024, 4, 9)),
    _row(name="王磊", id_type="居民身份证", id_number="4117221985****2318", sex="男", age=40,
         court=SC, basis_number="（2024）豫1722民初233号", basis_issuer=SC,
         filed_on=D(2024, 9, 2), case_number="（2024）豫1722执77号",
         published_on=D(2024, 11, 15)),
    _row(name="陈志强", id_type="港澳居民来往内地通行证", id_number="H12345678", sex="男",
         age=47, court=ZY, basis_number="（2024）豫17民终1021号", basis_issuer=ZY,
         filed_on=D(2025, 2, 10), case_number="（2025）豫17执15号",
         published_on=D(2025, 5, 6)),
    _row(name="刘振华", id_type="15位身份证", id_number="411721750812123", sex="男", age=50,
         court=XP, basis_number="西平县劳动人事争议仲裁委员会西劳人仲案字〔2023〕88号",
         basis_issuer="西平县劳动人事争议仲裁委员会", filed_on=D(2024, 7, 1),
         case_number="（2024）豫1721执602号", duty="支付拖欠工资4.2万元",
         published_on=D(2024, 10, 12)),
    _row(name="马丽", id_type="护照", id_number="E12345678", sex="女", age=38, court=RN,
         basis_number="（2024）豫1727民初77号", basis_issuer=RN, filed_on=D(2024, 12, 3),
         case_number="（2025）豫1727执9号", published_on=D(2025, 3, 18)),
    _row(name="上蔡县鑫源农业开发有限公司", id_type="组织机构代码", id_number="31752487-3",
         legal_representative="蒋国富", court=SC, basis_number="（2023）豫1722民初908号",
         basis_issuer=SC, filed_on=D(2024, 2, 20), case_number="（2024）豫1722执156号",
         duty="返还土地流转费35万元", published_on=D(2024, 5, 30)),
]
HELD = [
    _row(name="驻马店市天中物流有限公司", id_type="统一社会信用代码",
         id_number="91411700MA9F3C6D00", legal_representative="曹立军", court=ZY,
         basis_number="（2024）豫17民初301号", basis_issuer=ZY, filed_on=D(2024, 10, 8),
         case_number="（2024）豫17执540号", published_on=D(2025, 1, 9)),
    _row(name="赵红梅", id_type="居民身份证", id_number="411726196802240021", sex="女", age=57,
         court=ZY, basis_number="（2024）豫17民初410号", basis_issuer=ZY,
         filed_on=D(2024, 11, 20), case_number="（2024）豫17执611号",
         published_on=D(2025, 2, 14)),
]
# (row, the code it is refused with)
REFUSED: list[tuple[dict[str, Any], str]] = [
    (_row(name="驻马店市远航商贸有限公司", id_type="统一社会信用代码", id_number="91411700MA44ABC",
          legal_representative="孙永刚", court=ZY, basis_number="（2024）豫17民初55号",
          basis_issuer=ZY, filed_on=D(2024, 4, 2), case_number="（2024）豫17执300号",
          published_on=D(2024, 7, 1)), "uscc.length"),
    (_row(name="孙伟", id_type="居民身份证", id_number="411702199013451234", sex="男", age=35,
          court=YC, basis_number="（2024）豫1702民初66号", basis_issuer=YC,
          filed_on=D(2024, 6, 3), case_number="（2024）豫1702执801号",
          published_on=D(2024, 9, 9)), "resident_id.birth_date"),
    (_row(name="周强", id_type="居民身份证", id_number="411702197508121218", sex="男", age=50,
          court=ZY, basis_number="（2023）豫17民初12号", basis_issuer=ZY,
          filed_on=D(2024, 3, 1), case_number="（2024）豫17民初12号",
          published_on=D(2024, 5, 1)), "enforcement.import.not_enforcement"),
    (_row(name="吴芳", id_type="居民身份证", id_number="411721198805060026", sex="女", age=37,
          court=XP, basis_number="（2024）豫1721民初9号", basis_issuer=XP,
          filed_on=D(2024, 3, 1), case_number="（2024）豫1721执号",
          published_on=D(2024, 5, 1)), "case_number.sequence"),
    (_row(name="", id_type="居民身份证", id_number="411722198001010010", sex="男", age=45,
          court=SC, basis_number="（2024）豫1722民初19号", basis_issuer=SC,
          filed_on=D(2024, 3, 1), case_number="（2024）豫1722执90号",
          published_on=D(2024, 5, 1)), "enforcement.import.name_required"),
    (_row(name="郑凯", id_type="居民身份证", id_number="411702197903030011", sex="男", age=46,
          court=YC, basis_number="（2024）豫1702民初71号", basis_issuer=YC,
          filed_on="2024-02-30", case_number="（2024）豫1702执95号",
          published_on=D(2024, 5, 1)), "import.date"),
    (_row(name="何静", id_type="居民身份证", id_number="411702199211110025", sex="女", age=33,
          court=YC, basis_number="（2024）豫1702民初72号", basis_issuer=YC,
          filed_on=D(2099, 1, 5), case_number="（2025）豫1702执3号",
          published_on=""), "enforcement.import.filed_in_future"),
]
# fmt: on
# Without the document type column (the public list's JSON) the malformed credit code is not
# recognised as any document.
JSON_CODES = {0: "identifier.unknown"}
DUPLICATE = dict(GOOD[0])  # the first row again
ROWS: list[dict[str, Any]] = [*GOOD, *HELD, *(row for row, _code in REFUSED), DUPLICATE]

REMOVAL_HEADERS = ("案号", "证件号码", "被执行人姓名/名称", "屏蔽日期", "原因", "备注")
REMOVALS: list[tuple[Any, ...]] = [
    ("（2024）豫1721执388号", "41172119900315432X", "李秀英", D(2025, 9, 1), "已履行", ""),
    ("（2024）豫1722执77号", "4117221985****2318", "王磊", D(2025, 9, 3), "纠错", "身份信息有误"),
    ("（2024）豫17执999号", "411702197508123459", "张建国", D(2025, 9, 5), "已履行", ""),
    ("（2024）豫17执212号", "411702197508123459", "张建国", D(2099, 9, 5), "已履行", ""),
]
REMOVAL_CODES = (
    None,
    None,
    "enforcement.import.unknown_entry",
    "enforcement.import.removed_in_future",
)


def _public_date(value: Any) -> str:
    """The public list writes dates as 2024年06月20日."""
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month:02d}月{value.day:02d}日"
    if isinstance(value, str) and value[:4].isdigit() and value.count("-") == 2:
        y, m, d = value.split("-")
        return f"{y}年{m}月{d}日"
    return str(value)


def _json(rows: list[dict[str, Any]]) -> bytes:
    items = []
    for row in rows:
        item: dict[str, Any] = {}
        for key, _header, name in FIELDS:
            if not name:
                continue
            value = row[key]
            if key in ("filed_on", "published_on"):
                value = _public_date(value)
            item[name] = value
        items.append(item)
    document = {"code": 0, "message": "ok", "data": items}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def table(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(row[key] for key, _h, _j in FIELDS) for row in rows]


def build(kind: str, fmt: str) -> bytes:
    """A sample file: `kind` "debtors" or "removals"; `fmt` "csv" (GB18030), "csv-utf8"
    (UTF-8 with BOM), "xlsx" or (debtors only) "json"."""
    if kind == "debtors":
        if fmt == "json":
            return _json(ROWS)
        headers, rows = HEADERS, table(ROWS)
    elif kind == "removals":
        headers, rows = REMOVAL_HEADERS, REMOVALS
    else:
        raise ValueError(kind)
    if fmt == "csv-utf8":
        return sample_files.table_bytes("csv", headers, rows, encoding="utf-8")
    return sample_files.table_bytes(fmt, headers, rows)


FILES = {
    "debtors_gb18030.csv": ("debtors", "csv"),
    "debtors_utf8.csv": ("debtors", "csv-utf8"),
    "debtors.xlsx": ("debtors", "xlsx"),
    "debtors.json": ("debtors", "json"),
    "removals_gb18030.csv": ("removals", "csv"),
    "removals.xlsx": ("removals", "xlsx"),
}


def write_all(folder: pathlib.Path | None = None) -> list[pathlib.Path]:
    folder = folder or pathlib.Path(__file__).parent
    written = []
    for name, (kind, fmt) in FILES.items():
        path = folder / name
        path.write_bytes(build(kind, fmt))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
