"""The outbox (issue [api] 2; docs/api.md, "Export packages"): signed export packages of a
purpose-bound dataset that a unit collects through the gateway when it cannot call the API.

A package is the rows the API would list — the dataset's own viewset (found by its `dataset`
among the registered routes), its FilterSet, its serializer and its masking — written as

    <root>/outbox/<recipient credit code>/<dataset>-<YYYYmmdd-HHMMSS>-<id>/
        rows.ndjson     one JSON object per row, as the API's list returns them
        manifest.json   dataset, filters, row_count, files {name: sha256}, grant, recipient …
        manifest.sig    the signature of manifest.json's exact bytes

The folder is written under a dot-name and renamed when complete, so the gateway never sees
half a package. Who may ask, and what is in clear:

- a person acting for the recipient unit when that unit provides the dataset (a court taking
  its own list for its own systems) — personal fields in clear, as for the provider's client;
- a person acting for the recipient unit, or for the provider, under the recipient's approved
  grant valid today — personal fields in clear only if the grant opens them.

The rows are those the person asking would get from the API's list with the same filter.
Every package is logged as a pull (access.log_package) and audited.

The signature is HMAC-SM3 (GB/T 32905) with the platform's package key: FUYUAN_PACKAGE_KEY
(hex) if set, else a key derived from SECRET_KEY. The recipient checks a package with
`fuyuan exchange_verify_package <folder>` on the platform (or with the shared key). A
hardware SM2 signer replaces it through FUYUAN_PACKAGE_SIGNER (a class with `sign(bytes) ->
dict` and `verify(bytes, dict) -> bool`), without changing the package format.
"""

from __future__ import annotations

import functools
import hashlib
import hmac as std_hmac
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.request import Request
from rest_framework.utils.encoders import JSONEncoder

from fuyuan.core.api import Access
from fuyuan.org.models import Unit

from . import access
from .models import AccessGrant
from .transfer_models import ExportPackage, PackageState

OUTBOX = "outbox"
ROWS = "rows.ndjson"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
CHUNK = 500
# Query parameters of the API's list that do not filter.
NOT_FILTERS = {"page", "page_size", "format"}


class PackageError(Exception):
    """A package cannot be written; `code` is stable, `message` for people."""

    def __init__(self, code: str, message: str, errors: list[dict[str, str]] | None = None):
        self.code = code
        self.message = message
        self.errors = errors or []
        super().__init__(message)


# --- the signature ----------------------------------------------------------------------------
class Signer(Protocol):
    def sign(self, data: bytes) -> dict[str, str]: ...

    def verify(self, data: bytes, signature: Mapping[str, Any]) -> bool: ...


class HmacSm3Signer:
    """HMAC-SM3 with the platform's package key (see the module docstring)."""

    algorithm = "HMAC-SM3"

    def __init__(self) -> None:
        configured = getattr(settings, "FUYUAN_PACKAGE_KEY", "")
        if configured:
            self.key = bytes.fromhex(configured)
        else:
            mac = crypto_hmac.HMAC(settings.SECRET_KEY.encode(), hashes.SM3())
            mac.update(b"fuyuan.exchange.package-signing")
            self.key = mac.finalize()
        digest = hashes.Hash(hashes.SM3())
        digest.update(self.key)
        self.key_id = digest.finalize().hex()[:16]

    def _mac(self, data: bytes) -> str:
        mac = crypto_hmac.HMAC(self.key, hashes.SM3())
        mac.update(data)
        return mac.finalize().hex()

    def sign(self, data: bytes) -> dict[str, str]:
        return {"algorithm": self.algorithm, "key_id": self.key_id, "value": self._mac(data)}

    def verify(self, data: bytes, signature: Mapping[str, Any]) -> bool:
        if signature.get("algorithm") != self.algorithm or signature.get("key_id") != self.key_id:
            return False
        return std_hmac.compare_digest(str(signature.get("value", "")), self._mac(data))


@functools.cache
def _signer(path: str) -> Signer:
    signer: Signer = import_string(path)()
    return signer


