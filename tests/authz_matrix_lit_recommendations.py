"""Authorization-matrix rows of the litigation app: recommendations (司法建议 and the like).

The objects: a recommendation of the intermediate court (court_staff) to 人社局 (hrss_liaison)
in the city's joint meeting, as a draft, delivered or replied. Drafts are seen by the issuer
and the office only; once delivered, by the recipient and the city's leaders too; county a
sees nothing (404). The administrators are not members (403)."""

from __future__ import annotations

import datetime
from typing import Any

from .authz_matrix import ADMINS, Case, expect

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def rec(w: Any, state: str, title: str) -> Any:
    """The recommendation named `title`, made once (in `state`) and then found again, so a
    row's kwargs and data see the same one."""
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
    if state in ("delivered", "replied"):
        actions.deliver(
            w.users["court_staff"], item, timezone.localdate() - datetime.timedelta(days=3)
        )
    if state == "replied":
        actions.reply(
            w.users["hrss_liaison"],
            item,
            reply_text="已整改。",
            replied_on=timezone.localdate(),
            adoptions={i.pk: ("adopted", "") for i in item.items.all()},
        )
    item.refresh_from_db()
    return item


def _pk(state: str, title: str) -> Any:
    return lambda w: {"pk": rec(w, state, title).pk}


def _transition(state: str, title: str, name: str) -> Any:
    return lambda w: {"pk": rec(w, state, title).pk, "transition": name}


def _reply_data(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    item = rec(w, "delivered", "矩阵：回复提交")
    data: dict[str, Any] = {
        "replied_on": timezone.localdate().isoformat(),
        "reply_text": "已整改。",
    }
    for i in item.items.all():
        data[f"adoption_{i.pk}"] = "adopted"
    return data


def _file(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "other", "file": SimpleUploadedFile("说明.pdf", PDF)}


def _attachment(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.litigation import recommendation_actions as actions

    item = rec(w, "delivered", "矩阵：附件下载")
    att = item.attachments.first() or actions.add_attachment(
        w.users["court_staff"], item, SimpleUploadedFile("建议书.pdf", PDF), "letter"
    )
    return {"pk": item.pk, "att": att.pk}


def _table(**per_role: int) -> dict[str, int]:
    """Everyone 404 unless named; administrators 403, anonymous to the sign-in page."""
    return {**expect(404), **dict.fromkeys(ADMINS, 403), **per_role}


MEMBERS_READ = {**expect(200), **dict.fromkeys(ADMINS, 403)}
DRAFT_SIDES = {"court_staff": 200, "city_office": 200}
DELIVERED_READ = {**DRAFT_SIDES, "hrss_liaison": 200, "city_leader": 200}
DELIVERED_FORBIDDEN = {"court_staff": 403, "city_office": 403, "hrss_liaison": 403}
REGISTER = {**expect(403), "court_staff": 200, "city_office": 200, "a_office": 200}

LIT_RECOMMENDATION_CASES: list[Case] = [
    Case("litigation:recommendation_list", MEMBERS_READ),
    Case("litigation:recommendation_create", REGISTER),
    Case(
        "litigation:recommendation_create",
        # county a's office may open the form but not register for a city unit (form error)
        {**REGISTER, "court_staff": 302, "city_office": 302},
        variant="register",
        method="post",
        data=lambda w: {
            "kind": "judicial",
            "scope": "general",
            "issuer": w.units["court"].pk,
            "recipient": w.units["housing"].pk,
            "title": "矩阵：新登记",
            "content": "内容",
            "items": "一项",
        },
    ),
    Case(
        "litigation:recommendation_detail",
        _table(**DRAFT_SIDES),
        variant="draft",
        kwargs=_pk("draft", "矩阵：草稿"),
    ),
    Case(
        "litigation:recommendation_detail",
        _table(**DELIVERED_READ),
        variant="delivered",
        kwargs=_pk("delivered", "矩阵：已送达"),
    ),
    Case(
        "litigation:recommendation_edit",
        _table(**DRAFT_SIDES),
        variant="draft",
        kwargs=_pk("draft", "矩阵：草稿"),
    ),
    Case(
        "litigation:recommendation_edit",
        _table(**DELIVERED_FORBIDDEN, city_leader=403),
        variant="delivered",
        kwargs=_pk("delivered", "矩阵：已送达"),
    ),
    Case(
        "litigation:recommendation_reply",
        _table(**{**DELIVERED_FORBIDDEN, "city_leader": 403, "hrss_liaison": 200}),
        kwargs=_pk("delivered", "矩阵：已送达"),
    ),
    Case(
        "litigation:recommendation_reply",
        _table(**{**DELIVERED_FORBIDDEN, "city_leader": 403, "hrss_liaison": 302}),
        variant="submit",
        method="post",
        kwargs=_pk("delivered", "矩阵：回复提交"),
        data=_reply_data,
    ),
    Case(
        "litigation:recommendation_urge",
        _table(court_staff=302, city_office=302, hrss_liaison=403, city_leader=403),
        method="post",
        kwargs=_pk("delivered", "矩阵：已送达"),
    ),
    Case(
        "litigation:recommendation_urge",
        expect(405),
        variant="GET",
        kwargs=_pk("delivered", "矩阵：已送达"),
    ),
    Case(
        "litigation:recommendation_transition",
        _table(court_staff=302, city_office=302),
        variant="deliver",
        method="post",
        kwargs=_transition("draft", "矩阵：草稿", "deliver"),
        data=lambda w: {"delivered_on": datetime.date.today().isoformat()},
    ),
    Case(
        "litigation:recommendation_transition",
        _table(court_staff=302, city_office=302),
        variant="withdraw",
        method="post",
        kwargs=_transition("draft", "矩阵：草稿", "withdraw"),
    ),
    Case(
        "litigation:recommendation_transition",
        _table(court_staff=302, city_office=403, hrss_liaison=403, city_leader=403),
        variant="close",
        method="post",
        kwargs=_transition("replied", "矩阵：已回复", "close"),
        data=lambda w: {"comment": "整改到位。"},
    ),
    Case(
        "litigation:recommendation_transition",
        _table(court_staff=302, city_office=403, hrss_liaison=403, city_leader=403),
        variant="return",
        method="post",
        kwargs=_transition("replied", "矩阵：已回复", "return"),
        data=lambda w: {"comment": "请补充。"},
    ),
    Case(
        "litigation:recommendation_transition",
        _table(),
        variant="not a simple transition",
        method="post",
        kwargs=_transition("delivered", "矩阵：已送达", "reply"),
    ),
    Case(
        "litigation:recommendation_transition",
        expect(405),
        variant="GET",
        kwargs=_transition("draft", "矩阵：草稿", "deliver"),
    ),
    Case(
        "litigation:recommendation_attachment_add",
        _table(court_staff=302, city_office=302, hrss_liaison=302, city_leader=403),
        method="post",
        kwargs=_pk("delivered", "矩阵：已送达"),
        data=_file,
    ),
    Case(
        "litigation:recommendation_attachment_download",
        _table(**DELIVERED_READ),
        kwargs=_attachment,
    ),
]
