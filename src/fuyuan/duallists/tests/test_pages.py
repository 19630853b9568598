"""The pages: the late list with urging, visibility (a liaison officer sees its own and its
items, not another unit's: 404), the comparison page, the export, and who may do what."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fuyuan.duallists import actions
from fuyuan.duallists.models import ListItem
from fuyuan.notify.models import InboxMessage

from .helpers import ITEM_DEADLINE, open_call, propose, setup_lists

pytestmark = pytest.mark.django_db


def test_late_list_names_member_units_that_did_not_propose_and_urges_them(
    world, client_for, django_capture_on_commit_callbacks
):
    lists = setup_lists(world)
    call = open_call(world, days=5)
    propose(world, call, "court_staff", "court", lists["court_kind"], "hrss")
    propose(world, call, "hrss_liaison", "hrss", lists["gov_kind"], "court")
    late = actions.late_units(call)
    assert world.units["new_regulator"] in late
    assert world.units["housing"] in late
    assert world.units["court"] not in late and world.units["hrss"] not in late
    # A unit that is not a member (a county's) is never on the list.
    assert world.units["a_hrss"] not in late

    regulator = world.users["regulator_liaison"]
    before = InboxMessage.objects.filter(user=regulator).count()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7), tick=False):
        page = client_for("city_office").get(reverse("duallists:call_detail", args=[call.pk]))
        assert page.status_code == 200
        assert "国家金融监督管理总局驻马店监管分局" in page.content.decode()
        assert (
            client_for("hrss_liaison")
            .post(reverse("duallists:call_urge", args=[call.pk]))
            .status_code
            == 403
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for("city_office").post(
                reverse("duallists:call_urge", args=[call.pk])
            )
        assert response.status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            actions.urge(world.users["city_office"], call)  # same day: sent once
    assert InboxMessage.objects.filter(user=regulator).count() == before + 1
    assert not InboxMessage.objects.filter(
        user=world.users["court_staff"], subject__contains="Reminder"
    ).exists()


def test_a_liaison_officer_cannot_see_another_units_proposal(world, client_for):
    lists = setup_lists(world)
    call = open_call(world)
    item = propose(
        world, call, "hrss_liaison", "hrss", lists["gov_kind"], "court", title="人社局的提议"
    )
    url = reverse("duallists:item_detail", args=[item.pk])
    assert client_for("hrss_liaison").get(url).status_code == 200
    assert client_for("court_staff").get(url).status_code == 200  # the named lead unit
    assert client_for("housing_liaison").get(url).status_code == 404
    assert client_for("regulator_liaison").get(url).status_code == 404
    assert client_for("a_office").get(url).status_code == 404
    assert client_for("city_leader").get(url).status_code == 200
    # The call page shows housing the call but not hrss's item.
    page = client_for("housing_liaison").get(reverse("duallists:call_detail", args=[call.pk]))
    assert page.status_code == 200
    assert "人社局的提议" not in page.content.decode()
    assert ListItem.objects.visible_to(world.users["housing_liaison"]).count() == 0
    # A co-unit sees it.
    other = propose(
        world,
        call,
        "hrss_liaison",
        "hrss",
        lists["gov_kind"],
        "court",
        co_units=[world.units["housing"]],
    )
    assert list(ListItem.objects.visible_to(world.users["housing_liaison"])) == [other]


def _approved_call(world):
    lists = setup_lists(world)
    office = world.users["city_office"]
    call = open_call(world)
    first = propose(world, call, "court_staff", "court", lists["court_kind"], "hrss", title="甲")
    second = propose(world, call, "hrss_liaison", "hrss", lists["gov_kind"], "court", title="乙")
    actions.claim(world.users["hrss_liaison"], first)
    actions.claim(world.users["court_staff"], second)
    for item in (first, second):
        actions.accept(office, ListItem.objects.get(pk=item.pk))
    actions.close_call(office, call)
    call.refresh_from_db()
    actions.settle_draft(office, call, meeting_ref="协调会")
    actions.revise_item(
        office,
        ListItem.objects.get(pk=first.pk),
        title="甲（修改）",
        co_units=[world.units["housing"]],
    )
    actions.return_item(office, ListItem.objects.get(pk=second.pk), "暂不列入")
    call.refresh_from_db()
    actions.approve(office, call, meeting_ref="全体会议")
    call.refresh_from_db()
    return call, first, second


def test_comparison_page_shows_changed_and_removed_items(world, client_for):
    call, _first, _second = _approved_call(world)
    url = reverse("duallists:call_compare", args=[call.pk])
    response = client_for("city_office").get(url)
    assert response.status_code == 200
    rows = {r.item_id: r for r in response.context["rows"]}
    assert rows[_first.pk].status == "changed"
    changed = {name: (b, a) for name, _label, b, a in rows[_first.pk].changes}
    assert changed["title"] == ("甲", "甲（修改）")
    assert changed["co_units"] == ("", "驻马店市住房和城乡建设局")
    assert rows[_second.pk].status == "removed"
    assert client_for("hrss_liaison").get(url).status_code == 403


def test_export_of_the_approved_lists(world, client_for):
    call, _first, _second = _approved_call(world)
    response = client_for("city_office").get(
        reverse("duallists:call_export", args=[call.pk, "xlsx"])
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["法院需政府支持事项清单"]
    ws = wb.active
    assert ws["A1"].value == f"{call.year}年度法院需政府支持事项清单"
    assert [c.value for c in ws[2]] == [
        "序号",
        "事项",
        "工作目标",
        "牵头单位",
        "配合单位",
        "完成时限",
    ]
    assert [c.value for c in ws[3]] == [
        1,
        "甲（修改）",
        "全年办结率达到90%以上",
        "驻马店市人力资源和社会保障局",
        "驻马店市住房和城乡建设局",
        ITEM_DEADLINE.isoformat(),
    ]


def test_export_docx_when_the_core_renderer_exists(world, client_for):
    from fuyuan.duallists import exports

    if not exports.docx_available():
        pytest.skip("core.documents.render_docx is not available yet")
    import docx

    call, _first, _second = _approved_call(world)
    response = client_for("city_office").get(
        reverse("duallists:call_export", args=[call.pk, "docx"])
    )
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    assert any(p.text == "一、法院需政府支持事项清单" for p in document.paragraphs)
    table = document.tables[0]
    assert table.rows[0].cells[1].text == "事项"
    assert table.rows[1].cells[1].text == "甲（修改）"


def _status(client, method, url, data=None):
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


def test_who_may_open_pages_and_take_actions(world, client_for, client):
    lists = setup_lists(world)
    call = open_call(world)
    item = propose(world, call, "court_staff", "court", lists["court_kind"], "hrss")
    pages = {
        "list": reverse("duallists:call_list"),
        "create": reverse("duallists:call_create"),
        "call": reverse("duallists:call_detail", args=[call.pk]),
        "propose": reverse("duallists:item_create", args=[call.pk]),
        "item": reverse("duallists:item_detail", args=[item.pk]),
    }
    expected = {
        "city_office": {"list": 200, "create": 200, "call": 200, "propose": 200, "item": 200},
        "a_office": {"list": 200, "create": 200, "call": 404, "propose": 404, "item": 404},
        "city_leader": {"list": 200, "create": 403, "call": 200, "propose": 403, "item": 200},
        "hrss_liaison": {"list": 200, "create": 403, "call": 200, "propose": 200, "item": 200},
        "court_staff": {"list": 200, "create": 403, "call": 200, "propose": 200, "item": 200},
        "housing_liaison": {"list": 200, "create": 403, "call": 200, "propose": 200, "item": 404},
        "system_admin": {"list": 403, "create": 403, "call": 403, "propose": 403, "item": 403},
        "security_admin": {"list": 403, "create": 403, "call": 403, "propose": 403, "item": 403},
        "audit_admin": {"list": 403, "create": 403, "call": 403, "propose": 403, "item": 403},
    }
    for name, wanted in expected.items():
        got = {key: _status(client_for(name), "get", url) for key, url in pages.items()}
        assert got == wanted, name
    for url in pages.values():
        assert client.get(url).status_code == 302  # anonymous: to the login page

    claim = reverse("duallists:item_transition", args=[item.pk, "claim"])
    assert _status(client_for("housing_liaison"), "post", claim) == 404
    assert _status(client_for("court_staff"), "post", claim) == 403
    assert _status(client_for("city_office"), "post", claim) == 403
    assert _status(client_for("hrss_liaison"), "post", claim) == 302
    accept = reverse("duallists:item_transition", args=[item.pk, "accept"])
    assert _status(client_for("hrss_liaison"), "post", accept) == 403
    assert _status(client_for("city_office"), "post", accept) == 302
    close = reverse("duallists:call_close", args=[call.pk])
    assert _status(client_for("city_leader"), "post", close) == 403
    assert _status(client_for("city_office"), "post", close) == 302
    draft = reverse("duallists:call_meeting", args=[call.pk, "settle_draft"])
    assert _status(client_for("hrss_liaison"), "post", draft, {"meeting_ref": "x"}) == 403
    assert _status(client_for("city_office"), "post", draft, {"meeting_ref": ""}) == 400
    assert _status(client_for("city_office"), "post", draft, {"meeting_ref": "协调会"}) == 302
    approve = reverse("duallists:call_meeting", args=[call.pk, "approve"])
    assert _status(client_for("court_staff"), "post", approve, {"meeting_ref": "x"}) == 403
    assert _status(client_for("city_leader"), "post", approve, {"meeting_ref": "全体会议"}) == 302
    assert ListItem.objects.get(pk=item.pk).state == "approved"
    page = client_for("city_office").get(pages["call"])
    assert page.context["can_register"] is True
    register = reverse("duallists:call_register", args=[call.pk])
    assert _status(client_for("city_leader"), "post", register) == 403
    assert _status(client_for("city_office"), "post", register) == 302
    assert ListItem.objects.get(pk=item.pk).matter.state == "assigned"


def test_propose_form_creates_an_item_for_the_users_own_unit(world, client_for):
    lists = setup_lists(world)
    call = open_call(world)
    response = client_for("court_staff").post(
        reverse("duallists:item_create", args=[call.pk]),
        {
            "proposing_unit": world.units["court"].pk,
            "list_kind": lists["court_kind"].pk,
            "title": "涉企案件财产查控",
            "content": "协助查询不动产登记信息",
            "measurable_target": "查询回复时间不超过5个工作日",
            "lead_unit": world.units["housing"].pk,
            "co_units": [world.units["hrss"].pk],
            "deadline": ITEM_DEADLINE.isoformat(),
            "task_area": lists["area"].pk,
        },
    )
    assert response.status_code == 302
    item = ListItem.objects.get(title="涉企案件财产查控")
    assert item.proposing_unit == world.units["court"]
    assert list(item.co_units.all()) == [world.units["hrss"]]
    # The form offers only the user's own unit as the proposer.
    form = client_for("hrss_liaison").get(reverse("duallists:item_create", args=[call.pk]))
    assert list(form.context["form"].fields["proposing_unit"].queryset) == [world.units["hrss"]]
    # The item page offers the lead unit exactly claim and object.
    page = client_for("housing_liaison").get(reverse("duallists:item_detail", args=[item.pk]))
    assert [t.name for t in page.context["simple_steps"]] == ["claim", "object"]
    page = client_for("court_staff").get(reverse("duallists:item_detail", args=[item.pk]))
    assert page.context["simple_steps"] == []