def signer() -> Signer:
    return _signer(
        getattr(settings, "FUYUAN_PACKAGE_SIGNER", "fuyuan.exchange.packages.HmacSm3Signer")
    )


# --- who may ask, and what is in clear -----------------------------------------------------------
def outbox_root() -> Path:
    return Path(settings.FUYUAN_EXCHANGE_ROOT) / OUTBOX


def normalise_filters(filters: Mapping[str, Any] | str | None) -> dict[str, list[str]]:
    """A query string or a mapping → {name: [values]} (as the access log keeps filters),
    without the paging parameters."""
    if not filters:
        return {}
    if isinstance(filters, str):
        parsed: Mapping[str, Any] = parse_qs(filters.lstrip("?"), keep_blank_values=False)
    else:
        parsed = filters
    found: dict[str, list[str]] = {}
    for key, value in parsed.items():
        if key in NOT_FILTERS:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        kept = [str(v) for v in values if str(v) != ""]
        if kept:
            found[str(key)] = kept
    return found


@dataclass(frozen=True)
class Decision:
    grant: AccessGrant | None
    reveal_personal: bool


def decide(actor: Any, dataset: str, recipient: Unit, grant: AccessGrant | None = None) -> Decision:
    """May `actor` have a package of `dataset` written for `recipient`? (module docstring)
    Raises PermissionDenied with a code: package.dataset, package.forbidden, api.no_grant."""
    if dataset not in access.DATASETS:
        raise PermissionDenied("package.dataset")
    units = access.acting_unit_ids(actor)
    if access.provides(recipient, dataset):
        if recipient.pk not in units:
            raise PermissionDenied("package.forbidden")
        return Decision(grant=None, reveal_personal=True)
    found = access.active_grant(recipient, dataset)
    if grant is not None and (found is None or grant.pk != found.pk):
        # A grant named by the caller must be the recipient's approved one, valid today.
        found = grant if _grant_valid(grant, recipient, dataset) else None
    if found is None:
        raise PermissionDenied("api.no_grant")
    if recipient.pk not in units and found.provider_unit_id not in units:
        raise PermissionDenied("package.forbidden")
    return Decision(grant=found, reveal_personal=bool(found.personal_granted))


def _grant_valid(grant: AccessGrant, recipient: Unit, dataset: str) -> bool:
    return (
        AccessGrant.objects.approved_on(timezone.localdate())
        .filter(pk=grant.pk, requesting_unit=recipient, dataset=dataset)
        .exists()
    )


def refusal_message(code: str, dataset: str) -> str:
    if code == "api.no_grant":
        return str(access.no_grant(dataset).detail)
    if code == "package.dataset":
        return _("There is no dataset called “%(dataset)s”.") % {"dataset": dataset}
    return _("You may not ask for a package of “%(dataset)s” for this unit.") % {
        "dataset": access.dataset_label(dataset)
    }


def recipients_for(user: Any, dataset: str) -> QuerySet[Unit]:
    """Units `user` may ask a package of `dataset` for: the providing units they act for,
    the units they act for holding a grant, and the grantees of the provider they act for."""
    units = sorted(access.acting_unit_ids(user))
    today = timezone.localdate()
    grants = AccessGrant.objects.approved_on(today).filter(dataset=dataset)
    grantees = grants.filter(provider_unit_id__in=units).values_list("requesting_unit", flat=True)
    own_grants = grants.filter(requesting_unit_id__in=units).values_list(
        "requesting_unit", flat=True
    )
    own_providing = [u.pk for u in access.acting_units(user) if access.provides(u, dataset)]
    ids = {*grantees, *own_grants, *own_providing}
    return Unit.objects.filter(pk__in=sorted(ids)).order_by("order_no", "pk")


# --- the API's view of the dataset ---------------------------------------------------------------
def dataset_viewset(dataset: str) -> Any:
    """The registered API viewset serving `dataset` (its `dataset` attribute)."""
    from fuyuan.api_urls import router

    for _prefix, viewset, _basename in router.registry:
        if getattr(viewset, "dataset", "") == dataset:
            return viewset
    raise PackageError(
        "package.dataset", _("No API serves the dataset “%(dataset)s”.") % {"dataset": dataset}
    )


