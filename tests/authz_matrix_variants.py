"""Authorization-matrix rows for the other side of object routes (issue 10, item 5): a
liaison officer on another unit's object, a county office on another county's object, and
the liaison accounts the office provisions and the security administrator confirms
(三权分立). The object routes of matters, the API's matters and liaison letters had rows
only for the user's own unit; these rows prove the other unit gets 404."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from .authz_matrix import ADMINS, Case, expect, only

TODAY = timezone.localdate
_SEQUENCE = itertools.count(800)


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


# --- matters of another unit and of another county ---------------------------------------------
def housing_matter(w: Any) -> Any:
    """A city matter led by 住建局 (housing): not 人社局's (hrss)."""
    from fuyuan.testing import make_matter

    return make_matter(w, lead="housing", title="住建局牵头事项", state="assigned")


def county_a_matter(w: Any) -> Any:
    """A matter of 西平县 (county a), led by its 人社局, assigned by the county office."""
    from fuyuan.testing import make_matter

    return make_matter(w, mechanism="a", lead="a_hrss", title="西平县事项", state="assigned")


def county_b_matter(w: Any) -> Any:
    """A matter of 上蔡县 (county b), led by its 司法局."""
    from fuyuan.testing import make_matter

    return make_matter(w, mechanism="b", lead="b_office", title="上蔡县事项", state="assigned")


def _pk(builder: Any) -> Any:
    return lambda w: {"pk": builder(w).pk}


