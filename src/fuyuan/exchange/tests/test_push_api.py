"""Bulk pushes through the API: 202 with a status URL, the worker imports, the same batch id
answers the first result, a concurrent duplicate gets 409, sizes and scopes are enforced."""

from __future__ import annotations

import gzip
import json
import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from fuyuan.core import importing
from fuyuan.core.models import ImportBatch, ImportChannel, ImportState
from fuyuan.exchange.testing import client_token
from fuyuan.litigation.models import AdminCase

pytestmark = pytest.mark.django_db

FEED = "litigation.cases"
HEADERS = "案号,原告,被告,案由,立案日期,审理阶段\r\n"
HRSS = "驻马店市人力资源和社会保障局"
PUSH = reverse("api:import-push-list", kwargs={"feed": FEED})


def cases_csv(*numbers: int, bad: int = 0) -> bytes:
    rows = "".join(
        f"（2026）豫17行初{n}号,张玉梅,{HRSS},工伤认定,2026-01-05,审理中\r\n" for n in numbers
    )
    rows += "".join(
        f"（2026）豫17行初{800 + i}号,张三,不存在的单位,工伤认定,2026-01-05,审理中\r\n"
        for i in range(bad)
    )
    return (HEADERS + rows).encode("gb18030")


def cases_ndjson(*numbers: int) -> bytes:
    return "".join(
        json.dumps(
            {
                "number": f"（2026）豫17行初{n}号",
                "plaintiffs": "张玉梅",
                "defendants": HRSS,
                "cause": "工伤认定",
                "filed_on": "2026-01-05",
            },
            ensure_ascii=False,
        )
        + "\n"
        for n in numbers
    ).encode()


def api_for(world: Any, unit: str = "court", **kwargs: Any) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {client_token(unit=world.units[unit], **kwargs)}")
    return api


def push(api: APIClient, body: bytes, batch_id: str = "", name: str = "cases.csv") -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, body)}
    if batch_id:
        data["batch_id"] = batch_id
    return api.post(PUSH, data, format="multipart")


