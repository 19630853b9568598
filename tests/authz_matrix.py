"""The authorization matrix as data: for every URL route, the HTTP status each role gets, on
its own objects and on others'. tests/test_authz_matrix.py walks every route of the URL
configuration and fails when one has no row here.

Statuses: 200 page, 302 redirect (anonymous → sign-in; after a POST → result page),
403 visible but not permitted, 404 not within the user's remit, 405 wrong method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fuyuan.accounts.models import Post
from fuyuan.org.models import MembershipChange

ROLES = (
    "anonymous",
    "city_office",
    "a_office",
    "city_leader",
    "hrss_liaison",
    "court_staff",
    "system_admin",
    "security_admin",
    "audit_admin",
)
MEMBERS = ("city_office", "a_office", "city_leader", "hrss_liaison", "court_staff")
ADMINS = ("system_admin", "security_admin", "audit_admin")
SIGNED_IN = MEMBERS + ADMINS


def expect(default: int, anonymous: int = 302, **per_role: int) -> dict[str, int]:
    table = {role: default for role in SIGNED_IN}
    table["anonymous"] = anonymous
    table.update(per_role)
    return table


def only(roles: tuple[str, ...] | list[str], ok: int = 200, others: int = 403) -> dict[str, int]:
    table = {role: (ok if role in roles else others) for role in SIGNED_IN}
    table["anonymous"] = 302
    return table


@dataclass(frozen=True)
class Case:
    route: str
    expected: dict[str, int]
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})
    variant: str = ""
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})
    query: Callable[[Any], str] = field(default=lambda w: "")
    # When set, kwargs is called as kwargs(world, role): a route about the user's own record.
    per_role: bool = False


def _liaison_person(w: Any) -> dict[str, Any]:
    return {"pk": Post.objects.get(unit=w.units["hrss"], kind="liaison").holder_id}


CASES: list[Case] = [
    Case("home", expect(200)),
    # --- accounts ---------------------------------------------------------------------------
    Case("accounts:login", expect(302, anonymous=200)),
    Case("accounts:logout", expect(405, anonymous=405)),
    Case("accounts:password_change", expect(200)),
    Case("accounts:session", expect(200)),
    Case("accounts:profile", expect(200)),
    Case(
        "accounts:delegation_end",
        expect(405),
        kwargs=lambda w: {"pk": w.users["city_office"].assignments.first().pk},
    ),
    Case(
        "accounts:delegation_end",
        expect(404, anonymous=302),
        variant="post on someone else's role",
        method="post",
        kwargs=lambda w: {"pk": w.users["city_office"].assignments.first().pk},
    ),
    Case("accounts:user_list", only(["system_admin"])),
    Case(
        "accounts:user_toggle",
        only(["system_admin"], ok=302),
        method="post",
        kwargs=lambda w: {"pk": w.users["nobody"].pk},
    ),
    Case("accounts:assignment_list", only(["security_admin"])),
    Case(
        "accounts:assignment_end",
        only(["security_admin"], ok=302),
        method="post",
        kwargs=lambda w: {"pk": w.users["court_staff"].assignments.first().pk},
    ),
    # --- audit -------------------------------------------------------------------------------
    Case("audit:entry_list", only(["audit_admin"])),
    # --- i18n --------------------------------------------------------------------------------
    Case(
        "set_language", expect(302, anonymous=302), method="post", data=lambda w: {"language": "en"}
    ),
]


def membership_change(w: Any, unit_key: str) -> MembershipChange:
    """A pending 'leave' proposal of a city unit, filed by its own liaison officer."""
    from django.utils import timezone

    unit = w.units[unit_key]
    found = MembershipChange.objects.filter(unit=unit, state="proposed").first()
    if found is not None:
        return found
    now = timezone.now()
    return MembershipChange.objects.create(
        mechanism=w.mechanisms["city"],
        unit=unit,
        kind="leave",
        reason="matrix",
        proposed_by=w.users[f"{unit_key}_liaison"],
        created_at=now,
        updated_at=now,
    )


# Readers: members of a mechanism and the system and security administrators.
READ = expect(200, audit_admin=403)
# A county-b object: the city side sees it, county a and the city liaison do not.
READ_OTHER_COUNTY = expect(200, a_office=404, hrss_liaison=404, audit_admin=403)
UNIT_EDITORS = only(["city_office", "system_admin"])

ORG_CASES: list[Case] = [
    Case("org:mechanism_list", READ),
    Case("org:mechanism_detail", READ, kwargs=lambda w: {"pk": w.mechanisms["city"].pk}),
    Case(
        "org:mechanism_detail",
        READ_OTHER_COUNTY,
        variant="other county",
        kwargs=lambda w: {"pk": w.mechanisms["b"].pk},
    ),
    Case(
        "org:mechanism_settings",
        only(["city_office"]),
        kwargs=lambda w: {"pk": w.mechanisms["city"].pk},
    ),
    Case(
        "org:mechanism_settings",
        only(["a_office"]) | {"hrss_liaison": 404},
        variant="own county",
        kwargs=lambda w: {"pk": w.mechanisms["a"].pk},
    ),
    Case(
        "org:mechanism_settings",
        only([], others=403) | {"a_office": 404, "hrss_liaison": 404},
        variant="other county",
        kwargs=lambda w: {"pk": w.mechanisms["b"].pk},
    ),
    Case("org:unit_list", READ),
    Case("org:unit_create", only(["city_office", "a_office", "system_admin"])),
    Case("org:unit_detail", READ, kwargs=lambda w: {"pk": w.units["hrss"].pk}),
    Case(
        "org:unit_detail",
        READ_OTHER_COUNTY,
        variant="other county",
        kwargs=lambda w: {"pk": w.units["b_office"].pk},
    ),
    Case("org:unit_edit", UNIT_EDITORS, kwargs=lambda w: {"pk": w.units["hrss"].pk}),
    Case(
        "org:unit_edit",
        UNIT_EDITORS | {"a_office": 404, "hrss_liaison": 404},
        variant="other county",
        kwargs=lambda w: {"pk": w.units["b_office"].pk},
    ),
    Case(
        "org:unit_edit",
        only(["city_office", "a_office", "system_admin"]) | {"hrss_liaison": 404},
        variant="own county",
        kwargs=lambda w: {"pk": w.units["a_hrss"].pk},
    ),
    Case(
        "org:unit_contacts",
        only(["city_office", "hrss_liaison"]),
        variant="own unit",
        kwargs=lambda w: {"pk": w.units["hrss"].pk},
    ),
    Case(
        "org:unit_contacts",
        only(["city_office"]),
        variant="other unit",
        kwargs=lambda w: {"pk": w.units["housing"].pk},
    ),
    Case(
        "org:unit_contacts",
        only(["city_office", "court_staff"]),
        variant="court",
        kwargs=lambda w: {"pk": w.units["court"].pk},
    ),
    Case("org:unit_reorganise", UNIT_EDITORS, kwargs=lambda w: {"pk": w.units["hrss"].pk}),
    Case("org:directory", READ),
    # A liaison officer's mobile in clear: members only, audited (org/reveal.py).
    Case("org:contact_reveal", expect(405), variant="GET", kwargs=lambda w: _liaison_person(w)),
    Case("org:contact_reveal", only(MEMBERS), method="post", kwargs=lambda w: _liaison_person(w)),
    Case("org:jurisdiction_tree", READ),
    Case("org:change_list", only(MEMBERS)),
    Case("org:change_create", only(["city_office", "a_office", "hrss_liaison"])),
    Case(
        "org:change_create",
        only(["city_office", "hrss_liaison"]),
        variant="city mechanism",
        query=lambda w: f"mechanism={w.mechanisms['city'].pk}",
    ),
    Case(
        "org:change_detail",
        only(["city_office", "city_leader", "hrss_liaison"])
        | {"a_office": 404, "court_staff": 404},
        variant="own unit",
        kwargs=lambda w: {"pk": membership_change(w, "hrss").pk},
    ),
    Case(
        "org:change_detail",
        only(["city_office", "city_leader"])
        | {"a_office": 404, "hrss_liaison": 404, "court_staff": 404},
        variant="other unit",
        kwargs=lambda w: {"pk": membership_change(w, "housing").pk},
    ),
    Case(
        "org:change_transition",
        expect(405),
        kwargs=lambda w: {"pk": membership_change(w, "hrss").pk, "transition": "withdraw"},
    ),
    Case(
        "org:change_transition",
        only(["city_office", "hrss_liaison"], ok=302) | {"a_office": 404, "court_staff": 404},
        variant="withdraw own unit's proposal",
        method="post",
        kwargs=lambda w: {"pk": membership_change(w, "hrss").pk, "transition": "withdraw"},
    ),
    Case(
        "org:change_transition",
        only(["city_leader"], ok=302) | {"a_office": 404, "court_staff": 404},
        variant="approve",
        method="post",
        kwargs=lambda w: {"pk": membership_change(w, "hrss").pk, "transition": "approve"},
    ),
    Case(
        "org:change_transition",
        only(["city_office"], ok=302) | {"a_office": 404, "hrss_liaison": 404, "court_staff": 404},
        variant="withdraw another unit's proposal",
        method="post",
        kwargs=lambda w: {"pk": membership_change(w, "housing").pk, "transition": "withdraw"},
    ),
]

CASES += ORG_CASES


# --- matters -----------------------------------------------------------------------------
def city_matter(w: Any, state: str = "assigned", **fields: Any) -> Any:
    """A fresh matter of the city mechanism led by 人社局 (hrss), assigned by the office."""
    from fuyuan.testing import make_matter

    return make_matter(w, state=state, **fields)


def completed_matter(w: Any) -> Any:
    from fuyuan.matters.models import Matter

    matter = city_matter(w)
    Matter.objects.filter(pk=matter.pk).update(state="completed")
    matter.refresh_from_db()
    return matter


def pending_extension(w: Any) -> dict[str, Any]:
    from fuyuan.matters import actions

    matter = city_matter(w)
    actions.transition(w.users["hrss_liaison"], matter, "sign")
    ext = actions.request_extension(
        w.users["hrss_liaison"],
        matter,
        reason="需协调",
        new_deadline=matter.deadline + __import__("datetime").timedelta(days=10),
        progress_note="已完成调研",
    )
    return {"pk": matter.pk, "ext": ext.pk, "decision": "approve"}


def attachment_of(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.matters import actions

    matter = city_matter(w)
    upload = SimpleUploadedFile("说明.txt", "进展说明".encode(), content_type="text/plain")
    att = actions.add_attachment(w.users["city_office"], matter, upload)
    return {"pk": matter.pk, "att": att.pk}


def calendar_day(w: Any) -> int:
    from fuyuan.core import calendar
    from fuyuan.core.models import CalendarDay

    calendar.seed_year(2026)
    return CalendarDay.objects.filter(date__year=2026).first().pk


def progress_batch(w: Any) -> dict[str, Any]:
    """A progress sheet of a city matter, previewed by 人社局's liaison officer (the shared
    importer's feed "matters.progress"); another unit that may import does not see it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.core import importing

    matter = city_matter(w)
    content = f"id,version,进展情况\n{matter.pk},{matter.version},已召开协调会\n".encode()
    upload = SimpleUploadedFile("进展填报.csv", content)
    batch = importing.preview("matters.progress", upload, w.users["hrss_liaison"])
    return {"batch": batch.pk}


