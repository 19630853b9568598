"""`fuyuan load_demo_exchange`: system clients, access grants in every state, the pull log of the
last weeks, the court system's pushed batches, a dropped file and an export package, on top of
the other five demos — written through the exchange's actions, so the audit trail is the real
one.

The six demos are loaded once for the module (in a transaction rolled back at the end), at a
fixed moment."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from fuyuan.accounts.models import User
from fuyuan.audit.models import AuditEntry
from fuyuan.core.models import ImportBatch
from fuyuan.exchange import access
from fuyuan.exchange.models import (
    AccessGrant,
    AccessLog,
    ApiClient,
    ApiToken,
    DroppedFile,
    ExportPackage,
)
from fuyuan.org.models import Unit

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 26, 10, 30, tzinfo=BEIJING)
TODAY = NOW.date()
DEMOS = (
    "load_demo",
    "load_demo_matters",
    "load_demo_mechanism",
    "load_demo_litigation",
    "load_demo_enforcement",
)
MODELS = (
    ApiClient,
    ApiToken,
    AccessGrant,
    AccessLog,
    ImportBatch,
    DroppedFile,
    ExportPackage,
    AuditEntry,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_without_the_other_demos_it_fails_clearly() -> None:
    # Runs before the module's demo is loaded (file order).
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_exchange", stdout=io.StringIO())
    assert not ApiClient.objects.exists()


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    media = tmp_path_factory.mktemp("demo-exchange-media")
    root = tmp_path_factory.mktemp("demo-exchange-root")
    with (
        override_settings(MEDIA_ROOT=str(media), FUYUAN_EXCHANGE_ROOT=root),
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for name in DEMOS:
                call_command(name, stdout=io.StringIO())
            out = io.StringIO()
            call_command("load_demo_exchange", "--if-empty", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def user(name: str) -> Any:
    return User.objects.get(username=name)


def unit(short_name: str) -> Unit:
    return Unit.objects.get(short_name=short_name, jurisdiction__code="411700")


def test_clients_and_tokens(demo: str) -> None:
    assert "Exchange demo loaded" in demo and "clients 5" in demo
    assert "fy_" not in demo  # no token in clear without --show-tokens
    clients = {c.unit.short_name: c for c in ApiClient.objects.select_related("unit")}
    assert set(clients) == {"市中级人民法院", "市人社局", "市财政局", "市市场监管局", "市住建局"}
    court = clients["市中级人民法院"]
    assert court.allows("imports", write=True) and court.allows("litigation.cases", write=False)
    hr = clients["市人社局"]
    assert hr.allows("enforcement.checks", write=True)
    assert hr.allows("enforcement.debtors", write=False)
    assert not hr.allows("enforcement.debtors", write=True)
    # 市住建局's system is stopped; 市市场监管局's first token revoked; the court's rotated.
    assert not clients["市住建局"].is_active and not clients["市住建局"].service_user.is_active
    assert ApiToken.objects.filter(
        client=clients["市市场监管局"], revoked_at__isnull=False
    ).exists()
    assert ApiToken.objects.filter(client=court).count() == 2
    assert ApiToken.objects.filter(client=court, expires_at__gt=NOW).exists()
    assert not ApiToken.objects.usable().filter(client=clients["市住建局"]).exists()
    # Connected before today, each as a service user of its unit.
    for client in clients.values():
        assert client.created_at.date() < TODAY
        assert client.service_user.assignments.get().unit_id == client.unit_id


def test_grants_in_every_state(demo: str) -> None:
    grants = AccessGrant.objects.all()
    states = {g.state for g in grants}
    assert {"approved", "requested", "refused", "withdrawn", "revoked"} <= states
    assert set(grants.values_list("provider_unit__short_name", flat=True)) == {"市中级人民法院"}
    # The debtor list for 市人社局's tenders: approved for a year, without personal fields.
    hr = access.active_grant(unit("市人社局"), "enforcement.debtors", TODAY)
    assert hr is not None and not hr.personal_granted and "招标投标" in hr.purpose
    assert (hr.valid_to - hr.valid_from).days >= 364
    # With personal fields, for a narrow purpose and three months.
    finance = access.active_grant(unit("市财政局"), "enforcement.debtors", TODAY)
    assert finance is not None and finance.personal_granted
    assert (finance.valid_to - finance.valid_from).days < 100
    assert grants.get(state="refused").decision_note
    assert grants.get(state="revoked").end_reason
    assert grants.get(state="requested").requesting_unit.short_name == "市市场监管局"
    # Bankruptcy cases: last year's grant ended, its renewal valid today.
    bankruptcy = grants.filter(dataset="bankruptcy.cases", state="approved")
    assert bankruptcy.filter(valid_to__lt=TODAY).count() == 1
    assert access.active_grant(unit("市住建局"), "bankruptcy.cases", TODAY) is not None
    assert access.active_grant(unit("市住建局"), "enforcement.debtors", TODAY) is None
    # Decided by the provider's people; dated before today.
    assert set(grants.exclude(decided_by=None).values_list("decided_by__username", flat=True)) == {
        "court"
    }
    assert all(g.created_at.date() < TODAY for g in grants)


def test_the_pull_log(demo: str) -> None:
    log = AccessLog.objects.all()
    assert 40 <= log.count() <= 120
    days = {entry.at.astimezone(BEIJING).date() for entry in log}
    assert len(days) >= 15 and min(days) >= TODAY - datetime.timedelta(days=45)
    assert max(entry.at for entry in log) <= NOW
    # Under a grant valid at the time, with personal fields only where the grant opens them.
    for entry in log.exclude(grant=None).select_related("grant"):
        grant = entry.grant
        day = entry.at.astimezone(BEIJING).date()
        assert grant.valid_from <= day <= grant.valid_to, entry
        assert entry.personal_revealed == grant.personal_granted
    # The court's own system reads its own data in clear, without a grant.
    own = log.filter(client__unit__short_name="市中级人民法院")
    assert own.exists() and not own.filter(grant__isnull=False).exists()
    assert all(e.personal_revealed for e in own)
    assert log.filter(row_count__gt=0).exists() and log.filter(row_count=0).exists()
    assert log.filter(filters__has_key="q").exists()
    assert log.filter(channel="package").count() == ExportPackage.objects.count() == 1
    # The bulk download that got 市住建局's grant revoked.
    assert log.filter(client__unit__short_name="市住建局", row_count=500).count() >= 5


def test_pushed_batches_and_the_drop(demo: str) -> None:
    court_system = ApiClient.objects.get(unit__short_name="市中级人民法院").service_user
    batches = ImportBatch.objects.filter(uploaded_by=court_system)
    assert batches.count() == 4
    assert all(b.batch_id for b in batches)
    pushed = batches.filter(channel="push")
    cases = pushed.get(feed="litigation.cases", state="imported")
    assert cases.error_rows == 1 and cases.created_rows == cases.ok_rows >= 4
    assert cases.issues.filter(level="error").exists()
    hearings = pushed.get(feed="litigation.hearings")
    assert hearings.state == "imported" and hearings.error_rows == 1
    assert pushed.filter(state="duplicate_file").count() == 1
    dropped = DroppedFile.objects.get()
    assert dropped.state == "done" and dropped.batch.channel == "drop"
    assert dropped.batch.created_rows == 1 and dropped.batch.updated_rows == 1
    audited = AuditEntry.objects
    assert audited.filter(action="import.litigation.cases", actor=court_system).count() == 2
    assert audited.filter(action="exchange.client.create", actor=user("sysadmin")).count() == 5
    assert audited.filter(action="exchange.grant.approve", actor=user("court")).count() == 5
    assert audited.filter(action="exchange.grant.request", actor=user("liaison2")).count() == 3
    assert audited.filter(action="exchange.demo.dates").count() == 1


def test_if_empty_twice_adds_nothing(demo: str) -> None:
    before = counts()
    out = io.StringIO()
    call_command("load_demo_exchange", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert counts() == before
    with pytest.raises(CommandError, match="system clients already"):
        call_command("load_demo_exchange", stdout=io.StringIO())
    assert counts() == before
