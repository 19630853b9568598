"""Bulk update by spreadsheet: the liaison's sheet round-trips — rows matched by hidden id and
version, columns by header text, merged cells and title rows tolerated; the preview lists each
row's error and stale rows; confirming applies only the good rows, in one transaction, with one
audit entry; a second confirm does nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from fuyuan.audit.models import AuditEntry
from fuyuan.matters import actions, bulk
from fuyuan.matters.models import Feedback, Matter
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db


def _upload(client, content: bytes):
    file = io.BytesIO(content)
    file.name = "filled.xlsx"
    return client.post(reverse("matters:bulk_upload"), {"file": file})


def _columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[2]}


def test_excel_round_trip_applies_only_the_good_rows(world, client_for):
    liaison = world.users["hrss_liaison"]
    good1 = make_matter(world, title="欠薪案件协调", state="assigned")
    good2 = make_matter(world, title="出庭应诉培训", state="assigned")
    bad_percent = make_matter(world, title="执行案件清理", state="assigned")
    edited = make_matter(world, title="行政争议化解", state="assigned")
    untouched = make_matter(world, title="未填写事项", state="assigned")
    make_matter(world, lead="housing", title="问题楼盘化解", state="assigned")  # not hrss's

    client = client_for("hrss_liaison")
    download = client.get(reverse("matters:bulk_download"))
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(download.content))
    ws = wb.active
    col = _columns(ws)
    assert ws.column_dimensions["G"].hidden and ws.column_dimensions["H"].hidden
    by_id = {ws.cell(r, col["id"]).value: r for r in range(3, ws.max_row + 1)}
    assert set(by_id) == {good1.pk, good2.pk, bad_percent.pk, edited.pk, untouched.pk}

    ws.cell(by_id[good1.pk], col["进展情况"], "已召开协调会，兑付工资80万元")
    ws.cell(by_id[good1.pk], col["完成百分比"], 60)
    ws.cell(by_id[good2.pk], col["进展情况"], "完成两期培训")
    ws.cell(by_id[good2.pk], col["备注"], "第三期定于下月")
    ws.cell(by_id[bad_percent.pk], col["进展情况"], "清理中")
    ws.cell(by_id[bad_percent.pk], col["完成百分比"], "大约一半")  # broken row 1
    ws.cell(by_id[edited.pk], col["进展情况"], "已化解")
    extra = ws.max_row + 1
    ws.cell(extra, col["事项"], "不存在的事项")
    ws.cell(extra, col["进展情况"], "进展")
    ws.cell(extra, col["id"], 999999)  # broken row 2
    ws.cell(extra, col["version"], 1)
    out = io.BytesIO()
    wb.save(out)

    # Meanwhile the matter is edited elsewhere: signing it bumps its version.
    actions.transition(liaison, Matter.objects.get(pk=edited.pk), "sign")

    preview = _upload(client, out.getvalue())
    assert preview.status_code == 200
    p = preview.context["preview"]
    assert sorted(e.code for e in p.errors) == ["bulk.percent_invalid", "bulk.unknown_id"]
    assert [(s.code, s.matter_id) for s in p.stale] == [("bulk.stale", edited.pk)]
    assert {c.matter_id for c in p.changes} == {good1.pk, good2.pk}
    assert [s.matter_id for s in p.skipped] == [untouched.pk]
    change1 = next(c for c in p.changes if c.matter_id == good1.pk)
    assert (change1.old_percent, change1.new_percent) == (0, 60)
    assert Feedback.objects.count() == 0  # the preview writes nothing

    token = preview.context["token"]
    confirm = client.post(reverse("matters:bulk_confirm"), {"token": token})
    assert confirm.status_code == 302

    assert set(Feedback.objects.values_list("matter_id", flat=True)) == {good1.pk, good2.pk}
    fb1 = Feedback.objects.get(matter=good1)
    assert (fb1.text, fb1.progress, fb1.status, fb1.author, fb1.unit_id) == (
        "已召开协调会，兑付工资80万元",
        60,
        "submitted",
        liaison,
        world.units["hrss"].pk,
    )
    assert "第三期定于下月" in Feedback.objects.get(matter=good2).text
    good1.refresh_from_db()
    assert (good1.progress, good1.progress_typed, good1.version) == (60, 60, 3)
    for m in (bad_percent, edited, untouched):
        m.refresh_from_db()
        assert m.progress == 0
    assert good1.timeline.filter(kind="feedback").count() == 1
    assert edited.timeline.filter(kind="feedback").count() == 0
    audit = AuditEntry.objects.filter(action="matters.bulk_update")
    assert audit.count() == 1
    detail = audit.get().detail
    assert (detail["applied"], detail["stale"], detail["errors"]) == (2, 1, 2)
    assert len(detail["file_hash"]) == 64

    # Confirming the same token again does nothing.
    again = client.post(reverse("matters:bulk_confirm"), {"token": token})
    assert again.status_code == 302
    assert Feedback.objects.count() == 2
    assert AuditEntry.objects.filter(action="matters.bulk_update").count() == 1


def test_columns_are_matched_by_header_text_with_merged_cells_and_a_title_row(world):
    liaison = world.users["hrss_liaison"]
    a = make_matter(world, title="事项甲", state="assigned")
    b = make_matter(world, title="事项乙", state="assigned")
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "说明：请各单位于25日前填报"
    ws["A2"] = "工作落实台账"
    ws.merge_cells("A2:F2")
    # Columns in another order than the download, header text with stray spaces.
    for i, header in enumerate(["version", "完成百分比", " 进展情况 ", "ID", "事项", "备注"], 1):
        ws.cell(3, i, header)
    ws.append([a.version, "50%", "两单位共同推进", a.pk, a.title, None])
    ws.append([b.version, 0.3, None, b.pk, b.title, None])
    ws.merge_cells("C4:C5")  # one progress text for both rows
    out = io.BytesIO()
    wb.save(out)
    preview = bulk.parse_upload(liaison, out.getvalue())
    assert preview.errors == [] and preview.stale == []
    got = {c.matter_id: (c.new_text, c.new_percent) for c in preview.changes}
    assert got == {a.pk: ("两单位共同推进", 50), b.pk: ("两单位共同推进", 30)}


def test_a_matter_not_the_liaisons_is_refused(world):
    liaison = world.users["hrss_liaison"]
    co_handled = make_matter(
        world, lead="housing", title="配合事项", state="assigned", co_units=[world.units["hrss"]]
    )
    hidden = make_matter(world, lead="housing", title="他局事项", state="assigned")
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "version", "进展情况", "完成百分比"])
    ws.append([co_handled.pk, co_handled.version, "进展", 10])
    ws.append([hidden.pk, hidden.version, "进展", 10])
    ws.append([co_handled.pk, co_handled.version, "重复", 10])
    ws.append([co_handled.pk, co_handled.version, "越界", 101])
    out = io.BytesIO()
    wb.save(out)
    preview = bulk.parse_upload(liaison, out.getvalue())
    assert [(e.row, e.code) for e in preview.errors] == [
        (5, "bulk.percent_invalid"),
        (2, "bulk.not_yours"),
        (3, "bulk.unknown_id"),
        (4, "bulk.duplicate"),
    ]
    assert preview.changes == []


def test_a_file_without_the_header_row_is_refused_clearly(world, client_for):
    wb = Workbook()
    wb.active.append(["序号", "事项"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(bulk.BulkFileError) as err:
        bulk.parse_upload(world.users["hrss_liaison"], out.getvalue())
    assert err.value.code == "bulk.no_header"
    response = _upload(client_for("hrss_liaison"), b"not a workbook")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_a_row_changed_between_preview_and_confirm_is_skipped(world):
    liaison = world.users["hrss_liaison"]
    m = make_matter(world, title="事项甲", state="assigned")
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "version", "进展情况", "完成百分比"])
    ws.append([m.pk, m.version, "进展", 20])
    out = io.BytesIO()
    wb.save(out)
    preview = bulk.parse_upload(liaison, out.getvalue())
    assert len(preview.changes) == 1
    actions.transition(liaison, Matter.objects.get(pk=m.pk), "sign")
    result = bulk.apply_bulk_update(liaison, preview)
    assert result.applied == [] and [s.matter_id for s in result.stale] == [m.pk]
    assert not Feedback.objects.exists()
    assert AuditEntry.objects.get(action="matters.bulk_update").detail["stale"] == 1


def test_only_unit_roles_use_bulk_update(world, client_for):
    for name in ("city_office", "city_leader", "a_office", "system_admin", "audit_admin"):
        client = client_for(name)
        assert client.get(reverse("matters:bulk_download")).status_code == 403
        assert client.get(reverse("matters:bulk_upload")).status_code == 403
    assert client_for("court_staff").get(reverse("matters:bulk_upload")).status_code == 200