def saved_filter(w: Any, owner: str) -> int:
    from fuyuan.matters.models import SavedFilter

    return SavedFilter.objects.get_or_create(
        user=w.users[owner], name="红牌", defaults={"query": "colour=red"}
    )[0].pk


def inbox_message(w: Any, role: str) -> dict[str, Any]:
    from django.utils import timezone

    from fuyuan.notify.models import InboxMessage

    owner = w.users["nobody" if role == "anonymous" else role]
    message = InboxMessage.objects.create(
        user=owner, created_at=timezone.now(), subject="催办", url="/"
    )
    return {"pk": message.pk}


def others_message(w: Any) -> dict[str, Any]:
    return inbox_message(w, "nobody")


# Matters of the city led by hrss: the office, the city leader and the lead unit see them;
# a county office, another unit and the administrators do not (404).
MATTER_READ = expect(404, city_office=200, city_leader=200, hrss_liaison=200)
NOT_VISIBLE = dict.fromkeys(("a_office", "court_staff", *ADMINS), 404)
OFFICE_ONLY = {**expect(403), **NOT_VISIBLE, "city_office": 200}
OFFICE_ONLY_POST = {**expect(403), **NOT_VISIBLE, "city_office": 302}
UNIT_POST = {**expect(403), **NOT_VISIBLE, "hrss_liaison": 302}
UNIT_FORM_POST = {**expect(403), **NOT_VISIBLE, "hrss_liaison": 200}
NON_ADMIN = {**expect(200), **dict.fromkeys(ADMINS, 403)}
UNIT_ROLES = only(["hrss_liaison", "court_staff"])
CITY_OFFICE = only(["city_office"])


