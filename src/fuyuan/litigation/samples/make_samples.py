"""Sample exports of the court's case system (法院案件管理系统导出), as the litigation importers
read them: administrative cases and hearings of 驻马店's courts (豫17 and the basic courts
豫1702 … 豫1729), with the city's and counties' bodies as defendants by their full names.

The data is invented (plaintiffs, companies, numbers, people); the bodies and courts are the
demo's. Each feed comes as a CSV in GB18030 (as court systems often produce) and as an .xlsx
with real date cells. The download view builds the files from this module; running it
(`python -m fuyuan.litigation.samples.make_samples`) rewrites the copies kept beside it.
"""

from __future__ import annotations

import csv
import datetime
import io
import pathlib

D = datetime.date
DT = datetime.datetime

CASE_HEADERS = (
    "案号",
    "承办法院",
    "原告",
    "被告",
    "案由",
    "是否涉企",
    "立案日期",
    "审理阶段",
    "结案日期",
    "结案方式",
    "备注",
)

# (案号, 承办法院, 原告, 被告, 案由, 是否涉企, 立案日期, 审理阶段, 结案日期, 结案方式, 备注)
CASES: list[tuple[object, ...]] = [
    (
        "（2025）豫17行初8号",
        "驻马店市中级人民法院",
        "驻马店市恒通置业有限公司",
        "驻马店市人民政府、驻马店市自然资源和规划局",
        "土地行政征收",
        "是",
        D(2025, 2, 17),
        "已结案",
        D(2025, 7, 3),
        "驳回诉讼请求",
        "",
    ),
    (
        "（2025）豫17行初21号",
        "驻马店市中级人民法院",
        "刘桂兰、刘建设",
        "驻马店市人民政府",
        "行政复议",
        "否",
        D(2025, 4, 8),
        "已结案",
        D(2025, 9, 19),
        "维持",
        "复议决定维持",
    ),
    (
        "（2025）豫17行终66号",
        "驻马店市中级人民法院",
        "河南天中建材有限公司",
        "驻马店市市场监督管理局",
        "行政处罚",
        "是",
        D(2025, 5, 26),
        "已结案",
        D(2025, 8, 14),
        "撤销",
        "二审改判撤销处罚决定",
    ),
    (
        "（2025）豫1702行初112号",
        "驻马店市驿城区人民法院",
        "张玉梅",
        "驻马店市人力资源和社会保障局",
        "工伤认定",
        "否",
        D(2025, 3, 11),
        "已结案",
        D(2025, 6, 20),
        "撤销",
        "责令重新作出工伤认定",
    ),
    (
        "（2025）豫1702行初187号",
        "驻马店市驿城区人民法院",
        "驻马店市鑫源物流有限公司",
        "驻马店市交通运输局",
        "行政处罚",
        "是",
        D(2025, 5, 6),
        "已结案",
        D(2025, 8, 29),
        "调解",
        "协调化解后调解结案",
    ),
    (
        "（2025）豫1702行初203号",
        "驻马店市驿城区人民法院",
        "陈国强",
        "驻马店市住房和城乡建设局",
        "政府信息公开",
        "否",
        D(2025, 5, 22),
        "已结案",
        D(2025, 7, 15),
        "撤诉",
        "已公开相关信息，原告撤诉",
    ),
    (
        "（2025）豫1702行初245号",
        "驻马店市驿城区人民法院",
        "王淑珍",
        "驻马店市城市管理局",
        "行政强制拆除",
        "否",
        D(2025, 6, 18),
        "已结案",
        D(2025, 11, 4),
        "确认违法",
        "",
    ),
    (
        "（2025）豫1702行初301号",
        "驻马店市驿城区人民法院",
        "驻马店市华宇商贸有限公司",
        "国家税务总局驻马店市税务局",
        "税务行政处理",
        "是",
        D(2025, 8, 5),
        "已结案",
        D(2025, 12, 10),
        "驳回诉讼请求",
        "",
    ),
    (
        "（2025）豫1721行初34号",
        "西平县人民法院",
        "李红军",
        "上蔡县人力资源和社会保障局",
        "社会保险待遇核定",
        "否",
        D(2025, 3, 27),
        "已结案",
        D(2025, 7, 30),
        "责令履行",
        "相对集中管辖",
    ),
    (
        "（2025）豫1721行初58号",
        "西平县人民法院",
        "赵德胜；赵德利",
        "上蔡县人民政府",
        "房屋征收补偿",
        "否",
        D(2025, 6, 9),
        "已结案",
        D(2025, 10, 21),
        "赔偿",
        "行政赔偿一并审理",
    ),
    (
        "（2025）豫1722行初41号",
        "上蔡县人民法院",
        "孙秀云",
        "西平县自然资源局",
        "土地行政登记",
        "否",
        D(2025, 4, 15),
        "已结案",
        D(2025, 8, 7),
        "驳回诉讼请求",
        "相对集中管辖",
    ),
    (
        "（2025）豫1722行初77号",
        "上蔡县人民法院",
        "西平县金穗农业专业合作社",
        "西平县人民政府、西平县财政局",
        "行政协议",
        "是",
        D(2025, 7, 2),
        "已结案",
        D(2025, 11, 26),
        "确认无效",
        "",
    ),
    (
        "（2025）豫1726行初19号",
        "泌阳县人民法院",
        "周永福",
        "确山县公安局",
        "治安行政处罚",
        "否",
        D(2025, 2, 26),
        "已结案",
        D(2025, 5, 13),
        "变更",
        "变更罚款数额",
    ),
    (
        "（2025）豫1727行初62号",
        "汝南县人民法院",
        "平舆县鸿运食品有限公司",
        "平舆县市场监督管理局",
        "行政处罚",
        "是",
        D(2025, 9, 16),
        "已结案",
        D(2026, 1, 22),
        "驳回诉讼请求",
        "",
    ),
    (
        "（2026）豫17行初5号",
        "驻马店市中级人民法院",
        "黄振华",
        "驻马店市人民政府",
        "不履行法定职责",
        "否",
        D(2026, 1, 19),
        "已结案",
        D(2026, 5, 28),
        "驳回诉讼请求",
        "",
    ),
    (
        "（2026）豫17行初17号",
        "驻马店市中级人民法院",
        "驻马店市宏达房地产开发有限公司",
        "驻马店市人民政府、驻马店市住房和城乡建设局",
        "房屋征收决定",
        "是",
        D(2026, 3, 9),
        "审理中",
        None,
        "",
        "",
    ),
    (
        "（2026）豫1702行初36号",
        "驻马店市驿城区人民法院",
        "郭秀英",
        "驻马店市人力资源和社会保障局",
        "工伤认定",
        "否",
        D(2026, 2, 24),
        "已结案",
        D(2026, 6, 16),
        "驳回诉讼请求",
        "",
    ),
    (
        "（2026）豫1702行初88号",
        "驻马店市驿城区人民法院",
        "驻马店市通达运输有限公司",
        "驻马店市生态环境局",
        "环境行政处罚",
        "是",
        D(2026, 4, 21),
        "审理中",
        None,
        "",
        "",
    ),
    (
        "（2026）豫1702行初126号",
        "驻马店市驿城区人民法院",
        "马建军",
        "驿城区人民政府",
        "行政强制拆除",
        "否",
        D(2026, 6, 3),
        "审理中",
        None,
        "",
        "",
    ),
    (
        "（2026）豫1721行初22号",
        "西平县人民法院",
        "杨春花",
        "上蔡县住房和城乡建设局",
        "政府信息公开",
        "否",
        D(2026, 3, 18),
        "已结案",
        D(2026, 5, 6),
        "撤诉",
        "",
    ),
    (
        "（2026）豫1722行初15号",
        "上蔡县人民法院",
        "西平县兴业建筑劳务有限公司",
        "西平县人力资源和社会保障局",
        "劳动保障监察",
        "是",
        D(2026, 4, 2),
        "审理中",
        None,
        "",
        "",
    ),
    (
        "（2026）豫1728行初9号",
        "遂平县人民法院",
        "吴天明",
        "汝南县自然资源局",
        "土地行政处罚",
        "否",
        D(2026, 5, 12),
        "审理中",
        None,
        "",
        "",
    ),
    (
        "（2026）豫1729行初27号",
        "新蔡县人民法院",
        "新蔡县福源养殖专业合作社",
        "正阳县人民政府",
        "行政补偿",
        "是",
        D(2026, 7, 7),
        "立案",
        None,
        "",
        "",
    ),
    (
        "（2026）豫1724行初31号",
        "正阳县人民法院",
        "何玉兰",
        "新蔡县市场监督管理局",
        "行政登记",
        "否",
        D(2026, 8, 25),
        "立案",
        None,
        "",
        "",
    ),
]