class PackageAuth:
    """Stands for a token on the package's request: a machine channel (pages' in-clear-for-
    people rules do not apply), with the dataset's read scope."""

    client = None

    def allows(self, resource: str, *, write: bool) -> bool:
        return not write


def _api_request(user: Any, filters: dict[str, list[str]]) -> Request:
    http = HttpRequest()
    http.method = "GET"
    http.path = "/api/v1/"
    http.META = {"REQUEST_METHOD": "GET", "SERVER_NAME": "package", "SERVER_PORT": "80"}
    query = QueryDict(mutable=True)
    for key, values in filters.items():
        query.setlist(key, values)
    http.GET = query
    request = Request(http, authenticators=())
    request.user = user
    request.auth = PackageAuth()
    return request


@dataclass
class Rows:
    queryset: QuerySet[Any]
    serializer_class: Any
    context: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        chunk: list[Any] = []
        for obj in self.queryset.iterator(chunk_size=CHUNK):
            chunk.append(obj)
            if len(chunk) >= CHUNK:
                yield from self.serializer_class(chunk, many=True, context=self.context).data
                chunk = []
        if chunk:
            yield from self.serializer_class(chunk, many=True, context=self.context).data


def dataset_rows(
    user: Any,
    dataset: str,
    filters: dict[str, list[str]],
    *,
    reveal_personal: bool,
    grant_id: int | None,
) -> Rows:
    """The rows the API's list of `dataset` gives `user` under `filters`, serialized as the
    API does (masked unless `reveal_personal`). Raises PackageError on a bad filter."""
    viewset = dataset_viewset(dataset)
    request = _api_request(user, filters)
    view = viewset(request=request, format_kwarg=None, action="list", args=(), kwargs={})
    view.headers = {}
    view.access = Access(reveal_personal=reveal_personal, grant_id=grant_id)
    try:
        view.check_permissions(request)
        queryset = view.filter_queryset(view.get_queryset())
    except drf_exceptions.ValidationError as exc:
        from fuyuan.core.api import _flatten

        errors = _flatten(exc.detail)
        raise PackageError(
            "package.filters",
            errors[0]["message"] if errors else _("The filter is not valid."),
            errors,
        ) from None
    except (drf_exceptions.PermissionDenied, drf_exceptions.NotAuthenticated):
        raise PermissionDenied("package.forbidden") from None
    return Rows(queryset, view.get_serializer_class(), view.get_serializer_context())


# --- writing -----------------------------------------------------------------------------------
def _folder_for(package: ExportPackage) -> str:
    recipient = package.recipient_unit
    code = (recipient.credit_code or "").strip() or f"unit-{recipient.pk}"
    stamp = timezone.localtime(package.created_at).strftime("%Y%m%d-%H%M%S")
    return f"{OUTBOX}/{code}/{package.dataset}-{stamp}-{package.pk}"


def request_package(
    actor: Any,
    *,
    dataset: str,
    recipient_unit: Unit,
    filters: Mapping[str, Any] | str | None = None,
    grant: AccessGrant | None = None,
) -> ExportPackage:
    """Check the request and queue the package for the worker (task `write_package`), which
    writes it after the commit. Raises PermissionDenied (code as `decide`), PackageError."""
    decision = decide(actor, dataset, recipient_unit, grant)
    wanted = normalise_filters(filters)
    # A bad filter is refused now, not in the worker (the queryset is built, not run).
    dataset_rows(
        actor,
        dataset,
        wanted,
        reveal_personal=decision.reveal_personal,
        grant_id=decision.grant.pk if decision.grant else None,
    )
    from fuyuan.audit.record import record

    with transaction.atomic():
        package = ExportPackage.objects.create(
            dataset=dataset,
            recipient_unit=recipient_unit,
            grant=decision.grant,
            filters=wanted,
            personal_revealed=decision.reveal_personal,
            state=PackageState.QUEUED,
            created_by=actor,
        )
        record(
            actor,
            "exchange.package_request",
            package,
            detail={"dataset": dataset, "recipient": recipient_unit.pk, "filters": wanted},
        )
        pk = package.pk
        transaction.on_commit(lambda: _enqueue(pk), robust=True)
    return package


