"""Export packages in the outbox: written with the API's rows, filter and masking, signed,
verified; a tampered package fails verification; every package is logged as a pull."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core import importing
from fuyuan.enforcement.models import DebtorRecord
from fuyuan.enforcement.samples import __file__ as samples_init
from fuyuan.exchange import packages
from fuyuan.exchange.models import AccessGrant, AccessLog, GrantState
from fuyuan.exchange.transfer_models import ExportPackage, PackageState

pytestmark = pytest.mark.django_db

DATASET = "enforcement.debtors"
SAMPLE = Path(samples_init).parent / "debtors_utf8.csv"
CLEAR_ID = "411702197508123459"  # 张建国 in the sample file


@pytest.fixture
def root(tmp_path: Path) -> Any:
    with override_settings(FUYUAN_EXCHANGE_ROOT=tmp_path):
        yield tmp_path


@pytest.fixture
def debtors(world: Any) -> int:
    """The court's sample debtor list, imported by the intermediate court's staff."""
    from django.core.files import File

    with SAMPLE.open("rb") as handle:
        batch, _ = importing.submit(
            DATASET, File(handle, name=SAMPLE.name), world.users["court_staff"], channel="push"
        )
    importing.process(batch)
    count = DebtorRecord.objects.count()
    assert count > 5
    return count


def grant(world: Any, unit: str = "hrss", *, personal: bool = False, **fields: Any) -> AccessGrant:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "dataset": DATASET,
        "requesting_unit": world.units[unit],
        "provider_unit": world.units["court"],
        "purpose": "招投标资格审查",
        "valid_from": today - datetime.timedelta(days=1),
        "valid_to": today + datetime.timedelta(days=30),
        "personal_requested": personal,
        "personal_granted": personal,
        "state": GrantState.APPROVED,
        "requested_by": world.users["hrss_liaison"],
        "decided_by": world.users["court_staff"],
        "decided_at": timezone.now(),
    }
    values.update(fields)
    return AccessGrant.objects.create(**values)


def rows_of(root: Path, package: ExportPackage) -> list[dict[str, Any]]:
    text = (root / package.folder / "rows.ndjson").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_a_package_is_written_with_the_apis_rows_masked_and_verifies(world, root, debtors):
    given = grant(world)

    package = packages.write_package(
        world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
    )

    assert package.state == PackageState.WRITTEN
    assert package.grant == given and package.personal_revealed is False
    assert package.row_count == debtors
    folder = root / package.folder
    assert package.folder.startswith(f"outbox/unit-{world.units['hrss'].pk}/{DATASET}-")
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json",
        "manifest.sig",
        "rows.ndjson",
    ]
    rows = rows_of(root, package)
    assert len(rows) == debtors
    zhang = next(r for r in rows if r["name"] == "张建国")
    assert zhang["identifier"] != CLEAR_ID and zhang["identifier"].startswith("411702")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataset"] == DATASET and manifest["row_count"] == debtors
    assert manifest["files"] == {"rows.ndjson": package.sha256}
    assert manifest["grant"]["id"] == given.pk
    assert manifest["recipient"]["id"] == world.units["hrss"].pk
    assert manifest["created_by"] and manifest["created_at"]
    signature = json.loads((folder / "manifest.sig").read_text(encoding="utf-8"))
    assert signature["algorithm"] == "HMAC-SM3"
    assert packages.verify_package(folder).ok


def test_every_package_is_logged_as_a_pull_and_audited(world, root, debtors):
    given = grant(world)

    package = packages.write_package(
        world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
    )

    log = AccessLog.objects.get()
    assert (log.channel, log.dataset, log.grant, log.unit) == (
        "package",
        DATASET,
        given,
        world.units["hrss"],
    )
    assert log.row_count == debtors and log.personal_revealed is False
    assert log.user == world.users["hrss_liaison"]
    assert AuditEntry.objects.filter(action="exchange.package", object_id=str(package.pk)).exists()


def test_a_grant_opening_personal_fields_writes_them_in_clear(world, root, debtors):
    grant(world, personal=True)

    package = packages.write_package(
        world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
    )

    assert package.personal_revealed is True
    zhang = next(r for r in rows_of(root, package) if r["name"] == "张建国")
    assert zhang["identifier"] == CLEAR_ID
    assert AccessLog.objects.get().personal_revealed is True


def test_the_filter_is_the_apis_filterset(world, root, debtors):
    grant(world)

    package = packages.write_package(
        world.users["hrss_liaison"],
        dataset=DATASET,
        recipient_unit=world.units["hrss"],
        filters="q=张建国&page=3",
    )

    assert package.filters == {"q": ["张建国"]}
    assert [r["name"] for r in rows_of(root, package)] == ["张建国"]
    assert AccessLog.objects.get().filters == {"q": ["张建国"]}


def test_a_bad_filter_is_refused_with_a_code(world, root, debtors):
    grant(world)

    with pytest.raises(packages.PackageError) as refused:
        packages.write_package(
            world.users["hrss_liaison"],
            dataset=DATASET,
            recipient_unit=world.units["hrss"],
            filters={"state": "no-such-state"},
        )

    assert refused.value.code == "package.filters"
    assert ExportPackage.objects.get().state == PackageState.FAILED


def test_the_provider_may_write_a_package_for_a_grantee(world, root, debtors):
    grant(world)

    package = packages.write_package(
        world.users["court_staff"], dataset=DATASET, recipient_unit=world.units["hrss"]
    )

    assert package.state == PackageState.WRITTEN and package.personal_revealed is False


def test_the_provider_may_write_its_own_dataset_for_itself_in_clear(world, root, debtors):
    package = packages.write_package(
        world.users["court_staff"], dataset=DATASET, recipient_unit=world.units["court"]
    )

    assert package.grant is None and package.personal_revealed is True
    assert any(r["identifier"] == CLEAR_ID for r in rows_of(root, package))


@pytest.mark.parametrize(
    ("user", "unit", "code"),
    [
        ("hrss_liaison", "hrss", "api.no_grant"),  # no grant
        ("a_hrss_liaison", "hrss", "package.forbidden"),  # not acting for the recipient
        ("hrss_liaison", "court", "package.forbidden"),  # the court's own package
        ("system_admin", "hrss", "package.forbidden"),
    ],
)
def test_a_package_without_a_right_to_it_is_refused(world, root, debtors, user, unit, code):
    if code != "api.no_grant":
        grant(world)

    with pytest.raises(PermissionDenied) as refused:
        packages.write_package(world.users[user], dataset=DATASET, recipient_unit=world.units[unit])

    assert str(refused.value) == code
    assert ExportPackage.objects.count() == 0 and AccessLog.objects.count() == 0


def test_an_expired_or_refused_grant_does_not_count(world, root, debtors):
    today = timezone.localdate()
    grant(
        world,
        valid_from=today - datetime.timedelta(days=40),
        valid_to=today - datetime.timedelta(days=1),
    )
    grant(world, state=GrantState.REFUSED)

    with pytest.raises(PermissionDenied, match=r"api\.no_grant"):
        packages.write_package(
            world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
        )


def test_a_tampered_package_fails_verification(world, root, debtors):
    grant(world)
    package = packages.write_package(
        world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
    )
    folder = root / package.folder
    rows = folder / "rows.ndjson"
    original = rows.read_bytes()

    rows.write_bytes(original.replace("张建国".encode(), "王建国".encode()))
    assert [code for code, _ in packages.verify_package(folder).problems] == ["package.hash"]

    rows.write_bytes(original)
    manifest = folder / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["row_count"] = 1
    manifest.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    codes = [code for code, _ in packages.verify_package(folder).problems]
    assert "package.signature" in codes and "package.rows" in codes

    (folder / "manifest.sig").unlink()
    assert [c for c, _ in packages.verify_package(folder).problems] == ["package.missing"]


def test_the_verify_command_says_ok_or_fails(world, root, debtors):
    grant(world)
    package = packages.write_package(
        world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
    )
    folder = root / package.folder
    out = StringIO()

    call_command("exchange_verify_package", str(folder), stdout=out)
    assert out.getvalue().startswith(f"OK {DATASET} rows={debtors}")

    (folder / "rows.ndjson").write_bytes(b"{}\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("exchange_verify_package", str(folder), stdout=StringIO(), stderr=err)
    assert "package.hash" in err.getvalue()


@override_settings(FUYUAN_PACKAGE_KEY="ab" * 32)
def test_a_package_signed_with_another_key_does_not_verify(world, root, debtors):
    grant(world)
    package = packages.write_package(
        world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
    )
    packages._signer.cache_clear()
    try:
        with override_settings(FUYUAN_PACKAGE_KEY="cd" * 32):
            codes = [c for c, _ in packages.verify_package(root / package.folder).problems]
    finally:
        packages._signer.cache_clear()
    assert codes == ["package.signature"]


def test_a_requested_package_is_written_by_the_worker_after_the_commit(
    world, root, debtors, django_capture_on_commit_callbacks
):
    grant(world)
    with django_capture_on_commit_callbacks(execute=True):
        package = packages.request_package(
            world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
        )

    package.refresh_from_db()
    assert package.state == PackageState.WRITTEN and package.row_count == debtors
    assert packages.verify_package(root / package.folder).ok


def test_a_grant_revoked_before_the_worker_writes_fails_the_package(
    world, root, debtors, django_capture_on_commit_callbacks
):
    given = grant(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        package = packages.request_package(
            world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
        )
    AccessGrant.objects.filter(pk=given.pk).update(state=GrantState.REVOKED)
    for callback in callbacks:
        callback()

    package.refresh_from_db()
    assert package.state == PackageState.FAILED and "api.no_grant" in package.failure
    assert AccessLog.objects.count() == 0


def test_writing_a_package_twice_writes_it_once(world, root, debtors):
    grant(world)
    package = packages.write_package(
        world.users["hrss_liaison"], dataset=DATASET, recipient_unit=world.units["hrss"]
    )

    again = packages.write(package)

    assert again.folder == package.folder and AccessLog.objects.count() == 1
    assert len(list((root / "outbox").rglob("manifest.json"))) == 1


def test_recipients_offered_are_own_grantees_and_own_providing_units(world, debtors):
    grant(world)

    court = set(packages.recipients_for(world.users["court_staff"], DATASET))
    hrss = set(packages.recipients_for(world.users["hrss_liaison"], DATASET))
    housing = set(packages.recipients_for(world.users["housing_liaison"], DATASET))

    assert court == {world.units["court"], world.units["hrss"]}
    assert hrss == {world.units["hrss"]}
    assert housing == set()


# --- pages -------------------------------------------------------------------------------------
def test_the_packages_page_asks_for_a_package_and_shows_it(
    world, root, debtors, client_for, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    grant(world)
    page = client_for("hrss_liaison")
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            reverse("exchange:package_list"),
            {"dataset": DATASET, "recipient": world.units["hrss"].pk, "filters": "q=张建国"},
        )

    package = ExportPackage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:package_detail", args=[package.pk])
    assert package.state == PackageState.WRITTEN and package.row_count == 1
    listing = page.get(reverse("exchange:package_list"))
    assert package in listing.context["page"].object_list
    detail = page.get(reverse("exchange:package_detail", args=[package.pk]), {"verify": "1"})
    assert detail.context["verification"].ok
    assert (
        client_for("housing_liaison")
        .get(reverse("exchange:package_detail", args=[package.pk]))
        .status_code
        == 404
    )


def test_the_packages_page_says_why_a_package_is_refused(world, root, debtors, client_for):
    from django.urls import reverse

    grant(world)
    response = client_for("court_staff").post(
        reverse("exchange:package_list"),
        {"dataset": DATASET, "recipient": world.units["hrss"].pk, "filters": "state=nonsense"},
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("filters", "package.filters")
    assert ExportPackage.objects.count() == 0


def test_the_packages_page_offers_no_form_without_a_recipient(world, client_for):
    from django.urls import reverse

    response = client_for("housing_liaison").get(reverse("exchange:package_list"))

    assert response.status_code == 200 and response.context["form"] is None
    assert client_for("audit_admin").get(reverse("exchange:package_list")).status_code == 403
