"""Large debtor-list files for the bulk path: `n` distinct, valid rows of the court's list
(resident ID numbers with a correct check character, enforcement case numbers of 豫17's
courts), written as NDJSON in the public list's field names — what a court system pushes
through the API. Used by the importer's memory test and `benchmarks/push_memory.py`.
The data is invented."""

from __future__ import annotations

import datetime
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
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建国", "秀英", "志强", "丽", "磊", "红梅", "振华", "伟", "芳", "军")


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
        "iname": SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 20) % len(GIVEN)],
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
