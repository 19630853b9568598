# ruff: noqa: E501, RUF028
"""The API under hostile input: every list endpoint with each of its filters, the page, the
page size and the ordering given junk (markup, SQL, huge and negative numbers, impossible
dates, NUL); the write endpoints given broken JSON, deep nesting, wrong types, huge numbers,
unknown fields, overlong strings and invalid identifiers; Authorization headers of every wrong
shape. Never a 500: a 4xx in the one error shape, the message in Chinese."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from fuyuan.api_urls import router
from fuyuan.testing import make_matter
from tests.hostile.helpers import has_cjk

# List endpoints (those with a list action), their filters read from their FilterSet.
LISTS = [
    (prefix, viewset)
    for prefix, viewset, _base in router.registry
    if hasattr(viewset, "list") and "(?P<" not in prefix
]

VALUES = [
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "-1",
    "99999999999999999999999",
    "2026-02-30",
    "前缀\x00后缀",
    "NaN",
]
PAGING = [
    ("page", "-1"),
    ("page", "0"),
    ("page", "abc"),
    ("page", "99999999999999999999999"),
    ("page", "last"),
    ("page_size", "-5"),
    ("page_size", "100000000"),
    ("page_size", "abc"),
    ("ordering", "password"),
    ("ordering", "-id;DROP TABLE matters_matter"),
    ("format", "xml"),
    ("__proto__[polluted]", "1"),
]


def _filters(viewset: Any) -> list[str]:
    fs = getattr(viewset, "filterset_class", None)
    return sorted(fs.base_filters) if fs is not None else []


def _query_cases(viewset: Any) -> list[tuple[str, str]]:
    return [(f, v) for f in _filters(viewset) for v in VALUES] + PAGING


def _as(user: Any) -> APIClient:
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(user=user)
    return api


def _assert_clean(response: Any, allowed: tuple[int, ...]) -> None:
    assert response.status_code != 500
    assert response.status_code in allowed, (response.status_code, response.content[:500])
    if response.status_code >= 400 and response.status_code != 404:
        data = response.json()
        assert data["code"] and data["message"], data
        assert has_cjk(data["message"]) or data["code"].startswith("api."), data
    if response.content:
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("prefix", "viewset"),
    LISTS,
    ids=[f"{p}-x{len(_query_cases(v))}" for p, v in LISTS],
)
def test_list_query_parameters(world, prefix: str, viewset: Any) -> None:
    """Each filter with each hostile value, then hostile paging: 200 (the junk matched
    nothing or was ignored), 400 naming the parameter, or 404 for a page past the last."""
    api = _as(world.users["city_office"])
    failures = []
    for name, value in _query_cases(viewset):
        response = api.get(f"/api/v1/{prefix}/", {name: value})
        try:
            _assert_clean(response, (200, 400, 403, 404))
        except (AssertionError, ValueError) as exc:
            failures.append(f"{name}={value!r}: {str(exc)[:300]}")
    assert not failures, "\n".join(failures)


# --- bodies of writes ------------------------------------------------------------------------------
DEEP_LIST = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000

RAW_BODIES = [
    ("not-json", "{not json"),
    ("empty", ""),
    ("null", "null"),
    ("array", "[]"),
    ("number", "123"),
    ("string", '"<script>alert(1)</script>"'),
    ("deep-list", DEEP_LIST),
    ("deep-object", DEEP_OBJECT),
    ("nan", '{"text": NaN, "progress": NaN}'),
    ("infinity", '{"text": "x", "progress": Infinity}'),
    ("huge-exponent", '{"text": "x", "progress": 1e400}'),
    ("huge-int-5000-digits", '{"text": "x", "progress": ' + "9" * 5000 + "}"),
    ("truncated-utf8", b'{"text": "\xe4\xb8"}'),
    ("gbk-bytes", '{"text": "进展"}'.encode("gbk")),
    ("bom", "\ufeff" + '{"text": "x"}'),
    ("duplicate-keys", '{"text": "a", "text": "<img src=x onerror=alert(1)>"}'),
]


def _writes(world: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(id, user, url, a valid body) of write endpoints; the cases change the body."""
    matter = make_matter(world)
    hrss = world.units["hrss"].pk
    court = world.units["court"].pk
    return [
        ("matter-feedback", "hrss_liaison", f"/api/v1/matters/{matter.pk}/feedback/",
         {"text": "进展", "progress": 50}),
        ("matter-transition", "hrss_liaison", f"/api/v1/matters/{matter.pk}/transition/",
         {"name": "sign", "comment": ""}),
        ("liaison-letter", "hrss_liaison", "/api/v1/liaison/letters/",
         {"sender_unit": hrss, "recipient_unit": court, "subject": "函", "body": "内容"}),
        ("enforcement-check", "hrss_liaison", "/api/v1/enforcement/checks/",
         {"scenario": "procurement", "reference": "ZB-1",
          "parties": [{"name": "河南天中建材有限公司", "identifier": ""}]}),
    ]  # fmt: skip