def housing_attachment(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.matters import actions

    matter = housing_matter(w)
    upload = SimpleUploadedFile("说明.txt", "进展说明".encode(), content_type="text/plain")
    att = actions.add_attachment(w.users["city_office"], matter, upload)
    return {"pk": matter.pk, "att": att.pk}


# Pages: the city office and leader see a city matter; another unit, a county office, the
# court and the administrators do not (404).
OTHER_UNIT_MATTER = expect(404, city_office=200, city_leader=200)
# Writes on another unit's matter: those who see it but may not act get 403; the rest 404.
OTHER_UNIT_MATTER_WRITE = expect(404, city_office=403, city_leader=403)
# The API answers administrators 403 on the ledger, anonymous 401.
API_OTHER_UNIT_MATTER = {**OTHER_UNIT_MATTER, "anonymous": 401, **_admins(403)}
API_OTHER_UNIT_MATTER_WRITE = {**OTHER_UNIT_MATTER_WRITE, "anonymous": 401, **_admins(403)}

MATTER_VARIANTS: list[Case] = [
    Case(
        "matters:matter_detail",
        OTHER_UNIT_MATTER,
        variant="another unit's matter",
        kwargs=_pk(housing_matter),
    ),
    Case(
        "matters:matter_detail",
        expect(404, city_office=200, city_leader=200, a_office=200),
        variant="own county's matter",
        kwargs=_pk(county_a_matter),
    ),
    Case(
        "matters:matter_detail",
        expect(404, city_office=200, city_leader=200),
        variant="another county's matter",
        kwargs=_pk(county_b_matter),
    ),
    Case(
        "matters:matter_attachment",
        OTHER_UNIT_MATTER,
        variant="another unit's matter",
        kwargs=housing_attachment,
    ),
    Case(
        "matters:matter_feedback",
        OTHER_UNIT_MATTER_WRITE,
        variant="another unit's matter",
        method="post",
        kwargs=_pk(housing_matter),
    ),
    Case(
        "matters:matter_feedback_submit",
        OTHER_UNIT_MATTER_WRITE,
        variant="another unit's matter",
        method="post",
        kwargs=_pk(housing_matter),
    ),
    Case(
        "matters:matter_extension",
        OTHER_UNIT_MATTER_WRITE,
        variant="another unit's matter",
        method="post",
        kwargs=_pk(housing_matter),
    ),
    Case(
        "matters:matter_transition",
        OTHER_UNIT_MATTER_WRITE,
        variant="another unit signs for it",
        method="post",
        kwargs=lambda w: {"pk": housing_matter(w).pk, "transition": "sign"},
    ),
    Case(
        "api:matter-detail",
        API_OTHER_UNIT_MATTER,
        variant="another unit's matter",
        kwargs=_pk(housing_matter),
    ),
    Case(
        "api:matter-feedback",
        API_OTHER_UNIT_MATTER_WRITE,
        variant="another unit reports progress",
        method="post",
        kwargs=_pk(housing_matter),
        data=lambda w: {"text": "已召开协调会", "progress": "30"},
    ),
    Case(
        "api:matter-transition",
        API_OTHER_UNIT_MATTER_WRITE,
        variant="another unit signs for it",
        method="post",
        kwargs=_pk(housing_matter),
        data=lambda w: {"name": "sign"},
    ),
]


# --- liaison letters of another unit ----------------------------------------------------------
def housing_letter(w: Any) -> Any:
    """A letter from 住建局 (housing) to the intermediate court: not 人社局's."""
    from fuyuan.liaison import actions

    return actions.create_letter(
        w.users["housing_liaison"],
        sender_unit=w.units["housing"],
        recipient_unit=w.units["court"],
        subject="关于房地产纠纷案件协调的联系函",
        body="请予协调。",
        reply_by=TODAY() + datetime.timedelta(days=14),
        send=True,
    )


LETTER_OF_ANOTHER_UNIT = {
    **expect(404),
    "anonymous": 302,
    "city_office": 200,
    "court_staff": 200,
    **_admins(403),
}

LETTER_VARIANTS: list[Case] = [
    Case(
        "liaison:letter_detail",
        LETTER_OF_ANOTHER_UNIT,
        variant="another unit's letter",
        kwargs=_pk(housing_letter),
    ),
    Case(
        "api:liaison-letter-detail",
        {**LETTER_OF_ANOTHER_UNIT, "anonymous": 401},
        variant="another unit's letter",
        kwargs=_pk(housing_letter),
    ),
]


# --- court cases and party checks of another unit ---------------------------------------------
def housing_case(w: Any) -> Any:
    """An administrative case against 住建局 (housing), not against 人社局."""
    from fuyuan.litigation import actions

    return actions.create_case(
        w.users["court_staff"],
        number=f"（2024）豫17行初{next(_SEQUENCE)}号",
        court=w.units["court"],
        defendant=w.units["housing"],
        plaintiffs="驻马店市安居置业有限公司",
        cause="房屋征收补偿",
        enterprise_related=True,
        filed_on=TODAY() - datetime.timedelta(days=60),
        stage="filed",
    )


def housing_check(w: Any) -> Any:
    """A party check 住建局 ran for a procurement: not 人社局's."""
    from fuyuan.enforcement import check_actions

    return check_actions.run_check(
        w.users["housing_liaison"],
        unit=w.units["housing"],
        scenario="procurement",
        parties=[("李明", "")],
    )


COURT_VARIANTS: list[Case] = [
    Case(
        "litigation:case_detail",
        {**expect(200), "a_office": 404, "hrss_liaison": 404, **_admins(403)},
        variant="a case against another unit",
        kwargs=_pk(housing_case),
    ),
    Case(
        "enforcement:check_detail",
        {**expect(200), "a_office": 404, "court_staff": 404, "hrss_liaison": 404, **_admins(403)},
        variant="another unit's check",
        kwargs=_pk(housing_check),
    ),
]


# --- liaison accounts: provisioned by the office, confirmed by the security administrator ------
def liaison_request(w: Any) -> Any:
    """A liaison account the city office provisioned for 人社局, awaiting confirmation."""
    from fuyuan.org import actions
    from fuyuan.org.models import MembershipChange

    found = MembershipChange.objects.filter(
        unit=w.units["hrss"], kind="liaison", state="proposed"
    ).first()
    if found is not None:
        return found
    return actions.provision_liaison_account(
        w.users["city_office"],
        w.mechanisms["city"],
        unit=w.units["hrss"],
        username="hrss_liaison_new",
        display_name="人社局新联络员",
        password="Liaison-pass-2026!",
        reason="人社局来函更换联络员",
    )


def _account_form(w: Any) -> dict[str, Any]:
    return {
        "unit": w.units["housing"].pk,
        "display_name": "住建局联络员乙",
        "username": "housing_liaison_matrix",
        "password": "Liaison-pass-2026!",
        "reason": "住建局来函",
    }


# The request is the unit's and the city's: its office, its leader and the unit's own liaison
# see it; county a and the court do not; the security administrator confirms it.
LIAISON_REQUEST_READ = {
    **only(["city_office", "city_leader", "hrss_liaison", "security_admin"]),
    "a_office": 404,
    "court_staff": 404,
}

ACCOUNT_VARIANTS: list[Case] = [
    Case("org:liaison_account_create", only(["city_office", "a_office"])),
    Case(
        "org:liaison_account_create",
        {**only(["city_office"], ok=302), "a_office": 403},
        variant="the city office provisions a member unit's liaison",
        method="post",
        query=lambda w: f"mechanism={w.mechanisms['city'].pk}",
        data=_account_form,
    ),
    Case(
        "org:change_detail",
        LIAISON_REQUEST_READ,
        variant="a liaison account awaiting confirmation",
        kwargs=_pk(liaison_request),
    ),
    Case(
        "org:change_transition",
        {**LIAISON_REQUEST_READ, "city_office": 403, "city_leader": 403, "hrss_liaison": 403}
        | {"security_admin": 302},
        variant="the security administrator confirms a liaison account",
        method="post",
        kwargs=lambda w: {"pk": liaison_request(w).pk, "transition": "confirm"},
    ),
    Case(
        "org:change_transition",
        {**LIAISON_REQUEST_READ, "city_leader": 403, "hrss_liaison": 403, "security_admin": 403}
        | {"city_office": 302},
        variant="the office withdraws a liaison account",
        method="post",
        kwargs=lambda w: {"pk": liaison_request(w).pk, "transition": "withdraw"},
    ),
]

VARIANT_CASES: list[Case] = [
    *MATTER_VARIANTS,
    *LETTER_VARIANTS,
    *COURT_VARIANTS,
    *ACCOUNT_VARIANTS,
]