def _enqueue(package_pk: int) -> None:
    from .tasks import write_package as task

    task.enqueue(package_pk)


def write_package(
    actor: Any,
    *,
    dataset: str,
    recipient_unit: Unit,
    filters: Mapping[str, Any] | str | None = None,
    grant: AccessGrant | None = None,
) -> ExportPackage:
    """Check and write a package now (the command line, tests, small datasets). Raises
    PermissionDenied, PackageError; a failure while writing leaves the package "failed"."""
    decision = decide(actor, dataset, recipient_unit, grant)
    package = ExportPackage.objects.create(
        dataset=dataset,
        recipient_unit=recipient_unit,
        grant=decision.grant,
        filters=normalise_filters(filters),
        personal_revealed=decision.reveal_personal,
        state=PackageState.QUEUED,
        created_by=actor,
    )
    return write(package, raise_errors=True)


def write(package: ExportPackage, *, raise_errors: bool = False) -> ExportPackage:
    """Write a queued package (the worker's side). The rules are checked again — a grant may
    have been revoked since. Idempotent: a package no longer queued is returned as it is."""
    package.refresh_from_db()
    if package.state != PackageState.QUEUED:
        return package
    actor = package.created_by
    try:
        decision = decide(actor, package.dataset, package.recipient_unit, package.grant)
        rows = dataset_rows(
            actor,
            package.dataset,
            package.filters or {},
            reveal_personal=decision.reveal_personal,
            grant_id=decision.grant.pk if decision.grant else None,
        )
        folder, count, sha = _write_files(package, rows, decision)
    except (PermissionDenied, PackageError, OSError, ValidationError) as exc:
        code = exc.code if isinstance(exc, PackageError) else str(exc) or "package.forbidden"
        message = (
            exc.message
            if isinstance(exc, PackageError)
            else refusal_message(code, package.dataset)
            if isinstance(exc, PermissionDenied)
            else str(exc)
        )
        _fail(package, actor, code, message)
        if raise_errors:
            raise
        return package
    from fuyuan.audit.record import record

    with transaction.atomic():
        package.folder = folder
        package.row_count = count
        package.sha256 = sha
        package.grant = decision.grant
        package.personal_revealed = decision.reveal_personal
        package.state = PackageState.WRITTEN
        package.written_at = timezone.now()
        package.save(
            update_fields=[
                "folder",
                "row_count",
                "sha256",
                "grant",
                "personal_revealed",
                "state",
                "written_at",
            ]
        )
        access.log_package(
            user=actor,
            unit=package.recipient_unit,
            dataset=package.dataset,
            grant=decision.grant,
            filters=package.filters or {},
            rows=count,
            personal_revealed=decision.reveal_personal,
        )
        record(
            actor,
            "exchange.package",
            package,
            detail={
                "dataset": package.dataset,
                "recipient": package.recipient_unit_id,
                "grant": package.grant_id,
                "filters": package.filters,
                "rows": count,
                "sha256": sha,
                "personal_revealed": decision.reveal_personal,
                "folder": folder,
            },
        )
    return package


def _fail(package: ExportPackage, actor: Any, code: str, message: str) -> None:
    from fuyuan.audit.record import record

    with transaction.atomic():
        package.state = PackageState.FAILED
        package.failure = f"[{code}] {message}"[:2000]
        package.save(update_fields=["state", "failure"])
        record(
            actor,
            "exchange.package",
            package,
            outcome="failed",
            detail={"dataset": package.dataset, "code": code},
        )


