"""The assessment's pages: the results table with the figures behind each score, the
adjustment form refusing a missing reason, buttons only where the graph allows, the export
laid out for the province's supervision platform, and scoping (another county's office, a
liaison officer of another unit)."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fuyuan.assessment import actions
from fuyuan.assessment.models import Adjustment, Result, Scheme
from fuyuan.org.models import Unit

from .helpers import SCHEME_2025, scored

pytestmark = pytest.mark.django_db


def _client(w, name):
    client = Client()
    client.force_login(w.users[name])
    return client


def _final(w):
    s = scored(w)
    office = w.users["city_office"]
    housing = Result.objects.get(scheme=s, unit=w.units["housing"])
    actions.adjust(office, housing, delta="-2", reason="未按时报送年度总结")
    actions.transition_all(office, s, "submit")
    actions.transition_all(w.users["city_leader"], s, "confirm")
    actions.transition_scheme(office, s, "finalize")
    return s


def test_the_results_table_shows_scores_figures_and_links(year):
    s = scored(year)
    page = _client(year, "city_office").get(reverse("assessment:scheme_detail", args=[s.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "督办事项按期办结率" in html
    assert "33.3% (1/3)" in html and "13.32" in html and "66.64" in html
    assert f"{reverse('matters:ledger')}?lead_unit={year.units['hrss'].pk}&amp;year=2025" in html
    assert year.units["court"].name not in html.split('<h2 class="h5">')[-1]
    assert reverse("assessment:scheme_score", args=[s.pk]) in html
    assert reverse("assessment:scheme_transition", args=[s.pk, "finalize"]) in html
    # The leader reads: no scoring or finalizing buttons.
    html = (
        _client(year, "city_leader")
        .get(reverse("assessment:scheme_detail", args=[s.pk]))
        .content.decode()
    )
    assert "66.64" in html
    assert reverse("assessment:scheme_score", args=[s.pk]) not in html
    assert reverse("assessment:scheme_transition", args=[s.pk, "finalize"]) not in html


def test_creating_a_scheme_through_the_form_checks_the_weights(year):
    client = _client(year, "city_office")
    data = {
        "mechanism": year.mechanisms["city"].pk,
        "year": "2025",
        "title": "2025年度考核方案",
        "total_points": "100",
        "ranking": "standard",
        "notes": "",
        "indicators-TOTAL_FORMS": "3",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
    }
    for n, (kind, weight) in enumerate((("matters_on_time", "60"), ("cards", "30"), ("", ""))):
        data[f"indicators-{n}-kind"] = kind
        data[f"indicators-{n}-weight"] = weight
        data[f"indicators-{n}-if_no_data"] = "full"
    page = client.post(reverse("assessment:scheme_create"), data)
    assert page.status_code == 200
    assert "90.00" in page.content.decode()
    assert not Scheme.objects.exists()
    data["indicators-1-weight"] = "40"
    page = client.post(reverse("assessment:scheme_create"), data)
    scheme = Scheme.objects.get()
    assert page.status_code == 302 and page.url == reverse(
        "assessment:scheme_detail", args=[scheme.pk]
    )
    assert [(i.kind, i.weight) for i in scheme.indicators.all()] == [
        ("matters_on_time", Decimal("60.00")),
        ("cards", Decimal("40.00")),
    ]


def test_the_adjust_form_refuses_a_missing_reason(year):
    s = scored(year)
    hrss = Result.objects.get(scheme=s, unit=year.units["hrss"])
    client = _client(year, "city_office")
    url = reverse("assessment:result_adjust", args=[hrss.pk])
    page = client.post(url, {"delta": "2", "reason": " "})
    assert page.status_code == 200
    assert "Write the reason" in page.content.decode() or "理由" in page.content.decode()
    assert not Adjustment.objects.exists()
    page = client.post(url, {"delta": "2", "reason": "典型经验被推广"})
    assert page.status_code == 302
    detail = client.get(reverse("assessment:result_detail", args=[hrss.pk])).content.decode()
    assert "典型经验被推广" in detail and "68.64" in detail


def test_the_confirm_button_is_not_offered_to_the_reviewer(year):
    s = scored(year)
    hrss = Result.objects.get(scheme=s, unit=year.units["hrss"])
    actions.transition_result(year.users["city_office"], hrss, "submit")
    confirm = reverse("assessment:result_transition", args=[hrss.pk, "confirm"])
    url = reverse("assessment:result_detail", args=[hrss.pk])
    assert confirm not in _client(year, "city_office").get(url).content.decode()
    assert confirm in _client(year, "city_leader").get(url).content.decode()
    page = _client(year, "city_office").post(confirm)
    assert page.status_code == 302
    hrss.refresh_from_db()
    assert hrss.state == "reviewed"


def test_the_export_is_laid_out_for_the_supervision_platform(year):
    Unit.objects.filter(pk=year.units["housing"].pk).update(credit_code="11330109002514937D")
    s = _final(year)
    page = _client(year, "city_office").get(reverse("assessment:scheme_export", args=[s.pk]))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(page.content)).active
    assert ws["A1"].value == "驻马店市府院联动联席会议2025年度府院联动工作考核结果"
    names = [f"{i.name}（{int(i.weight)}分）" for i in s.indicators.order_by("order")]
    assert [c.value for c in ws[2]] == [
        "序号",
        "被考核单位",
        "统一社会信用代码",
        *names,
        "加减分",
        "合计",
        "排名",
        "调整说明",
    ]
    assert names[0] == "督办事项按期办结率（40分）"
    first = [c.value for c in ws[3]]
    assert first == [
        1,
        year.units["housing"].name,
        "11330109002514937D",
        40,
        20,
        20,
        8.35,
        -2,
        86.35,
        1,
        "-2.00分：未按时报送年度总结",
    ]
    assert ws["G3"].number_format == "0.00"
    assert [c.value for c in ws[5]][1] == year.units["new_regulator"].name
    assert ws.max_row == 5


def test_another_county_and_other_units_get_404(year):
    s = _final(year)
    hrss = Result.objects.get(scheme=s, unit=year.units["hrss"])
    housing = Result.objects.get(scheme=s, unit=year.units["housing"])
    detail = reverse("assessment:scheme_detail", args=[s.pk])
    a_office = _client(year, "a_office")
    assert a_office.get(detail).status_code == 404
    assert a_office.get(reverse("assessment:result_detail", args=[hrss.pk])).status_code == 404
    liaison = _client(year, "hrss_liaison")
    assert liaison.get(reverse("assessment:result_detail", args=[hrss.pk])).status_code == 200
    assert liaison.get(reverse("assessment:result_detail", args=[housing.pk])).status_code == 404
    page = liaison.get(detail)
    assert page.status_code == 200
    html = page.content.decode()
    assert year.units["hrss"].name in html and year.units["housing"].name not in html
    assert liaison.get(reverse("assessment:scheme_export", args=[s.pk])).status_code == 403
    # Before the result is final the liaison officer sees nothing.
    other = actions.save_scheme(
        year.users["city_office"],
        year.mechanisms["city"],
        year=2024,
        title="2024年度方案",
        indicators=SCHEME_2025,
    )
    assert liaison.get(reverse("assessment:scheme_detail", args=[other.pk])).status_code == 404
    assert _client(year, "a_office").get(reverse("assessment:scheme_list")).status_code == 200


def test_the_results_table_costs_the_same_queries_with_more_units(year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fuyuan.accounts.models import Post, PostKind
    from fuyuan.org.models import Seat, SeatRole
    from fuyuan.testing import make_unit

    s = scored(year)
    client = _client(year, "city_office")
    url = reverse("assessment:scheme_detail", args=[s.pk])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(3):
        unit = make_unit(f"驻马店市第{n}局", year.city, order_no=50 + n)
        post = Post.objects.create(unit=unit, title="局长", kind=PostKind.HEAD)
        Seat.objects.create(
            mechanism=year.mechanisms["city"], role=SeatRole.MEMBER, unit=unit, post=post
        )
    actions.score(year.users["city_office"], s)
    hrss = Result.objects.get(scheme=s, unit=year.units["hrss"])
    actions.adjust(year.users["city_office"], hrss, delta="1", reason="加分")
    assert Result.objects.filter(scheme=s).count() == 6
    assert count() == before