def pk_of(builder: Callable[[Any], Any]) -> Callable[[Any], dict[str, Any]]:
    return lambda w: {"pk": builder(w).pk}


MATTER_CASES: list[Case] = [
    Case("matters:ledger", NON_ADMIN),
    Case("matters:cards", NON_ADMIN),
    Case("matters:ledger_export", NON_ADMIN),
    Case(
        "matters:ledger_filter_save",
        {**expect(302), **dict.fromkeys(ADMINS, 403)},
        method="post",
        data=lambda w: {"name": "我的筛选", "query": "colour=red"},
    ),
    Case(
        "matters:ledger_filter_delete",
        {**expect(404), **dict.fromkeys(ADMINS, 403), "anonymous": 302, "city_office": 302},
        variant="own filter of the city office",
        method="post",
        kwargs=lambda w: {"pk": saved_filter(w, "city_office")},
    ),
    Case("matters:bulk_upload", UNIT_ROLES),
    Case("matters:bulk_download", UNIT_ROLES),
    Case(
        "matters:bulk_preview",
        {**only(["hrss_liaison"]), "court_staff": 404},
        variant="a sheet the liaison uploaded",
        kwargs=progress_batch,
    ),
    Case(
        "matters:bulk_confirm",
        {**only(["hrss_liaison"], ok=302), "court_staff": 404},
        variant="a sheet the liaison uploaded",
        method="post",
        kwargs=progress_batch,
    ),
    Case("matters:matter_create", only(["city_office", "a_office"])),
    Case("matters:matter_detail", MATTER_READ, kwargs=pk_of(city_matter)),
    Case("matters:matter_edit", OFFICE_ONLY, kwargs=pk_of(city_matter)),
    Case("matters:matter_decompose", OFFICE_ONLY, kwargs=pk_of(city_matter)),
    Case(
        "matters:matter_transition",
        UNIT_POST,
        variant="lead unit signs for it",
        method="post",
        kwargs=lambda w: {"pk": city_matter(w).pk, "transition": "sign"},
    ),
    Case(
        "matters:matter_transition",
        {**expect(403), **NOT_VISIBLE},
        variant="accept before it is reported",
        method="post",
        kwargs=lambda w: {"pk": city_matter(w).pk, "transition": "complete"},
    ),
    Case(
        "matters:matter_urge",
        OFFICE_ONLY,
        method="post",
        kwargs=pk_of(city_matter),
    ),
    Case("matters:matter_feedback", UNIT_POST, method="post", kwargs=pk_of(city_matter)),
    Case(
        "matters:matter_feedback_submit",
        UNIT_FORM_POST,
        method="post",
        kwargs=pk_of(city_matter),
    ),
    Case(
        "matters:matter_co_report",
        {**expect(403), **NOT_VISIBLE},
        method="post",
        kwargs=pk_of(city_matter),
    ),
    Case("matters:matter_extension", UNIT_FORM_POST, method="post", kwargs=pk_of(city_matter)),
    Case(
        "matters:matter_extension_decide",
        OFFICE_ONLY_POST,
        variant="first extension",
        method="post",
        kwargs=pending_extension,
    ),
    Case(
        "matters:matter_share",
        {**expect(403), **NOT_VISIBLE},
        method="post",
        kwargs=pk_of(city_matter),
    ),
    Case(
        "matters:matter_evaluate",
        {**expect(403), **NOT_VISIBLE},
        variant="before completion",
        method="post",
        kwargs=pk_of(city_matter),
    ),
    Case(
        "matters:matter_evaluate",
        OFFICE_ONLY,
        variant="completed",
        method="post",
        kwargs=pk_of(completed_matter),
    ),
    Case(
        "matters:matter_attachment_add",
        {**expect(403), **NOT_VISIBLE, "city_office": 200, "hrss_liaison": 200},
        method="post",
        kwargs=pk_of(city_matter),
    ),
    Case("matters:matter_attachment", MATTER_READ, kwargs=attachment_of),
    # --- working-day calendar: the city office keeps it --------------------------------
    Case("matters:calendar", CITY_OFFICE),
    Case("matters:calendar_day_add", CITY_OFFICE),
    Case("matters:calendar_year_add", CITY_OFFICE),
    Case("matters:calendar_day_edit", CITY_OFFICE, kwargs=lambda w: {"pk": calendar_day(w)}),
    Case(
        "matters:calendar_day_delete",
        expect(405),
        kwargs=lambda w: {"pk": calendar_day(w)},
    ),
    Case(
        "matters:calendar_day_delete",
        only(["city_office"], ok=302),
        variant="delete",
        method="post",
        kwargs=lambda w: {"pk": calendar_day(w)},
    ),
    # --- inbox: personal, the same for every role --------------------------------------
    Case("notify:inbox", expect(200)),
    Case("notify:unread", expect(200)),
    Case("notify:open", expect(302), variant="own message", per_role=True, kwargs=inbox_message),
    Case("notify:open", expect(404), variant="another user's", kwargs=others_message),
    Case(
        "notify:mark_read",
        expect(302),
        variant="own message",
        method="post",
        per_role=True,
        kwargs=inbox_message,
    ),
    Case(
        "notify:mark_read",
        expect(404),
        variant="another user's",
        method="post",
        kwargs=others_message,
    ),
    Case("notify:mark_read", expect(405), variant="GET", kwargs=others_message),
    Case("notify:mark_all_read", expect(302), method="post"),
    Case("notify:mark_all_read", expect(405), variant="GET"),
]

