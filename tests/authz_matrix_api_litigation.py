"""Authorization-matrix rows of the REST API (litigation): cases, hearings, head appearance
records, recommendations and dispute referrals under /api/v1/litigation/.

The objects: 市人社局 (hrss) before the intermediate court (court_staff) — seen by the court,
the body and the city's office and leader; a case of 上蔡县司法局 (county b) before 上蔡县's
court — seen by the city side only; a case of 西平县人社局 (county a) before 上蔡县's court
(相对集中管辖) — seen by county a's office and the city side, not by the city's court or
body. The API asks for no membership: what a user may not see is 404, a step the user's
role may not take is 403, anonymous is 401."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from .authz_matrix import ADMINS, Case, expect

_SEQUENCE = itertools.count(800)


def _case(w: Any, court: str, defendant: str, actor: str, prefix: str) -> Any:
    from django.utils import timezone

    from fuyuan.litigation import actions

    return actions.create_case(
        w.users[actor],
        number=f"（2024）{prefix}行初{next(_SEQUENCE)}号",
        court=w.units[court],
        defendant=w.units[defendant],
        plaintiffs="刘桂芳",
        cause="工伤认定",
        enterprise_related=False,
        filed_on=timezone.localdate() - datetime.timedelta(days=30),
        stage="filed",
    )


def city_case(w: Any) -> Any:
    return _case(w, "court", "hrss", "court_staff", "豫17")


def b_case(w: Any) -> Any:
    return _case(w, "b_court", "b_office", "b_court_staff", "豫1722")


def elsewhere_case(w: Any) -> Any:
    return _case(w, "b_court", "a_hrss", "b_court_staff", "豫1722")


def _hearing(w: Any, case: Any, actor: str = "court_staff") -> Any:
    from django.utils import timezone

    from fuyuan.litigation import actions

    when = timezone.now() - datetime.timedelta(days=1)
    return actions.add_hearing(w.users[actor], case, when, "第五审判庭")


def city_hearing(w: Any) -> Any:
    return _hearing(w, city_case(w))


def b_hearing(w: Any) -> Any:
    return _hearing(w, b_case(w), "b_court_staff")


def city_appearance(w: Any, disputed: bool = False) -> Any:
    from fuyuan.litigation import actions

    item = actions.record_appearance(
        w.users["court_staff"], city_hearing(w), rank="deputy", head_name="周建华"
    )
    if disputed:
        actions.appearance_transition(w.users["hrss_liaison"], item, "dispute", "实为正职出庭")
    return item


def b_appearance(w: Any) -> Any:
    from fuyuan.litigation import actions

    return actions.record_appearance(
        w.users["b_court_staff"], b_hearing(w), rank="top", head_name="孙明亮"
    )


def rec(w: Any, state: str, title: str) -> Any:
    """The recommendation named `title` of the intermediate court to hrss, made once."""
    from django.utils import timezone

    from fuyuan.litigation import recommendation_actions as actions
    from fuyuan.litigation.models import Recommendation

    found = Recommendation.objects.filter(title=title).first()
    if found is not None:
        return found
    item = actions.create_recommendation(
        w.users["court_staff"],
        kind="judicial",
        scope="case_type",
        issuer=w.units["court"],
        recipient=w.units["hrss"],
        title=title,
        content="审理中发现的问题。",
        items=["规范送达程序", "加强执法培训"],
    )
    if state == "delivered":
        actions.deliver(
            w.users["court_staff"], item, timezone.localdate() - datetime.timedelta(days=3)
        )
    item.refresh_from_db()
    return item


def _reply_data(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    item = rec(w, "delivered", "矩阵API：回复")
    data: dict[str, Any] = {"replied_on": timezone.localdate().isoformat(), "reply_text": "已整改"}
    for n, i in enumerate(item.items.order_by("order", "pk")):
        data[f"adoptions[{n}]item"] = i.pk
        data[f"adoptions[{n}]adoption"] = "adopted"
    return data


def city_dispute(w: Any) -> Any:
    from django.utils import timezone

    from fuyuan.litigation import dispute_actions

    return dispute_actions.refer_dispute(
        w.users["city_office"],
        unit=w.units["hrss"],
        title="工伤认定争议",
        applicant="刘桂芳",
        summary="对工伤认定结论不服。",
        referred_on=timezone.localdate(),
        case=city_case(w),
    )


def a_dispute(w: Any) -> Any:
    from django.utils import timezone

    from fuyuan.litigation import dispute_actions

    return dispute_actions.refer_dispute(
        w.users["a_office"],
        unit=w.units["a_hrss"],
        title="社保补缴争议",
        applicant="李建国",
        summary="要求补缴社保。",
        referred_on=timezone.localdate(),
    )


def pk_of(builder: Any) -> Any:
    return lambda w: {"pk": builder(w).pk}


HIDDEN = dict.fromkeys(ADMINS, 404)
LIST = expect(200, anonymous=401)
# The city case: its court, its body, the city's office and leader.
CITY_READ = {**expect(200, anonymous=401), "a_office": 404, **HIDDEN}
# County b's own case: the city's office and leader only.
B_READ = {
    **expect(404, anonymous=401),
    "city_office": 200,
    "city_leader": 200,
}
# County a's body before county b's court: county a's office and the city side.
ELSEWHERE_READ = {**B_READ, "a_office": 200}


def _city_step(**ok: int) -> dict[str, int]:
    """A write on the city's record: 404 for those who do not see it, 403 for those who see
    it but may not take the step, `ok` for those who may."""
    return {
        **CITY_READ,
        **dict.fromkeys(("city_office", "city_leader", "hrss_liaison", "court_staff"), 403),
        **ok,
    }


# A delivered recommendation: issuer, recipient, the city's office and leader.
REC_READ = CITY_READ
# A draft: the issuer and the office of the joint meeting.
DRAFT_READ = {**B_READ, "court_staff": 200, "city_leader": 404}
# The city dispute (during the city case): the body, the court of the case, the city side.
DISPUTE_READ = CITY_READ
A_DISPUTE_READ = ELSEWHERE_READ

API_LITIGATION_CASES: list[Case] = [
    # --- cases ---------------------------------------------------------------------------
    Case("api:litigation-case-list", LIST),
    Case("api:litigation-case-detail", CITY_READ, variant="own", kwargs=pk_of(city_case)),
    Case(
        "api:litigation-case-detail",
        B_READ,
        variant="other county's body",
        kwargs=pk_of(b_case),
    ),
    Case(
        "api:litigation-case-detail",
        ELSEWHERE_READ,
        variant="heard in another county (相对集中管辖)",
        kwargs=pk_of(elsewhere_case),
    ),
    # --- hearings ------------------------------------------------------------------------
    Case("api:litigation-hearing-list", LIST),
    Case("api:litigation-hearing-detail", CITY_READ, variant="own", kwargs=pk_of(city_hearing)),
    Case(
        "api:litigation-hearing-detail",
        B_READ,
        variant="other county's body",
        kwargs=pk_of(b_hearing),
    ),
    Case(
        "api:litigation-hearing-record-appearance",
        _city_step(court_staff=201),
        variant="the court records",
        method="post",
        kwargs=pk_of(city_hearing),
        data=lambda w: {"rank": "top", "head_name": "孙明亮", "head_post": "局长", "spoke": "true"},
    ),
    Case(
        "api:litigation-hearing-record-appearance",
        expect(405, anonymous=401),
        variant="GET",
        kwargs=pk_of(city_hearing),
    ),
    # --- head appearance records ---------------------------------------------------------
    Case("api:litigation-appearance-list", LIST),
    Case(
        "api:litigation-appearance-detail",
        CITY_READ,
        variant="own",
        kwargs=pk_of(city_appearance),
    ),
    Case(
        "api:litigation-appearance-detail",
        B_READ,
        variant="other county's body",
        kwargs=pk_of(b_appearance),
    ),
    Case(
        "api:litigation-appearance-confirm",
        _city_step(hrss_liaison=200),
        variant="the body confirms",
        method="post",
        kwargs=pk_of(city_appearance),
    ),
    Case(
        "api:litigation-appearance-dispute",
        _city_step(hrss_liaison=200),
        variant="the body disputes",
        method="post",
        kwargs=pk_of(city_appearance),
        data=lambda w: {"comment": "实为正职出庭"},
    ),
    Case(
        "api:litigation-appearance-uphold",
        _city_step(court_staff=200),
        variant="the court keeps a disputed record",
        method="post",
        kwargs=lambda w: {"pk": city_appearance(w, disputed=True).pk},
        data=lambda w: {"comment": "以庭审笔录为准"},
    ),
    Case(
        "api:litigation-appearance-correct",
        _city_step(court_staff=200),
        variant="the court corrects",
        method="post",
        kwargs=pk_of(city_appearance),
        data=lambda w: {"rank": "top", "head_post": "局长"},
    ),
    # --- recommendations -----------------------------------------------------------------
    Case("api:litigation-recommendation-list", LIST),
    Case(
        "api:litigation-recommendation-detail",
        REC_READ,
        variant="delivered",
        kwargs=lambda w: {"pk": rec(w, "delivered", "矩阵API：已送达").pk},
    ),
    Case(
        "api:litigation-recommendation-detail",
        DRAFT_READ,
        variant="draft",
        kwargs=lambda w: {"pk": rec(w, "draft", "矩阵API：草稿").pk},
    ),
    Case(
        "api:litigation-recommendation-reply",
        _city_step(hrss_liaison=200),
        variant="the recipient replies",
        method="post",
        kwargs=lambda w: {"pk": rec(w, "delivered", "矩阵API：回复").pk},
        data=_reply_data,
    ),
    # --- dispute referrals ---------------------------------------------------------------
    Case("api:litigation-dispute-list", LIST),
    Case("api:litigation-dispute-detail", DISPUTE_READ, variant="own", kwargs=pk_of(city_dispute)),
    Case(
        "api:litigation-dispute-detail",
        A_DISPUTE_READ,
        variant="county a's body",
        kwargs=pk_of(a_dispute),
    ),
]
