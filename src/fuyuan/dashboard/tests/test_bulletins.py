"""Bulletins (通报): generated from a period's figures, worded by the office (a stale form is
refused), signed off on the documents app's chain and issued under a document number as a
GB/T 9704 .docx that carries the exact figures; issuing sends it once to the member units'
liaison officers and court staff; only the mechanism's members and the offices above see it.

The data (today is 15 June 2026; the bulletin is on May 2026), city matters by lead unit:
  A 人社局 deadline 05-20, reported 05-10, completed 05-12   May, on time (rated 5/5/5)
  B 人社局 deadline 05-25, reported 05-18, completed 05-20   May, on time
  C 住建局 deadline 05-31, reported 05-28, completed 05-30   May, on time
  D 住建局 deadline 05-10, reported 05-15, completed 05-16   May, late (red card)
  E 住建局 deadline 06-01, running                          red, 14 days overdue
  F 人社局 deadline 12-31, running                          green
  G 中院   deadline 04-30, completed 04-20 (no report)      April, on time
May: 4 finished, 3 on time → 75.0%; the year so far (to 31 May): 5 and 4 → 80.0%.
Ranking: 人社局 2/2 and 中院 1/1 share rank 1 (100.0%, no red card), 住建局 1/2 (50.0%, two
red cards: D and E) is third; with "2 reds → formal talk" 住建局 is to be talked to.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from docx import Document

from fuyuan.audit.models import AuditEntry
from fuyuan.core.models import StaleObjectError
from fuyuan.core.workflow import TransitionError
from fuyuan.dashboard import bulletin_actions, bulletin_docs
from fuyuan.dashboard.models import Bulletin
from fuyuan.documents import actions as doc_actions
from fuyuan.matters import workflow as wf
from fuyuan.matters.models import Evaluation, Matter
from fuyuan.notify.models import InboxMessage, OutboxMessage
from fuyuan.testing import World, make_matter, make_user

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 6, 15)
HRSS = "驻马店市人力资源和社会保障局"
HOUSING = "驻马店市住房和城乡建设局"
COURT = "驻马店市中级人民法院"


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 6, 15, 10)), tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))


def _matter(w: World, title: str, lead: str, deadline: datetime.date) -> Matter:
    return make_matter(
        w, title=title, lead=lead, start=D(2026, 1, 5), deadline=deadline, state="assigned"
    )


def _finish(matter: Matter, reported: datetime.date | None, completed: datetime.date) -> None:
    # Test set-up: the finished state and its dates as the workflow would have left them.
    Matter.objects.filter(pk=matter.pk).update(
        state=wf.COMPLETED,
        reported_at=_at(reported) if reported else None,
        completed_at=_at(completed),
        progress=100,
        next_feedback_due=None,
    )


def build_data(w: World) -> World:
    a = _matter(w, "A 农民工工资清欠", "hrss", D(2026, 5, 20))
    _finish(a, D(2026, 5, 10), D(2026, 5, 12))
    _finish(_matter(w, "B 稳就业补贴发放", "hrss", D(2026, 5, 25)), D(2026, 5, 18), D(2026, 5, 20))
    _finish(
        _matter(w, "C 保障性住房分配", "housing", D(2026, 5, 31)), D(2026, 5, 28), D(2026, 5, 30)
    )
    _finish(
        _matter(w, "D 物业专项维修资金", "housing", D(2026, 5, 10)), D(2026, 5, 15), D(2026, 5, 16)
    )
    e = _matter(w, "E 问题楼盘交付", "housing", D(2026, 6, 1))
    f = _matter(w, "F 行政争议实质化解", "hrss", D(2026, 12, 31))
    _finish(_matter(w, "G 行政审判白皮书", "court", D(2026, 4, 30)), None, D(2026, 4, 20))
    # No progress report is late: the yellow cards stay at zero.
    Matter.objects.filter(pk__in=[e.pk, f.pk]).update(next_feedback_due=D(2026, 6, 30))
    Evaluation.objects.create(
        matter=a,
        unit=w.units["hrss"],
        rated_by=w.users["city_office"],
        timeliness=5,
        quality=5,
        effect=5,
        comment="建立工资支付监控预警平台，欠薪线索当日核查。",
    )
    mechanism = w.mechanisms["city"]
    mechanism.settings = {**mechanism.settings, "reds_for_formal_talk": 2}
    mechanism.save()
    return w


@pytest.fixture
def data(world: World) -> World:
    return build_data(world)


def generate(w: World, **kw: Any) -> Bulletin:
    params = {"kind": "month", "year": 2026, "number": 5} | kw
    return bulletin_actions.generate(w.users["city_office"], w.mechanisms["city"], **params)


def issue(w: World, bulletin: Bulletin, raw: str = "驻府院办〔2026〕7号") -> Bulletin:
    number = doc_actions.reserve_number(w.users["city_office"], w.mechanisms["city"], raw)
    return bulletin_actions.issue(w.users["city_office"], bulletin, number=number)


def read_docx(content: bytes) -> tuple[str, list[list[str]]]:
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    rows = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    return text, rows


# --- generating --------------------------------------------------------------------------------
def test_generation_composes_the_periods_figures(data: World) -> None:
    bulletin = generate(data)
    assert (bulletin.period_start, bulletin.period_end) == (D(2026, 5, 1), D(2026, 5, 31))
    assert bulletin.document.title == "关于2026年5月府院联动工作情况的通报"
    assert bulletin.document.kind == "bulletin"
    assert bulletin.document.state == "draft"
    assert bulletin.document.handler == data.users["city_office"]
    assert "本期办结督办事项4项，其中按期办结3项，按期办结率75.0%" in bulletin.overview
    assert "2026年以来累计办结5项，按期办结率80.0%" in bulletin.overview
    assert "在办督办事项2项，其中逾期（红色）1项、进度滞后（黄色）0项" in bulletin.overview
    assert (
        f"逾期未办结的督办事项共1项（见表1），逾期时间最长的是{HOUSING}牵头的“E 问题楼盘交付”，"
        "已逾期14天" in bulletin.lists
    )
    assert (
        f"2026年以来，共亮红牌2张、黄牌0张，涉及1个单位（见表2）。红牌较多的单位是：{HOUSING}（2张）。"
        in bulletin.lists
    )
    assert f"{HOUSING}红牌累计达到2张，按规定由联席会议办公室约谈" in bulletin.lists
    assert f"排名前列的单位是：{HRSS}（100.0%）、{COURT}（100.0%）、{HOUSING}（50.0%）" in (
        bulletin.ranking
    )
    assert f"{HRSS}：A 农民工工资清欠。建立工资支付监控预警平台" in bulletin.good_practice
    assert bulletin.tables["ranking"]["rows"] == [
        ["1", HRSS, "3", "2", "2", "100.0%", "0"],
        ["1", COURT, "1", "1", "1", "100.0%", "0"],
        ["3", HOUSING, "3", "2", "1", "50.0%", "2"],
    ]
    assert bulletin.tables["red"]["rows"] == [
        ["1", "E 问题楼盘交付", HOUSING, "2026年6月1日", "14"]
    ]
    assert bulletin.tables["cards"]["rows"] == [["1", HOUSING, "2", "0", "是"]]
    assert bulletin.headline["on_time_period"] == "75.0%"
    assert bulletin.headline["on_time_rate"] == "80.0%"
    # The document's own body follows the sections, so its page and search show the text.
    assert "二、红黄牌情况" in bulletin.document.body
    assert AuditEntry.objects.filter(action="dashboard.bulletin.generate").count() == 1


def test_a_quarter_and_a_year(data: World) -> None:
    quarter = generate(data, kind="quarter", number=2)
    assert (quarter.period_start, quarter.period_end) == (D(2026, 4, 1), D(2026, 6, 30))
    assert quarter.document.title == "关于2026年第二季度府院联动工作情况的通报"
    # April to June: A, B, C, D and G finished, four on time.
    assert "本期办结督办事项5项，其中按期办结4项，按期办结率80.0%" in quarter.overview
    year = generate(data, kind="year", number=None)
    assert year.document.title == "关于2026年度府院联动工作情况的通报"


def test_only_the_office_generates_and_not_for_a_future_period(data: World) -> None:
    with pytest.raises(PermissionDenied):
        bulletin_actions.generate(
            data.users["city_leader"], data.mechanisms["city"], kind="month", year=2026, number=5
        )
    with pytest.raises(PermissionDenied):
        bulletin_actions.generate(
            data.users["a_office"], data.mechanisms["city"], kind="month", year=2026, number=5
        )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        generate(data, number=7)
    assert caught.value.error_dict["number"][0].code == "bulletin.future_period"
    with pytest.raises(ValidationError) as caught:
        generate(data, kind="quarter", number=5)
    assert caught.value.error_dict["number"][0].code == "bulletin.period"


# --- wording -----------------------------------------------------------------------------------
def test_editing_with_a_stale_version_is_refused(data: World) -> None:
    bulletin = generate(data)
    office = data.users["city_office"]
    read_version = bulletin.version
    fields = {name: getattr(bulletin, name) for name, _ in bulletin.sections()}
    bulletin_actions.update(
        office, bulletin, fields | {"overview": "第一次修改。"}, expected_version=read_version
    )
    stale = Bulletin.objects.get(pk=bulletin.pk)
    with pytest.raises(StaleObjectError):
        bulletin_actions.update(
            office, stale, fields | {"overview": "第二次修改。"}, expected_version=read_version
        )
    stored = Bulletin.objects.select_related("document").get(pk=bulletin.pk)
    assert stored.overview == "第一次修改。"
    assert "第一次修改。" in stored.document.body


def test_the_edit_page_reports_a_stale_form(data: World, client_for: Any) -> None:
    bulletin = generate(data)
    client = client_for("city_office")
    url = f"/dashboard/bulletins/{bulletin.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    posted = {name: form.initial.get(name, "") for name in form.fields}
    assert client.post(url, posted | {"overview": "已修改的总体情况。"}).status_code == 302
    again = client.post(url, posted | {"overview": "过期表单的修改。"})
    assert again.status_code == 200
    assert [e.code for e in again.context["form"].non_field_errors().as_data()] == ["stale"]
    assert Bulletin.objects.get(pk=bulletin.pk).overview == "已修改的总体情况。"
    # Not the office: no edit page.
    assert client_for("city_leader").get(url).status_code == 403


def test_a_signed_off_bulletin_can_no_longer_be_edited(data: World) -> None:
    bulletin = issue(data, generate(data))
    with pytest.raises(PermissionDenied):
        bulletin_actions.update(data.users["city_office"], bulletin, {"overview": "改"})


# --- issue -------------------------------------------------------------------------------------
def test_the_issued_docx_carries_the_figures_and_the_edited_wording(data: World) -> None:
    bulletin = generate(data)
    fields = {name: getattr(bulletin, name) for name, _ in bulletin.sections()}
    edited = bulletin.overview + "\n经核实，逾期事项均已落实责任人。"
    bulletin_actions.update(data.users["city_office"], bulletin, fields | {"overview": edited})
    issue(data, bulletin)
    bulletin.refresh_from_db()
    document = bulletin.document
    document.refresh_from_db()
    assert document.state == "issued"
    assert document.number.number == "驻府院办〔2026〕7号"
    with document.file.open("rb") as handle:
        text, rows = read_docx(handle.read())
    assert "驻马店市府院联动联席会议办公室" in text
    assert "驻府院办〔2026〕7号" in text
    assert "关于2026年5月府院联动工作情况的通报" in text
    assert "联席会议各成员单位：" in text
    assert "本期办结督办事项4项，其中按期办结3项，按期办结率75.0%" in text
    assert "2026年以来累计办结5项，按期办结率80.0%" in text
    assert "经核实，逾期事项均已落实责任人。" in text
    for heading in ("一、总体情况", "二、红黄牌情况", "三、各单位办理情况排名", "四、好的做法"):
        assert heading in text
    assert "表1 逾期未办结督办事项（1/1项）" in text
    assert ["1", "E 问题楼盘交付", HOUSING, "2026年6月1日", "14"] in rows
    assert ["1", HOUSING, "2", "0", "是"] in rows
    assert ["3", HOUSING, "3", "2", "1", "50.0%", "2"] in rows
    assert ["1", HRSS, "3", "2", "2", "100.0%", "0"] in rows


def test_issuing_sends_the_bulletin_to_the_member_units_once(data: World) -> None:
    bulletin = issue(data, generate(data))
    members = {"hrss_liaison", "housing_liaison", "regulator_liaison", "court_staff"}
    messages = InboxMessage.objects.filter(url=f"/dashboard/bulletins/{bulletin.pk}/")
    assert {m.user.username for m in messages} == members
    assert messages.count() == len(members)
    assert set(
        OutboxMessage.objects.filter(kind="bulletin.issued").values_list("channel", flat=True)
    ) == {"inbox", "messenger"}
    bulletin.refresh_from_db()
    assert bulletin.notified_count == len(members)
    # Sending again reaches nobody new; a liaison officer named since gets it.
    assert bulletin_actions.notify_members(data.users["city_office"], bulletin) == 0
    assert messages.count() == len(members)
    make_user("new_liaison", "liaison", unit=data.units["hrss"])
    assert bulletin_actions.notify_members(data.users["city_office"], bulletin) == 2
    assert InboxMessage.objects.filter(user__username="new_liaison").count() == 1
    assert AuditEntry.objects.filter(action="dashboard.bulletin.notify").count() == 3


def test_issuing_from_the_documents_page_also_notifies_the_units(data: World) -> None:
    bulletin = generate(data)
    number = doc_actions.reserve_number(
        data.users["city_office"], data.mechanisms["city"], "驻府院办〔2026〕8号"
    )
    doc_actions.issue(data.users["city_office"], bulletin.document, number=number)
    messages = InboxMessage.objects.filter(url=f"/dashboard/bulletins/{bulletin.pk}/")
    assert messages.count() == 4


def test_the_sign_off_chain_and_the_steps_the_page_offers(data: World, client_for: Any) -> None:
    w = data
    w.users["chief"] = make_user("chief", "office", jurisdiction=w.city)
    w.users["bureau_leader"] = make_user("bureau_leader", "office", jurisdiction=w.city)
    mechanism = w.mechanisms["city"]
    mechanism.settings = {**mechanism.settings, "enabled_steps": ["office_sign_off"]}
    mechanism.save()
    bulletin = generate(w)
    url = f"/dashboard/bulletins/{bulletin.pk}/"
    handler_page = client_for("city_office").get(url)
    assert [t.name for t in handler_page.context["transitions"]] == ["submit", "cancel"]
    assert client_for("city_leader").get(url).context["transitions"] == []
    with pytest.raises(TransitionError):
        bulletin_actions.issue(w.users["city_office"], bulletin)
    bulletin_actions.transition(
        w.users["city_office"],
        bulletin,
        "submit",
        checker=w.users["chief"],
        signer=w.users["bureau_leader"],
    )
    chief = client_for("chief")
    assert [t.name for t in chief.get(url).context["transitions"]] == [
        "approve",
        "return_by_checker",
    ]
    response = chief.post(f"{url}approve/", {"version": bulletin.document.version})
    assert response.status_code == 302
    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    bulletin_actions.transition(w.users["bureau_leader"], bulletin, "sign")
    assert InboxMessage.objects.filter(user=w.users["hrss_liaison"]).count() == 0
    issue(w, bulletin)
    assert Bulletin.objects.get(pk=bulletin.pk).state == "issued"
    assert InboxMessage.objects.filter(user=w.users["hrss_liaison"]).count() == 1


# --- who sees it -------------------------------------------------------------------------------
def test_members_see_the_issued_bulletin_and_another_county_does_not(
    data: World, client_for: Any
) -> None:
    draft = generate(data)
    url = f"/dashboard/bulletins/{draft.pk}/"
    assert client_for("city_office").get(url).status_code == 200
    assert client_for("city_leader").get(url).status_code == 200
    for role in ("hrss_liaison", "court_staff", "a_office"):
        assert client_for(role).get(url).status_code == 404, role
    issue(data, draft)
    for role in ("hrss_liaison", "court_staff", "city_leader"):
        assert client_for(role).get(url).status_code == 200, role
        assert client_for(role).get(f"{url}docx/").status_code == 200, role
    for role in ("a_office", "a_hrss_liaison", "b_court_staff"):
        assert client_for(role).get(url).status_code == 404, role
    assert client_for("system_admin").get(url).status_code == 403
    # A county's bulletin: the county and the city above it see it once issued; the other
    # county's office never does.
    county = bulletin_actions.generate(
        data.users["a_office"], data.mechanisms["a"], kind="month", year=2026, number=5
    )
    county_url = f"/dashboard/bulletins/{county.pk}/"
    assert client_for("a_office").get(county_url).status_code == 200
    assert client_for("city_office").get(county_url).status_code == 404
    number = doc_actions.reserve_number(
        data.users["a_office"], data.mechanisms["a"], "西府院办〔2026〕2号"
    )
    bulletin_actions.issue(data.users["a_office"], county, number=number)
    assert client_for("city_office").get(county_url).status_code == 200
    assert client_for("b_office").get(county_url).status_code == 404
    assert client_for("hrss_liaison").get(county_url).status_code == 404
    listed = client_for("b_office").get("/dashboard/bulletins/")
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 0
    assert (
        client_for("hrss_liaison").get("/dashboard/bulletins/").context["page"].paginator.count == 1
    )


def test_the_pages_generate_preview_and_download(data: World, client_for: Any) -> None:
    client = client_for("city_office")
    assert client.get("/dashboard/bulletins/new/").status_code == 200
    response = client.post(
        "/dashboard/bulletins/new/",
        {"mechanism": data.mechanisms["city"].pk, "kind": "month", "year": 2026, "number": 5},
    )
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    assert response["Location"] == f"/dashboard/bulletins/{bulletin.pk}/"
    page = client.get(response["Location"])
    assert "按期办结率75.0%" in page.content.decode()
    preview = client.get(f"/dashboard/bulletins/{bulletin.pk}/docx/")
    text, rows = read_docx(preview.content)
    assert "按期办结率75.0%" in text
    assert ["1", "E 问题楼盘交付", HOUSING, "2026年6月1日", "14"] in rows
    # The documents app prints the same (the registered builder), before and after issue.
    assert bulletin.document.source_kind == bulletin_docs.SOURCE_KIND
    doc_preview = client.get(f"/documents/{bulletin.document.pk}/download/")
    assert read_docx(doc_preview.content)[1] == rows
    assert client_for("hrss_liaison").get("/dashboard/bulletins/new/").status_code == 403