HEARING_HEADERS = (
    "案号",
    "开庭时间",
    "法庭",
    "状态",
    "出庭负责人",
    "职务",
    "负责人类别",
    "是否出声",
    "未出庭原因",
)

# (案号, 开庭时间, 法庭, 状态, 出庭负责人, 职务, 负责人类别, 是否出声, 未出庭原因)
# fmt: off
HEARINGS: list[tuple[object, ...]] = [
    ("（2025）豫17行初8号", DT(2025, 4, 22, 9, 0), "第一审判庭", "已开庭",
     "高志远", "副市长", "副职", "是", ""),
    ("（2025）豫17行初21号", DT(2025, 6, 12, 14, 30), "第三审判庭", "已开庭",
     "孟庆华", "副市长", "副职", "是", ""),
    ("（2025）豫17行终66号", DT(2025, 7, 9, 9, 30), "第二审判庭", "已开庭",
     "许文斌", "局长", "正职", "是", ""),
    ("（2025）豫1702行初112号", DT(2025, 5, 14, 9, 0), "行政审判庭", "已开庭",
     "", "", "未出庭", "否", "局长参加全省人社工作会议，委托工作人员出庭"),
    ("（2025）豫1702行初187号", DT(2025, 6, 25, 15, 0), "行政审判庭", "已开庭",
     "邵明亮", "副局长", "副职", "是", ""),
    ("（2025）豫1702行初245号", DT(2025, 9, 3, 9, 0), "行政审判庭", "已开庭",
     "曹立新", "局长", "正职", "否", ""),
    ("（2025）豫1702行初301号", DT(2025, 10, 15, 9, 30), "第二法庭", "已开庭",
     "冯建伟", "副局长", "副职", "是", ""),
    ("（2025）豫1721行初34号", DT(2025, 5, 20, 9, 0), "第一法庭", "已开庭",
     "", "", "未出庭", "否", "负责人因公出差，未能出庭"),
    ("（2025）豫1721行初58号", DT(2025, 8, 19, 14, 30), "第一法庭", "已开庭",
     "韩卫东", "副县长", "副职", "是", ""),
    ("（2025）豫1722行初41号", DT(2025, 6, 10, 9, 0), "行政审判庭", "已开庭",
     "蒋红梅", "局长", "正职", "是", ""),
    ("（2025）豫1722行初77号", DT(2025, 9, 24, 9, 0), "行政审判庭", "已开庭",
     "董保国", "副县长", "副职", "否", ""),
    ("（2025）豫1726行初19号", DT(2025, 4, 9, 9, 30), "第三法庭", "已开庭",
     "谢春雷", "副局长", "副职", "是", ""),
    ("（2025）豫1727行初62号", DT(2025, 11, 18, 9, 0), "行政审判庭", "已开庭",
     "潘志强", "局长", "正职", "是", ""),
    ("（2026）豫17行初5号", DT(2026, 3, 26, 9, 0), "第一审判庭", "已开庭",
     "田海涛", "常务副市长", "副职", "是", ""),
    ("（2026）豫17行初17号", DT(2026, 5, 19, 9, 0), "第一审判庭", "取消", "", "", "", "", ""),
    ("（2026）豫17行初17号", DT(2026, 12, 15, 9, 0), "第一审判庭", "待开庭",
     "", "", "", "", ""),
    ("（2026）豫1702行初36号", DT(2026, 4, 28, 14, 30), "行政审判庭", "已开庭",
     "邵明亮", "副局长", "副职", "是", ""),
    ("（2026）豫1702行初88号", DT(2026, 7, 8, 9, 0), "行政审判庭", "已开庭",
     "袁丽娟", "局长", "正职", "是", ""),
    ("（2026）豫1702行初126号", DT(2026, 12, 9, 9, 30), "行政审判庭", "待开庭",
     "", "", "", "", ""),
    ("（2026）豫1722行初15号", DT(2026, 6, 17, 9, 0), "行政审判庭", "已开庭",
     "", "", "未出庭", "否", "负责人身体原因住院治疗，已提交书面说明"),
    ("（2026）豫1728行初9号", DT(2026, 12, 2, 15, 0), "第二法庭", "待开庭",
     "", "", "", "", ""),
]
# fmt: on