CASES += MATTER_CASES


def _mechanism_cases() -> list[Case]:
    from .authz_matrix_mechanism import MECHANISM_CASES

    return MECHANISM_CASES


CASES += _mechanism_cases()


def _litigation_cases() -> list[Case]:
    """Rows of the litigation app, one module per area (each area's author owns its file)."""
    from .authz_matrix_lit_cases import LIT_CASE_CASES
    from .authz_matrix_lit_disputes import LIT_DISPUTE_CASES
    from .authz_matrix_lit_figures import LIT_FIGURE_CASES
    from .authz_matrix_lit_imports import LIT_IMPORT_CASES
    from .authz_matrix_lit_recommendations import LIT_RECOMMENDATION_CASES

    return [
        *LIT_CASE_CASES,
        *LIT_IMPORT_CASES,
        *LIT_RECOMMENDATION_CASES,
        *LIT_DISPUTE_CASES,
        *LIT_FIGURE_CASES,
    ]


CASES += _litigation_cases()


def _enforcement_cases() -> list[Case]:
    """Rows of the enforcement, bankruptcy and risks apps, one module per area."""
    from .authz_matrix_bankruptcy import BANKRUPTCY_CASES
    from .authz_matrix_enf_cases import ENF_CASE_CASES
    from .authz_matrix_enf_checks import ENF_CHECK_CASES
    from .authz_matrix_enf_debtors import ENF_DEBTOR_CASES
    from .authz_matrix_risks import RISK_CASES

    return [*ENF_DEBTOR_CASES, *ENF_CHECK_CASES, *ENF_CASE_CASES, *BANKRUPTCY_CASES, *RISK_CASES]


