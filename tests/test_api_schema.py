"""schemathesis against the API's own OpenAPI schema, on the demo data: for every operation a
fixed number of generated requests (valid and invalid), as the city office's system client
holding every scope; no answer may be a server error, and every answer must match the schema
(status code documented, body of the documented shape, content type). A time box stops the
run from growing past the CI budget: operations left when it is spent are reported as skipped.

The same run happens on SQLite and PostgreSQL (.ci/run)."""

from __future__ import annotations

import gzip
import json
import os
import time
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUYUAN_SCHEMATHESIS_EXAMPLES", "6"))
BUDGET_SECONDS = float(os.environ.get("FUYUAN_SCHEMATHESIS_SECONDS", "240"))
_started: list[float] = []

# Bodies of bulk pushes: NDJSON rows with the feeds' Chinese and English headers (well or badly
# filled), gzip'd or not, and plain garbage — so the push endpoints are fuzzed too.
_KEYS = st.sampled_from(["案号", "原告", "被告", "案由", "立案日期", "case_number", "name", "x"])
_ROWS = st.lists(st.dictionaries(_KEYS, st.text(max_size=12), max_size=6), max_size=4)
NDJSON = _ROWS.map(
    lambda rows: "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
) | st.binary(max_size=64)
schemathesis.openapi.media_type("application/x-ndjson", NDJSON)
schemathesis.openapi.media_type(
    "application/gzip", NDJSON.map(gzip.compress) | st.binary(max_size=64)
)

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture(scope="module")
def demo_token(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The demo data and a token of the city office's system client with every scope, kept
    in one transaction for the module and rolled back at the end."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, transaction

    from fuyuan.exchange.testing import client_token

    # schemathesis calls the WSGI handler itself, whose request signals would close the
    # connection held inside the module's transaction (PostgreSQL): detach them, as Django's
    # test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for command in (
                "load_demo",
                "load_demo_matters",
                "load_demo_mechanism",
                "load_demo_litigation",
                "load_demo_enforcement",
                "load_demo_exchange",
            ):
                call_command(command, verbosity=0)
            yield client_token(unit_name="驻马店市司法局", scopes="all")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_match_the_schema(case: Any, demo_token: str) -> None:
    if not _started:
        _started.append(time.monotonic())
    if time.monotonic() - _started[0] > BUDGET_SECONDS:
        pytest.skip("schemathesis time box spent")
    case.call_and_validate(
        headers={"Authorization": f"Bearer {demo_token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
