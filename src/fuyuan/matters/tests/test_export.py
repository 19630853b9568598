"""The ledger export is the office's own sheet: six Chinese headers, a title row, landscape,
fitted to the page width, the header row repeated on every printed page, and only the rows
of the current filter and the reader's scope."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fuyuan.matters.exports import LEDGER_HEADERS
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db


def test_export_has_the_office_layout_and_print_setup(world, client_for):
    make_matter(
        world, title="人社局欠薪案件协调", state="assigned", co_units=[world.units["court"]]
    )
    make_matter(world, lead="housing", title="问题楼盘化解", state="assigned")
    response = client_for("city_office").get(reverse("matters:ledger_export"))
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    disposition = response["Content-Disposition"]
    assert f"filename*=UTF-8''{quote(f'工作落实台账-{today}.xlsx')}" in disposition
    ws = load_workbook(io.BytesIO(response.content)).active
    assert (
        tuple(c.value for c in ws[2])
        == LEDGER_HEADERS
        == (
            "序号",
            "责任单位",
            "事项",
            "完成时限",
            "进展情况",
            "备注",
        )
    )
    assert ws["A1"].value == "工作落实台账"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$2:$2"
    assert ws["B3"].border.left.style == "thin"
    assert ws["E3"].alignment.wrap_text is True
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == [1, 2]
    assert {r[2] for r in rows} == {"人社局欠薪案件协调", "问题楼盘化解"}
    hrss_row = next(r for r in rows if r[2] == "人社局欠薪案件协调")
    assert "驻马店市人力资源和社会保障局" in hrss_row[1]
    assert "驻马店市中级人民法院" in hrss_row[1]


def test_export_follows_the_filter_and_the_scope(world, client_for):
    make_matter(world, title="人社局欠薪案件协调", state="assigned")
    make_matter(world, lead="housing", title="问题楼盘化解", state="assigned")
    url = reverse("matters:ledger_export")

    def exported(client, **params) -> list[str]:
        ws = load_workbook(io.BytesIO(client.get(url, params).content)).active
        return [row[2].value for row in ws.iter_rows(min_row=3)]

    assert exported(client_for("city_office"), q="楼盘") == ["问题楼盘化解"]
    assert exported(client_for("hrss_liaison")) == ["人社局欠薪案件协调"]
    assert exported(client_for("a_office")) == []
    assert client_for("audit_admin").get(url).status_code == 403