def _manifest(package: ExportPackage, decision: Decision, count: int, sha: str) -> dict[str, Any]:
    recipient = package.recipient_unit
    grant = decision.grant
    return {
        "package_version": 1,
        "id": package.pk,
        "dataset": package.dataset,
        "dataset_label": access.dataset_label(package.dataset),
        "filters": package.filters or {},
        "row_count": count,
        "files": {ROWS: sha},
        "personal_revealed": decision.reveal_personal,
        "grant": None
        if grant is None
        else {
            "id": grant.pk,
            "provider": grant.provider_unit_id,
            "purpose": grant.purpose,
            "valid_from": grant.valid_from.isoformat(),
            "valid_to": grant.valid_to.isoformat(),
            "personal_granted": grant.personal_granted,
        },
        "recipient": {
            "id": recipient.pk,
            "name": recipient.name,
            "credit_code": recipient.credit_code,
        },
        "created_at": timezone.localtime(package.created_at).isoformat(),
        "created_by": str(package.created_by),
    }


def _write_files(package: ExportPackage, rows: Rows, decision: Decision) -> tuple[str, int, str]:
    relative = _folder_for(package)
    final = Path(settings.FUYUAN_EXCHANGE_ROOT) / relative
    partial = final.with_name(f".{final.name}.partial")
    if partial.exists():
        shutil.rmtree(partial)  # a worker killed half-way: start again
    partial.mkdir(parents=True)
    sha = hashlib.sha256()
    count = 0
    try:
        with (partial / ROWS).open("wb") as out:
            for row in rows:
                line = (
                    json.dumps(row, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
                    + "\n"
                ).encode("utf-8")
                out.write(line)
                sha.update(line)
                count += 1
        digest = sha.hexdigest()
        manifest = json.dumps(
            _manifest(package, decision, count, digest), ensure_ascii=False, indent=2
        ).encode("utf-8")
        (partial / MANIFEST).write_bytes(manifest)
        (partial / SIGNATURE).write_text(
            json.dumps(signer().sign(manifest), ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return relative, count, digest


# --- verification ---------------------------------------------------------------------------------
@dataclass
class Verification:
    folder: Path
    problems: list[tuple[str, str]] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _file_sha(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    lines = 0
    with path.open("rb") as handle:
        for line in handle:
            sha.update(line)
            lines += 1
    return sha.hexdigest(), lines


def verify_package(folder: Path | str) -> Verification:
    """Check a package: the signature over manifest.json, then every file's SHA-256 and the
    row count. Problems carry codes: package.missing, package.signature, package.hash,
    package.rows."""
    path = Path(folder)
    result = Verification(folder=path)
    manifest_path, signature_path = path / MANIFEST, path / SIGNATURE
    if not manifest_path.is_file() or not signature_path.is_file():
        result.problems.append(("package.missing", _("manifest.json or manifest.sig is missing.")))
        return result
    raw = manifest_path.read_bytes()
    try:
        signature = json.loads(signature_path.read_text(encoding="utf-8"))
        valid = isinstance(signature, dict) and signer().verify(raw, signature)
    except (ValueError, UnicodeDecodeError):
        valid = False
    if not valid:
        result.problems.append(
            ("package.signature", _("The signature does not match manifest.json."))
        )
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        result.problems.append(("package.missing", _("manifest.json is not valid JSON.")))
        return result
    result.manifest = manifest if isinstance(manifest, dict) else {}
    files = result.manifest.get("files") or {}
    for name, expected in sorted(files.items()):
        file_path = path / os.path.basename(str(name))
        if not file_path.is_file():
            result.problems.append(
                ("package.missing", _("The file %(name)s is missing.") % {"name": name})
            )
            continue
        digest, lines = _file_sha(file_path)
        if digest != expected:
            result.problems.append(
                (
                    "package.hash",
                    _("The SHA-256 of %(name)s does not match the manifest.") % {"name": name},
                )
            )
        if name == ROWS and lines != result.manifest.get("row_count"):
            result.problems.append(
                (
                    "package.rows",
                    _("%(name)s has %(lines)s rows, the manifest says %(count)s.")
                    % {"name": name, "lines": lines, "count": result.manifest.get("row_count")},
                )
            )
    return result


def package_path(package: ExportPackage) -> Path | None:
    if not package.folder:
        return None
    return Path(settings.FUYUAN_EXCHANGE_ROOT) / package.folder
