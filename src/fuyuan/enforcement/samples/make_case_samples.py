"""Sample files of the court's ledger of government-debtor and livelihood enforcement cases
(涉党政机关 / 涉民生执行案件台账) as the feed `enforcement.cases` reads them, for the
intermediate court of 驻马店 (豫17) and the bodies of the org demo (and the test world):
CSV in GB18030 (as court systems write it) and .xlsx with real date cells, the same rows.

Rows chosen to show every check:
- good rows: a city body owing a builder (being enforced, part paid), a county government's
  arrears to an enterprise (closed, fully paid), unpaid wages of a private workshop on a
  payment plan, a medical-compensation case with nothing paid yet;
- refused rows: a civil case number, a government case without the debtor body, an unknown
  body, an amount owed of zero, more paid than owed, a filing date in the future, a closed
  case not fully paid without a note, an impossible date (2024-02-30), an unknown kind, and
  a case of the basic court of 上蔡县 (outside the intermediate court's remit);
- a repeated row (the first one again).

The data is invented. The sample download builds the files from this module; running it
(`python -m fuyuan.enforcement.samples.make_case_samples`) rewrites the copies beside it.
"""

from __future__ import annotations

import datetime
import pathlib
from typing import Any

from fuyuan.core import sample_files

D = datetime.date

HEADERS = (
    "案号",
    "执行法院",
    "案件类型",
    "是否涉企",
    "被执行单位",
    "被执行人",
    "申请执行人",
    "立案日期",
    "执行标的",
    "已执行到位金额",
    "到位日期",
    "案件状态",
    "结案日期",
    "备注",
)
ZY = "驻马店市中级人民法院"
SC = "上蔡县人民法院"
HOUSING = "驻马店市住房和城乡建设局"
HRSS = "驻马店市人力资源和社会保障局"
XIPING = "西平县人民政府"
FILED = D(2024, 3, 11)


def _row(
    number: str,
    kind: str,
    *,
    court: str = ZY,
    enterprise: str = "否",
    body: str = "",
    debtor: str = "",
    creditor: str = "驻马店市恒达建筑工程有限公司",
    filed_on: Any = FILED,
    owed: Any = "1,280,000.00",
    paid: Any = "",
    paid_on: Any = "",
    state: str = "执行中",
    closed_on: Any = "",
    note: str = "",
) -> tuple[Any, ...]:
    return (
        number,
        court,
        kind,
        enterprise,
        body,
        debtor,
        creditor,
        filed_on,
        owed,
        paid,
        paid_on,
        state,
        closed_on,
        note,
    )


GOOD = [
    _row(
        "（2024）豫17执501号",
        "涉党政机关",
        body=HOUSING,
        paid="300,000.00",
        paid_on=D(2024, 12, 20),
        note="约定分三期支付工程款",
    ),
    _row(
        "（2024）豫17执502号",
        "拖欠企业账款",
        enterprise="是",
        body=XIPING,
        creditor="河南天中路桥建设有限公司",
        filed_on=D(2024, 5, 20),
        owed="860000",
        paid="860000",
        paid_on=D(2025, 1, 10),
        state="已结案",
        closed_on=D(2025, 1, 15),
        note="全部履行完毕",
    ),
    _row(
        "（2025）豫17执33号",
        "追索劳动报酬",
        debtor="驻马店市某服装加工厂",
        creditor="王秀英等12人",
        filed_on=D(2025, 2, 10),
        owed="15.6万元",
        paid="50000",
        paid_on=D(2025, 4, 30),
        state="还款计划",
        note="按月支付，每月2万元",
    ),
    _row(
        "（2025）豫17执45号",
        "医疗损害赔偿",
        debtor="某民营医院",
        creditor="刘志强",
        filed_on=D(2025, 4, 2),
        owed="98000.50",
    ),
]
# (row, the code it is refused with)
REFUSED: list[tuple[tuple[Any, ...], str]] = [
    (_row("（2024）豫17民初12号", "涉党政机关", body=HOUSING), "enforcement.not_enforcement_case"),
    (_row("（2024）豫17执601号", "涉党政机关"), "enforcement.debtor_body_required"),
    (
        _row("（2024）豫17执602号", "涉党政机关", body="驻马店市不存在局"),
        "enforcement.import.unknown_body",
    ),
    (_row("（2025）豫17执603号", "涉党政机关", body=HRSS, owed="0"), "enforcement.amount_owed"),
    (
        _row("（2025）豫17执604号", "涉党政机关", body=HRSS, owed="10000", paid="12000"),
        "enforcement.overpaid",
    ),
    (
        _row("（2025）豫17执605号", "涉党政机关", body=HRSS, filed_on=D(2099, 1, 5)),
        "enforcement.filed_in_future",
    ),
    (
        _row(
            "（2024）豫17执606号",
            "涉党政机关",
            body=HRSS,
            paid="1000",
            state="已结案",
            closed_on=D(2025, 3, 1),
        ),
        "enforcement.close_note_required",
    ),
    (_row("（2024）豫17执607号", "涉党政机关", body=HRSS, filed_on="2024-02-30"), "import.date"),
    (_row("（2024）豫17执608号", "其它案件", body=HRSS), "import.choice"),
    (
        _row("（2024）豫1722执288号", "赡养费", court=SC, debtor="张某", creditor="张桂兰"),
        "enforcement.import.outside_remit",
    ),
]
DUPLICATE = GOOD[0]
ROWS: list[tuple[Any, ...]] = [*GOOD, *(row for row, _code in REFUSED), DUPLICATE]


def build(fmt: str) -> bytes:
    """The sample: `fmt` "csv" (GB18030) or "xlsx"."""
    return sample_files.table_bytes(fmt, HEADERS, ROWS)


FILES = {"cases_gb18030.csv": "csv", "cases.xlsx": "xlsx"}


def write_all(folder: pathlib.Path | None = None) -> list[pathlib.Path]:
    return sample_files.write_files(folder or pathlib.Path(__file__).parent, FILES, build)


if __name__ == "__main__":
    for path in write_all():
        print(path)
