"""Large debtor-list files for the bulk path: `n` distinct, valid rows of the court's list
(resident ID numbers with a correct check character, enforcement case numbers of 豫17's
courts), written as NDJSON in the public list's field names — what a court system pushes
through the API — or as CSV in the court's list columns (`debtors_utf8.csv`'s headers) — what
a court uploads. Used by the importer's memory test, `benchmarks/push_memory.py` and
`benchmarks/measures/debtor_import.py`. The data is invented."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from fuyuan.core.identifiers import resident_id_check_char

COURTS = (
    ("驻马店市中级人民法院", "豫17"),
    ("驻马店市驿城区人民法院", "豫1702"),
    ("西平县人民法院", "豫1721"),
    ("上蔡县人民法院", "豫1722"),
    ("汝南县人民法院", "豫1727"),
)
DIVISIONS = ("411702", "411721", "411722", "411727")
# Names from a pool of about 500,000 (100 surnames × 70 given-name characters, one or two of
# them), spread over n by a multiplicative hash: at 3,000,000 entries a name is carried by a
# handful of entries, as on a real list, not by 15,000 (the planner's estimates, and a
# name-only check's matches, depend on it).
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_CHARS = (
    "建国秀英志强丽磊红梅振华伟芳军明亮静敏燕玲桂兰海涛玉凤春霞平刚辉勇杰娟艳超文"
    "斌宇浩鹏飞翔云龙德成光荣福禄寿喜庆安宁波林峰松柏新雪晶晓东南北中"
)
_NAME_HASH = 2654435761  # Knuth's multiplicative constant (odd: a bijection modulo 2**32)


def debtor_name(n: int) -> str:
    """The name of row `n` of a large list (deterministic)."""
    h = (n * _NAME_HASH) % (1 << 32)
    surname = SURNAMES[h % len(SURNAMES)]
    g = h // len(SURNAMES)
    chars = len(GIVEN_CHARS)
    given = GIVEN_CHARS[g % chars]
    if (g // chars) % 4:  # three names in four have two given-name characters
        given += GIVEN_CHARS[(g // (4 * chars)) % chars]
    return surname + given


def resident_id(n: int) -> str:
    """A valid, distinct 18-digit ID number for each n < 4 × 36,500 × 1,000."""
    division = DIVISIONS[n % len(DIVISIONS)]
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=(n // 4) % 18250)
    sequence = (n // (4 * 18250)) % 1000
    first17 = f"{division}{born:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


def debtor(n: int) -> dict[str, Any]:
    """Row `n` of a large list, as the public list's JSON names it."""
    court, code = COURTS[n % len(COURTS)]
    year = 2020 + n % 5
    filed = datetime.date(year, 1 + n % 12, 1 + n % 28)
    return {
        "iname": debtor_name(n),
        "cardNum": resident_id(n),
        "sexy": "男" if n % 2 else "女",
        "age": 30 + n % 40,
        "courtName": court,
        "areaName": "河南",
        "gistId": f"（{year - 1}）{code}民初{n + 1}号",
        "gistUnit": court,
        "regDate": filed.isoformat(),
        "caseCode": f"（{year}）{code}执{n + 1}号",
        "duty": "偿还借款本金及利息",
        "performance": "全部未履行",
        "unperformPart": f"{1000 + n % 9000}元",
        "disruptTypeName": "有履行能力而拒不履行生效法律文书确定义务",
        "publishDate": (filed + datetime.timedelta(days=60)).isoformat(),
    }


def debtors(count: int, start: int = 0) -> Iterator[dict[str, Any]]:
    for n in range(start, start + count):
        yield debtor(n)


def write_ndjson(out: IO[bytes], count: int, start: int = 0) -> int:
    """Write `count` rows as NDJSON (UTF-8) to a binary stream; returns the bytes written."""
    written = 0
    for row in debtors(count, start):
        line = (json.dumps(row, ensure_ascii=False) + "\n").encode()
        out.write(line)
        written += len(line)
    return written


# The court's list columns (as `debtors_utf8.csv`), each with the public list's JSON name of
# the value written in it ("" = written empty), and the document type written for every row.
CSV_COLUMNS = (
    ("被执行人姓名/名称", "iname"),
    ("证件类型", ""),
    ("身份证号码/组织机构代码", "cardNum"),
    ("性别", "sexy"),
    ("年龄", "age"),
    ("法定代表人或者负责人姓名", ""),
    ("执行法院", "courtName"),
    ("省份", "areaName"),
    ("执行依据文号", "gistId"),
    ("做出执行依据单位", "gistUnit"),
    ("立案时间", "regDate"),
    ("案号", "caseCode"),
    ("生效法律文书确定的义务", "duty"),
    ("被执行人的履行情况", "performance"),
    ("已履行部分", ""),
    ("未履行部分", "unperformPart"),
    ("失信被执行人行为具体情形", "disruptTypeName"),
    ("发布时间", "publishDate"),
)
CSV_ID_TYPE = "居民身份证"


def csv_row(n: int) -> list[str]:
    """Row `n` of a large list as the cells of the court's CSV file."""
    row = debtor(n)
    cells = []
    for header, key in CSV_COLUMNS:
        if header == "证件类型":
            cells.append(CSV_ID_TYPE)
        else:
            cells.append(str(row[key]) if key else "")
    return cells


def write_csv(out: IO[bytes], count: int, start: int = 0) -> int:
    """Write `count` rows (n = start … start + count − 1) as a UTF-8 CSV with a BOM and the
    court's headers to a binary stream, streaming; the same arguments give the same bytes.
    Returns the bytes written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    written = out.write(b"\xef\xbb\xbf")
    writer.writerow([header for header, _key in CSV_COLUMNS])
    for n in range(start, start + count):
        writer.writerow(csv_row(n))
        if buffer.tell() >= 1 << 20 or n == start + count - 1:
            data = buffer.getvalue().encode()
            written += out.write(data)
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        written += out.write(buffer.getvalue().encode())
    return written