MUTATIONS: list[tuple[str, Any]] = [
    ("wrong-types", lambda b: {k: ["<script>"] for k in b}),
    ("objects-for-strings", lambda b: {k: {"$ne": None} for k in b}),
    (
        "unknown-fields",
        lambda b: {
            **b,
            "id": 1,
            "is_staff": True,
            "state": "completed",
            "created_by": 1,
            "__class__": "x",
        },
    ),
    (
        "huge-int",
        lambda b: (
            {k: 10**30 if not isinstance(v, str | list) else v for k, v in b.items()}
            | {"progress": 10**30, "milestone": 10**30, "unit": 10**30}
        ),
    ),  # fmt: skip
    (
        "negative-ids",
        lambda b: {**b, "recipient_unit": -1, "sender_unit": -1, "milestone": -1, "unit": -1},
    ),  # fmt: skip
    ("float-ids", lambda b: {**b, "recipient_unit": 1.5, "milestone": 2.5, "unit": 1e10}),
    ("overlong", lambda b: {k: "长" * 100_000 if isinstance(v, str) else v for k, v in b.items()}),
    ("nul", lambda b: {k: "a\x00b" if isinstance(v, str) else v for k, v in b.items()}),
    (
        "script",
        lambda b: {
            k: "<script>alert(1)</script>" if isinstance(v, str) else v for k, v in b.items()
        },
    ),  # fmt: skip
    (
        "sql",
        lambda b: {
            k: "'; DROP TABLE matters_matter; --" if isinstance(v, str) else v for k, v in b.items()
        },
    ),  # fmt: skip
    ("bad-date", lambda b: {**b, "reply_by": "2026-02-30"}),
    ("far-date", lambda b: {**b, "reply_by": "9999-12-31"}),
    (
        "bad-identifiers",
        lambda b: {
            **b,
            "parties": [
                {"name": "张三", "identifier": "411702197508123458"},  # wrong check digit
                {"name": "某公司", "identifier": "91411700MA44XXXX1A"},  # wrong check character
                {"name": "某公司", "identifier": "91411700MA44XXXX1"},  # 17 characters
                {"name": "某人", "identifier": "41170219751312345X"},  # month 13
                {"name": "某机构", "identifier": "ZZ1234567"},
                {"name": "x" * 500, "identifier": "<script>"},
            ],
        },
    ),  # fmt: skip
    ("too-many-parties", lambda b: {**b, "parties": [{"name": f"甲{i}"} for i in range(20001)]}),
    ("empty-strings", lambda b: {k: "" for k in b}),
    ("nulls", lambda b: dict.fromkeys(b)),
]

WRITE_IDS = ["matter-feedback", "matter-transition", "liaison-letter", "enforcement-check"]
ALLOWED = (200, 201, 202, 400, 403, 404, 409, 413, 415)