def rows(feed: str) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """Headers and rows of a feed's sample: "cases" or "hearings"."""
    if feed == "cases":
        return CASE_HEADERS, CASES
    if feed == "hearings":
        return HEARING_HEADERS, HEARINGS
    raise KeyError(feed)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def as_csv(feed: str) -> bytes:
    """The feed's sample as the court system's CSV: GB18030, CRLF line ends."""
    headers, data = rows(feed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in data:
        writer.writerow([_text(v) for v in row])
    return out.getvalue().encode("gb18030")


def as_xlsx(feed: str) -> bytes:
    """The feed's sample as an .xlsx workbook: one sheet, a header row, date cells."""
    from openpyxl import Workbook

    headers, data = rows(feed)
    wb = Workbook()
    ws = wb.active
    ws.title = "行政案件" if feed == "cases" else "开庭信息"
    ws.append(list(headers))
    for row in data:
        ws.append(["" if v is None else v for v in row])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    fixed = datetime.datetime(2026, 11, 1, 8, 0)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# name of the kept copy → (feed, format)
FILES = {
    "court_cases_gb18030.csv": ("cases", "csv"),
    "court_cases.xlsx": ("cases", "xlsx"),
    "court_hearings_gb18030.csv": ("hearings", "csv"),
    "court_hearings.xlsx": ("hearings", "xlsx"),
}


def build(feed: str, fmt: str) -> bytes:
    return as_csv(feed) if fmt == "csv" else as_xlsx(feed)


def main() -> None:
    here = pathlib.Path(__file__).resolve().parent
    for name, (feed, fmt) in FILES.items():
        (here / name).write_bytes(build(feed, fmt))
        print(here / name)


if __name__ == "__main__":
    main()
