"""Bulk update by spreadsheet, on the shared importer (feed "matters.progress"): the liaison's
sheet round-trips — rows matched by hidden id and version, columns by header text, merged
cells and title rows tolerated; the preview shows what each good row changes and every refused
row with its code (stale rows too) and writes nothing; confirming applies only the good rows,
checked again, in one transaction with one audit entry; the same file is not applied twice."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from fuyuan.audit.models import AuditEntry
from fuyuan.core import importing
from fuyuan.core.importing import CellError, ImportFileError
from fuyuan.core.models import ImportState
from fuyuan.matters import actions, importers
from fuyuan.matters.importers import (
    NOT_PERMITTED,
    PERCENT_INVALID,
    STALE,
    UNKNOWN_MATTER,
    parse_percent,
)
from fuyuan.matters.models import Feedback, Matter
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db

AUDIT = "import.matters.progress"


def _upload(client, content: bytes, name: str = "filled.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("matters:bulk_upload"), {"file": file})


def _preview(user, content: bytes, name: str = "filled.xlsx"):
    upload = SimpleUploadedFile(name, content)
    return importing.preview(importers.FEED, importers.sheet_for_import(upload), user)


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _issues(batch) -> list[tuple[int, str]]:
    return list(batch.issues.order_by("row_number", "pk").values_list("row_number", "code"))


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

    uploaded = _upload(client, out.getvalue())
    assert uploaded.status_code == 302
    preview = client.get(uploaded.url)
    assert preview.status_code == 200
    batch = preview.context["batch"]
    assert batch.state == ImportState.PREVIEWED
    # Row numbers are the sheet's own (the title row and the header come first).
    assert _issues(batch) == sorted(
        [
            (by_id[bad_percent.pk], PERCENT_INVALID),
            (by_id[edited.pk], STALE),
            (extra, UNKNOWN_MATTER),
        ]
    )
    plan = preview.context["plan"]
    assert {c.matter_id for c in plan.changes} == {good1.pk, good2.pk}
    assert plan.skipped == 1  # the untouched matter
    change1 = next(c for c in plan.changes if c.matter_id == good1.pk)
    assert (change1.old_percent, change1.new_percent, change1.row) == (0, 60, by_id[good1.pk])
    assert change1.new_text == "已召开协调会，兑付工资80万元"
    assert b'id="bulk-changes"' in preview.content and b'id="import-confirm"' in preview.content
    assert Feedback.objects.count() == 0  # the preview writes nothing
    assert not AuditEntry.objects.filter(action=AUDIT).exists()

    confirm = client.post(reverse("matters:bulk_confirm", args=[batch.pk]))
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
    assert untouched.feedback.count() == 0
    entry = good1.timeline.get(kind="feedback")
    assert entry.detail["import"] == batch.pk and entry.detail["row"] == by_id[good1.pk]
    assert edited.timeline.filter(kind="feedback").count() == 0
    batch.refresh_from_db()
    assert (batch.state, batch.updated_rows, batch.unchanged_rows) == ("imported", 2, 1)
    audit = AuditEntry.objects.filter(action=AUDIT)
    assert audit.count() == 1  # one entry for the batch, none per row
    detail = audit.get().detail
    assert detail["counts"]["error"] == 3 and detail["counts"]["ok"] == 3
    assert detail["stored"] == {"created": 0, "updated": 2, "unchanged": 1}
    assert len(detail["sha256"]) == 64

    # Confirming the same batch again, or uploading the same file again, does nothing.
    again = client.post(reverse("matters:bulk_confirm", args=[batch.pk]))
    assert again.status_code == 302
    second = _upload(client, out.getvalue())
    assert client.get(second.url).context["batch"].state == ImportState.DUPLICATE_FILE
    assert Feedback.objects.count() == 2
    assert AuditEntry.objects.filter(action=AUDIT).count() == 1


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
    batch = _preview(liaison, out.getvalue())
    assert (batch.error_rows, batch.ok_rows) == (0, 2)
    plan = importers.planned_changes(batch, liaison)
    got = {c.matter_id: (c.new_text, c.new_percent, c.row) for c in plan.changes}
    assert got == {a.pk: ("两单位共同推进", 50, 4), b.pk: ("两单位共同推进", 30, 5)}


def test_a_sheet_whose_header_is_the_first_row_is_imported_as_uploaded(world):
    liaison = world.users["hrss_liaison"]
    m = make_matter(world, title="事项甲", state="assigned")
    content = _xlsx([["id", "version", "进展情况"], [m.pk, m.version, "进展"]])
    batch = _preview(liaison, content)
    assert batch.name == "filled.xlsx" and batch.ok_rows == 1


def test_a_matter_not_the_liaisons_is_refused(world):
    liaison = world.users["hrss_liaison"]
    co_handled = make_matter(
        world, lead="housing", title="配合事项", state="assigned", co_units=[world.units["hrss"]]
    )
    hidden = make_matter(world, lead="housing", title="他局事项", state="assigned")
    own = make_matter(world, title="本局事项", state="assigned")
    content = _xlsx(
        [
            ["id", "version", "进展情况", "完成百分比"],
            [co_handled.pk, co_handled.version, "进展", 10],
            [hidden.pk, hidden.version, "进展", 10],
            [own.pk, own.version, "进展", 10],
            [own.pk, own.version, "重复", 10],
            [own.pk, own.version, "越界", 101],
            [None, None, "没有编号", None],
        ]
    )
    batch = _preview(liaison, content)
    assert _issues(batch) == [
        (2, NOT_PERMITTED),
        (3, UNKNOWN_MATTER),
        (5, "import.duplicate_row"),
        (6, PERCENT_INVALID),
        (7, UNKNOWN_MATTER),
    ]
    plan = importers.planned_changes(batch, liaison)
    assert [c.matter_id for c in plan.changes] == [own.pk]


def test_a_file_without_the_header_row_is_refused_clearly(world, client_for):
    with pytest.raises(ImportFileError) as err:
        _preview(world.users["hrss_liaison"], _xlsx([["序号", "事项"]]))
    assert err.value.code == importers.NO_HEADER
    client = client_for("hrss_liaison")
    for content, name in ((b"not a workbook", "filled.xlsx"), (b"a,b\n1,2\n", "filled.csv")):
        response = _upload(client, content, name)
        assert response.status_code == 200
        assert response.context["form"].errors["file"]


def test_a_row_changed_between_preview_and_confirm_is_skipped(world):
    liaison = world.users["hrss_liaison"]
    m = make_matter(world, title="事项甲", state="assigned")
    batch = _preview(
        liaison, _xlsx([["id", "version", "进展情况", "完成百分比"], [m.pk, 2, "进展", 20]])
    )
    assert len(importers.planned_changes(batch, liaison).changes) == 1
    actions.transition(liaison, Matter.objects.get(pk=m.pk), "sign")
    assert importers.planned_changes(batch, liaison).changes == []
    batch = importing.confirm(batch, liaison)
    assert (batch.state, batch.updated_rows) == ("imported", 0)
    assert _issues(batch) == [(2, STALE)]
    assert not Feedback.objects.exists()
    assert AuditEntry.objects.get(action=AUDIT).detail["counts"]["error"] == 1


def test_a_percentage_on_a_matter_with_milestones_stays_on_the_report(world):
    liaison = world.users["hrss_liaison"]
    m = make_matter(world, title="事项甲", state="assigned")
    actions.set_milestones(
        world.users["city_office"],
        m,
        [{"title": "方案", "due_date": m.deadline, "weight": 1}],
    )
    m.refresh_from_db()
    batch = _preview(
        liaison, _xlsx([["id", "version", "进展情况", "完成百分比"], [m.pk, m.version, "进展", 40]])
    )
    plan = importers.planned_changes(batch, liaison)
    assert [c.percent_applies for c in plan.changes] == [False]
    importing.confirm(batch, liaison)
    m.refresh_from_db()
    assert (m.progress, Feedback.objects.get(matter=m).progress) == (0, 40)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("50", 50), ("50%", 50), ("５０％", 50), ("0.3", 30), ("60.0", 60), ("0", 0), ("100", 100)],
)
def test_percentages_read_as_offices_write_them(text, expected):
    assert parse_percent(text) == expected


@pytest.mark.parametrize("text", ["大约一半", "101", "12.5", "-1", "0.333", "inf"])
def test_a_percentage_that_is_not_a_whole_number_from_0_to_100_is_refused(text):
    with pytest.raises(CellError) as err:
        parse_percent(text)
    assert err.value.code == PERCENT_INVALID


def test_only_unit_roles_use_bulk_update_and_only_on_their_own_batches(world, client_for):
    for name in ("city_office", "city_leader", "a_office", "system_admin", "audit_admin"):
        client = client_for(name)
        assert client.get(reverse("matters:bulk_download")).status_code == 403
        assert client.get(reverse("matters:bulk_upload")).status_code == 403
    court = client_for("court_staff")
    assert court.get(reverse("matters:bulk_upload")).status_code == 200
    m = make_matter(world, title="事项甲", state="assigned")
    batch = _preview(
        world.users["hrss_liaison"],
        _xlsx([["id", "version", "进展情况"], [m.pk, m.version, "进展"]]),
    )
    assert court.get(reverse("matters:bulk_preview", args=[batch.pk])).status_code == 404
    assert court.post(reverse("matters:bulk_confirm", args=[batch.pk])).status_code == 404
    assert (
        client_for("city_office").get(reverse("matters:bulk_preview", args=[batch.pk])).status_code
        == 403
    )
    assert not Feedback.objects.exists()


def test_a_units_progress_batch_is_seen_by_its_uploader_alone(world):
    """Batches of a court ledger are shared by everyone who may import to the feed; a unit's
    progress sheet is not: another unit's liaison (who may import progress sheets too) does
    not see it in the batch lists, pages or the API."""
    from fuyuan.core.models import ImportBatch

    m = make_matter(world, title="事项甲", state="assigned")
    batch = _preview(
        world.users["hrss_liaison"],
        _xlsx([["id", "version", "进展情况"], [m.pk, m.version, "进展"]]),
    )
    visible = ImportBatch.objects.visible_to
    assert list(visible(world.users["hrss_liaison"])) == [batch]
    assert not visible(world.users["housing_liaison"]).filter(pk=batch.pk).exists()