@pytest.mark.parametrize(
    "endpoint", WRITE_IDS, ids=[f"{w}-x{len(MUTATIONS) + len(RAW_BODIES)}" for w in WRITE_IDS]
)
def test_write_bodies(world, endpoint: str) -> None:
    _id, role, url, body = next(w for w in _writes(world) if w[0] == endpoint)
    api = _as(world.users[role])
    failures = []
    for name, mutate in MUTATIONS:
        response = api.post(url, json.dumps(mutate(dict(body))), content_type="application/json")
        try:
            _assert_clean(response, ALLOWED)
            if response.status_code in (200, 201):
                text = response.content.decode()
                # Stored as text and returned as JSON text: never a live tag in an HTML answer.
                assert response["Content-Type"].startswith("application/json")
                assert "\x00" not in json.loads(text).__repr__()
        except (AssertionError, ValueError) as exc:
            failures.append(f"{name}: {str(exc)[:300]}")
    for name, raw in RAW_BODIES:
        response = api.post(url, raw, content_type="application/json")
        try:
            _assert_clean(response, ALLOWED)
        except (AssertionError, ValueError) as exc:
            failures.append(f"{name}: {str(exc)[:300]}")
    for name, content_type in (
        ("xml", "application/xml"),
        ("form-with-json", "application/x-www-form-urlencoded"),
        ("multipart-without-boundary", "multipart/form-data"),
        ("charset-junk", "application/json; charset=no-such-charset"),
    ):
        response = api.post(url, json.dumps(body), content_type=content_type)
        try:
            _assert_clean(response, ALLOWED)
        except (AssertionError, ValueError) as exc:
            failures.append(f"{name}: {str(exc)[:300]}")
    assert not failures, "\n".join(failures)


def test_invalid_identifiers_are_refused_naming_each_party(world) -> None:
    api = _as(world.users["hrss_liaison"])
    response = api.post(
        "/api/v1/enforcement/checks/",
        {
            "scenario": "procurement",
            "parties": [
                {"name": "张三", "id_type": "resident_id", "identifier": "41170219751312345X"},
                {"name": "某公司", "id_type": "credit_code", "identifier": "91411700MA44XXXX1"},
                {"name": "李四", "id_type": "resident_id", "identifier": "4117021975"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    data = response.json()
    fields = {e["field"] for e in data["errors"]}
    assert fields == {f"parties.{n}.identifier" for n in range(3)}, data
    assert all(has_cjk(e["message"]) for e in data["errors"]), data


# --- Authorization headers -----------------------------------------------------------------------
HEADERS = [
    ("bearer-empty", "Bearer "),
    ("bearer-only", "Bearer"),
    ("bearer-nul", "Bearer fy_\x00abc"),
    ("bearer-long", "Bearer " + "A" * 20_000),
    ("bearer-script", "Bearer <script>alert(1)</script>"),
    ("bearer-sql", "Bearer ' OR 1=1 --"),
    ("bearer-spaces", "Bearer a b c"),
    ("bearer-unicode", "Bearer 令牌😀"),
    ("basic", "Basic Y2l0eV9vZmZpY2U6cGFzc3dvcmQ="),
    ("token-scheme", "Token abcdef"),
    ("lowercase", "bearer abcdef"),
    ("crlf", "Bearer abc\r\nX-Injected: 1"),
]


@pytest.mark.parametrize("header", [h for _n, h in HEADERS], ids=[n for n, _h in HEADERS])
def test_malformed_authorization_is_refused(world, header: str) -> None:
    api = APIClient(raise_request_exception=False)
    response = api.get("/api/v1/matters/", HTTP_AUTHORIZATION=header)
    assert response.status_code in (401, 403), response.status_code
    data = response.json()
    assert data["code"] and has_cjk(data["message"]), data
    assert "X-Injected" not in response