CASES += _enforcement_cases()


def _api_cases() -> list[Case]:
    """Rows of the REST API (/api/v1/) and the exchange pages, one module per area."""
    from .authz_matrix_api_enforcement import API_ENFORCEMENT_CASES
    from .authz_matrix_api_exchange import API_EXCHANGE_CASES
    from .authz_matrix_api_importer import API_IMPORTER_CASES
    from .authz_matrix_api_litigation import API_LITIGATION_CASES
    from .authz_matrix_api_matters_org import API_MATTERS_ORG_CASES
    from .authz_matrix_api_mechanism import API_MECHANISM_CASES
    from .authz_matrix_api_transfers import API_TRANSFERS_CASES

    return [
        *API_MATTERS_ORG_CASES,
        *API_MECHANISM_CASES,
        *API_LITIGATION_CASES,
        *API_ENFORCEMENT_CASES,
        *API_EXCHANGE_CASES,
        *API_TRANSFERS_CASES,
        *API_IMPORTER_CASES,
    ]


CASES += _api_cases()


def _top_layer_cases() -> list[Case]:
    """The dashboard (brief, cockpit, bulletins, annual report, search) and the assessment."""
    from .authz_matrix_assessment import ASSESSMENT_CASES
    from .authz_matrix_bulletins import BULLETIN_CASES
    from .authz_matrix_dashboard import DASHBOARD_CASES
    from .authz_matrix_search import SEARCH_CASES

    return [*DASHBOARD_CASES, *BULLETIN_CASES, *SEARCH_CASES, *ASSESSMENT_CASES]