def test_a_push_is_answered_202_with_a_status_url_and_the_worker_imports_it(
    world, django_capture_on_commit_callbacks
):
    api = api_for(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = push(api, cases_csv(901, 902, bad=1), batch_id="court-0301")

    assert response.status_code == 202
    body = response.json()
    batch = ImportBatch.objects.get()
    assert body == {
        "id": batch.pk,
        "feed": FEED,
        "batch_id": "court-0301",
        "state": "queued",
        "status_url": f"/api/v1/imports/batches/{batch.pk}/",
    }
    assert response["Location"] == body["status_url"]
    assert callbacks  # the import is queued after the commit
    assert batch.channel == ImportChannel.PUSH

    status = api.get(body["status_url"]).json()
    assert status["state"] == ImportState.IMPORTED
    assert status["counts"] == {
        "total": 3,
        "ok": 2,
        "error": 1,
        "held": 0,
        "duplicate": 0,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert status["failure"] is None
    assert status["issues_total"] == 1
    assert status["issues"][0]["row"] == 4 and status["issues"][0]["code"]
    assert status["issues"][0]["cells"][0] == ["案号", "（2026）豫17行初800号"]
    assert AdminCase.objects.count() == 2


def test_nothing_is_imported_until_the_transaction_commits(world):
    response = push(api_for(world), cases_csv(903))

    assert response.status_code == 202
    assert ImportBatch.objects.get().state == ImportState.QUEUED
    assert AdminCase.objects.count() == 0


def test_the_same_batch_id_twice_answers_the_first_result_and_stores_once(
    world, django_capture_on_commit_callbacks
):
    api = api_for(world)
    with django_capture_on_commit_callbacks(execute=True):
        first = push(api, cases_csv(904), batch_id="again")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = push(api, cases_csv(904), batch_id="again")

    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["state"] == ImportState.IMPORTED
    assert second.json()["counts"]["created"] == 1
    assert second["Location"] == first["Location"]
    assert callbacks == []  # nothing queued again
    assert ImportBatch.objects.count() == 1 and AdminCase.objects.count() == 1


def test_the_same_file_under_a_new_batch_id_is_a_duplicate_file(
    world, django_capture_on_commit_callbacks
):
    api = api_for(world)
    with django_capture_on_commit_callbacks(execute=True):
        push(api, cases_csv(905), batch_id="one")
        second = push(api, cases_csv(905), batch_id="two")

    status = api.get(second.json()["status_url"]).json()
    assert status["state"] == ImportState.DUPLICATE_FILE
    assert status["duplicate_of"] == second.json()["id"] - 1
    assert AdminCase.objects.count() == 1


def test_a_raw_ndjson_body_with_the_batch_id_in_a_header(world, django_capture_on_commit_callbacks):
    api = api_for(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.generic(
            "POST",
            PUSH,
            cases_ndjson(906, 907),
            content_type="application/x-ndjson",
            HTTP_X_BATCH_ID="nd-1",
        )

    assert response.status_code == 202, response.json()
    batch = ImportBatch.objects.get()
    assert batch.batch_id == "nd-1" and batch.name == "push.ndjson"
    assert batch.state == ImportState.IMPORTED and batch.created_rows == 2


def test_a_raw_gzip_csv_body(world, django_capture_on_commit_callbacks):
    api = api_for(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.generic(
            "POST", PUSH, gzip.compress(cases_csv(908)), content_type="application/gzip"
        )

    assert response.status_code == 202
    assert ImportBatch.objects.get().state == ImportState.IMPORTED
    assert AdminCase.objects.count() == 1


def test_a_file_with_wrong_headers_fails_with_its_code_in_the_status(
    world, django_capture_on_commit_callbacks
):
    api = api_for(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = push(api, "编号,名称\r\n1,甲\r\n".encode())

    status = api.get(response.json()["status_url"]).json()
    assert status["state"] == ImportState.FAILED
    assert status["failure"]["code"].startswith("import.")
    assert status["failure"]["message"]


def test_a_read_only_token_cannot_push(world):
    response = push(api_for(world, scopes={"imports": "read"}), cases_csv(909))

    assert response.status_code == 403
    assert response.json()["code"] == "api.scope"


def test_a_unit_that_may_not_import_the_feed_is_refused(world):
    response = push(api_for(world, unit="hrss"), cases_csv(910))

    assert response.status_code == 403
    assert response.json()["code"] == "import.forbidden"
    assert ImportBatch.objects.count() == 0


def test_an_unknown_feed_is_404(world):
    api = api_for(world)
    response = api.post(
        reverse("api:import-push-list", kwargs={"feed": "no.such"}),
        {"file": SimpleUploadedFile("x.csv", b"a\n1\n")},
        format="multipart",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "import.feed"


@override_settings(FUYUAN_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_413(world):
    api = api_for(world)
    multipart = push(api, cases_csv(911, 912, 913))
    raw = api.generic("POST", PUSH, cases_ndjson(914, 915), content_type="application/x-ndjson")

    assert (multipart.status_code, raw.status_code) == (413, 413)
    assert multipart.json()["code"] == raw.json()["code"] == "import.too_large"
    assert ImportBatch.objects.count() == 0


def test_a_push_without_a_file_is_400(world):
    api = api_for(world)
    response = api.post(PUSH, {"batch_id": "x"}, format="multipart")
    empty = api.generic("POST", PUSH, b"", content_type="text/csv")

    assert response.status_code == empty.status_code == 400
    assert response.json()["code"] == "import.no_file"


def test_an_empty_file_is_refused_with_the_importers_code(world):
    response = push(api_for(world), b"")

    assert response.status_code == 400
    assert response.json()["code"] == "import.no_file"


def test_a_batch_is_seen_by_its_uploader_and_the_feeds_importers_only(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pushed = push(api_for(world), cases_csv(916)).json()
    url = pushed["status_url"]

    assert client_for("city_office").get(url).status_code == 200  # may import the feed
    assert client_for("hrss_liaison").get(url).status_code == 404
    assert api_for(world, unit="hrss").get(url).status_code == 404
    listed = client_for("court_staff").get(reverse("api:import-batch-list")).json()
    assert [b["id"] for b in listed["results"]] == [pushed["id"]]
    assert client_for("hrss_liaison").get(reverse("api:import-batch-list")).json()["count"] == 0


def test_the_issues_are_paginated_and_filtered_by_level(world, django_capture_on_commit_callbacks):
    api = api_for(world)
    with django_capture_on_commit_callbacks(execute=True):
        pushed = push(api, cases_csv(917, bad=3)).json()
    url = reverse("api:import-batch-issues", kwargs={"pk": pushed["id"]})

    page = api.get(url, {"page_size": 2}).json()
    errors = api.get(url, {"level": "error"}).json()
    warnings = api.get(url, {"level": "warning"}).json()

    assert page["count"] == 3 and page["pages"] == 2 and len(page["results"]) == 2
    assert [i["row"] for i in page["results"]] == [3, 4]
    assert errors["count"] == 3 and warnings["count"] == 0
    assert set(page["results"][0]) == {"row", "column", "level", "code", "message", "cells"}


def test_the_status_shows_the_first_100_issues(world, django_capture_on_commit_callbacks):
    api = api_for(world)
    with django_capture_on_commit_callbacks(execute=True):
        pushed = push(api, cases_csv(bad=105)).json()

    status = api.get(pushed["status_url"]).json()
    assert status["issues_total"] == 105 and len(status["issues"]) == 100


def test_the_feeds_list_shows_what_the_client_may_push_with_columns(world):
    court = api_for(world).get(reverse("api:import-feed-list")).json()
    hrss = api_for(world, unit="hrss").get(reverse("api:import-feed-list")).json()

    feeds = {f["name"]: f for f in court}
    assert {"litigation.cases", "enforcement.debtors"} <= set(feeds)
    cases = feeds["litigation.cases"]
    assert cases["push_url"] == PUSH
    number = next(c for c in cases["columns"] if c["key"] == "number")
    assert number["label"] == "案号" or "案号" in number["headers"]
    assert number["label_en"] == "Case number" and number["required"] is True
    assert not {"litigation.cases", "enforcement.debtors"} & {f["name"] for f in hrss}


def test_the_push_is_described_in_the_schema(world, client_for):
    schema = client_for("city_office").get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/imports/{feed}/"]["post"]

    content = operation["requestBody"]["content"]
    assert {"multipart/form-data", "application/x-ndjson", "text/csv"} <= set(content)
    assert set(operation["responses"]) >= {"200", "202", "400", "403", "404", "409", "413"}


def test_a_conflicting_submit_is_answered_409(world, monkeypatch):
    def conflict(*args: Any, **kwargs: Any) -> Any:
        raise importing.ImportFileError("import.batch_conflict", "at the same moment")

    monkeypatch.setattr(importing, "submit", conflict)
    response = push(api_for(world), cases_csv(918), batch_id="race")

    assert response.status_code == 409
    assert response.json()["code"] == "import.batch_conflict"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_pushes_with_one_batch_id_one_wins_the_other_gets_409(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from fuyuan.testing import build_world

    world = build_world()
    token = client_token(unit=world.units["court"])
    both_checked = threading.Barrier(2, timeout=30)
    digest = importing._digest

    def slow_digest(upload: Any) -> Any:
        # Both requests have looked for an earlier batch with this id (none yet) before
        # either stores its own: the unique constraint must decide.
        both_checked.wait()
        return digest(upload)

    monkeypatch.setattr(importing, "_digest", slow_digest)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def pusher() -> None:
        from django.db import connections

        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        try:
            response = push(api, cases_csv(919), batch_id="same-moment")
            with lock:
                answers.append((response.status_code, response.json().get("code", "")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pusher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(answers) == [(202, ""), (409, "import.batch_conflict")]
    assert ImportBatch.objects.filter(batch_id="same-moment").count() == 1
    assert AdminCase.objects.count() == 1
