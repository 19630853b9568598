"""Sample files of the court's ledger of bankruptcy cases (破产案件台账) as the feed
`bankruptcy.cases` reads them, for the intermediate court of 驻马店 (豫17): CSV in GB18030 (as
court systems write it) and .xlsx with real date cells, the same rows.

Rows chosen to show every check:
- good rows: an application under review (破申), a liquidation without assets (无产可破), a
  reorganisation of a property developer, a concluded case whose stage follows its dates;
- refused rows: an enforcement case number, a court that is not the number's, a credit code
  with a wrong check character, a malformed credit code, a liquidation without its
  acceptance date, an acceptance before the application, an application in the future, a
  missing debtor, an employee count that is not a number, and a case of the basic court of
  上蔡县 (outside the intermediate court's remit);
- a repeated row (the first one again).

The data is invented. The sample download builds the files from this module; running it
(`python -m fuyuan.bankruptcy.samples.make_samples`) rewrites the copies beside it.
"""

from __future__ import annotations

import datetime
import pathlib
from typing import Any

from fuyuan.core import sample_files

D = datetime.date

HEADERS = (
    "案号",
    "受理法院",
    "债务人",
    "统一社会信用代码",
    "管理人",
    "管理人联系方式",
    "申请日期",
    "受理日期",
    "终结日期",
    "案件阶段",
    "是否无产可破",
    "职工人数",
    "备注",
)
ZY = "驻马店市中级人民法院"
LAWYERS = "河南天中律师事务所"
APPLIED = D(2024, 3, 1)


def _row(
    number: str,
    debtor: str = "驻马店市宏达机械制造有限公司",
    *,
    court: str = ZY,
    code: str = "91411700MA45C3D4EP",
    administrator: str = LAWYERS,
    contact: str = "0396-2881234",
    applied_on: Any = APPLIED,
    accepted_on: Any = "",
    concluded_on: Any = "",
    stage: str = "",
    no_assets: str = "否",
    employees: Any = 45,
    note: str = "",
) -> tuple[Any, ...]:
    return (
        number,
        court,
        debtor,
        code,
        administrator,
        contact,
        applied_on,
        accepted_on,
        concluded_on,
        stage,
        no_assets,
        employees,
        note,
    )


GOOD = [
    _row(
        "（2025）豫17破申3号",
        "驻马店市恒远纺织有限公司",
        code="91411700MA44A1B2CK",
        administrator="",
        contact="",
        applied_on=D(2025, 1, 5),
        stage="破产申请审查",
        employees=120,
    ),
    _row(
        "（2024）豫17破7号",
        accepted_on=D(2024, 4, 10),
        stage="破产清算",
        no_assets="是",
    ),
    _row(
        "（2024）豫17破12号",
        "驻马店市华信置业有限公司",
        code="91411700MA48M2N3PU",
        administrator="北京大成（郑州）律师事务所",
        applied_on=D(2024, 5, 6),
        accepted_on=D(2024, 6, 18),
        stage="重整",
        employees="310人",
        note="涉及购房户1200户",
    ),
    _row(
        "（2023）豫17破3号",
        "驻马店市永盛商贸有限公司",
        code="91411721MA46F5G6HR",
        administrator="河南豫南会计师事务所",
        applied_on=D(2023, 2, 1),
        accepted_on=D(2023, 3, 1),
        concluded_on=D(2024, 9, 30),
        no_assets="是",
        employees=12,
    ),
]
# (row, the code it is refused with)
REFUSED: list[tuple[tuple[Any, ...], str]] = [
    (_row("（2024）豫17执55号"), "bankruptcy.not_bankruptcy_case"),
    (_row("（2024）豫17破20号", court="上蔡县人民法院"), "bankruptcy.court_mismatch"),
    (_row("（2024）豫17破21号", code="91411700MA44A1B2C0"), "uscc.checksum"),
    (_row("（2024）豫17破22号", code="91411700MA44A1B2"), "uscc.length"),
    (_row("（2024）豫17破23号", stage="破产清算"), "bankruptcy.accepted_on_required"),
    (_row("（2024）豫17破24号", accepted_on=D(2024, 2, 1)), "bankruptcy.date_order"),
    (_row("（2024）豫17破25号", applied_on=D(2099, 1, 5)), "bankruptcy.date_in_future"),
    (_row("（2024）豫17破26号", ""), "import.required"),
    (_row("（2024）豫17破27号", employees="很多"), "import.int"),
    (
        _row("（2024）豫1722破5号", court="上蔡县人民法院", accepted_on=D(2024, 4, 1)),
        "bankruptcy.import.outside_remit",
    ),
]
DUPLICATE = GOOD[0]
ROWS: list[tuple[Any, ...]] = [*GOOD, *(row for row, _code in REFUSED), DUPLICATE]


def build(fmt: str) -> bytes:
    """The sample: `fmt` "csv" (GB18030) or "xlsx"."""
    return sample_files.table_bytes(fmt, HEADERS, ROWS)


FILES = {"bankruptcy_cases_gb18030.csv": "csv", "bankruptcy_cases.xlsx": "xlsx"}


def write_all(folder: pathlib.Path | None = None) -> list[pathlib.Path]:
    return sample_files.write_files(folder or pathlib.Path(__file__).parent, FILES, build)


if __name__ == "__main__":
    for path in write_all():
        print(path)