CASES += _top_layer_cases()


def _hardening_cases() -> list[Case]:
    """Second factor, single sign-on and operations."""
    from .authz_matrix_ops import OPS_CASES
    from .authz_matrix_sso import SSO_CASES
    from .authz_matrix_twofactor import TWOFACTOR_CASES

    return [*TWOFACTOR_CASES, *SSO_CASES, *OPS_CASES]


CASES += _hardening_cases()
# The API's schema and its docs: for anyone signed in (people and system clients).
CASES += [
    Case("api:schema", expect(200, anonymous=401)),
    Case("api:docs", expect(200, anonymous=401)),
]

# Django admin: reference data for the system administrator only; everyone else is sent to
# the admin's sign-in page. Checked for every admin route that takes no arguments.
ADMIN_EXPECTED = {role: 302 for role in ROLES} | {"system_admin": 200}
ADMIN_NAMESPACE = "admin"
# Mechanisms are read-only in the admin (they are set up by the office's own pages).
ADMIN_FORBIDDEN = {"admin:org_mechanism_add"}


def _variant_cases() -> list[Case]:
    """The other side of object routes (another unit, another county) and liaison accounts."""
    from .authz_matrix_variants import VARIANT_CASES
    from .authz_matrix_variants2 import VARIANT2_CASES

    return [*VARIANT_CASES, *VARIANT2_CASES]


CASES += _variant_cases()
