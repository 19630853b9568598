"""Identifiers on the debtor list are personal information: a role without the right sees
only masked numbers, in pages and exports; the roles that may see them (court and office
staff) also see them masked until they ask for one, and each clear view is audited."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.enforcement import debtor_actions
from fuyuan.enforcement.importers import row_key_for
from fuyuan.enforcement.models import DebtorRecord, IdType, PartyKind

pytestmark = pytest.mark.django_db

CLEAR = "411702197508123459"
MASKED = "411702********3459"


def make_entry(number: int = 1, identifier: str = CLEAR, **extra: Any) -> DebtorRecord:
    case = f"（2024）豫17执{number}号"
    values: dict[str, Any] = {
        "name": "张建国",
        "party_kind": PartyKind.PERSON,
        "id_type": IdType.RESIDENT_ID,
        "id_number": identifier,
        "id_display": identifier[:6] + "*" * 8 + identifier[-4:],
        "court_name": "驻马店市中级人民法院",
        "basis_number": "（2023）豫17民初45号",
        "case_number": case,
        "row_key": row_key_for(case, identifier=identifier),
    }
    values.update(extra)
    return DebtorRecord.objects.create(**values)


def test_only_court_and_office_staff_may_see_identifiers(world):
    allowed = {u for u, user in world.users.items() if debtor_actions.may_see_identifiers(user)}
    assert {"court_staff", "b_court_staff", "city_office", "a_office", "b_office"} <= allowed
    for name in ("hrss_liaison", "housing_liaison", "city_leader", "system_admin", "nobody"):
        assert name not in allowed


def test_the_clear_number_is_never_in_a_page_for_a_liaison_officer(world, client_for):
    entry = make_entry()
    client = client_for("hrss_liaison")
    for url in (
        reverse("enforcement:debtor_list"),
        reverse("enforcement:debtor_detail", args=[entry.pk]),
        reverse("enforcement:debtor_list") + "?q=张建国",
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert MASKED in body
        assert CLEAR not in body
        assert reverse("enforcement:debtor_reveal", args=[entry.pk]) not in body
    # Searching by the full number finds the entry, still shown masked (the number typed is
    # only echoed in the search box).
    response = client.get(reverse("enforcement:debtor_list") + f"?ident={CLEAR}")
    assert [e.pk for e in response.context["page"]] == [entry.pk]
    table = response.content.decode().split('id="debtor-table"')[1].split("</table>")[0]
    assert MASKED in table and CLEAR not in table


def test_a_liaison_officer_cannot_reveal_and_the_attempt_is_recorded(world, client_for):
    entry = make_entry()
    response = client_for("hrss_liaison").post(
        reverse("enforcement:debtor_reveal", args=[entry.pk])
    )
    assert response.status_code == 403
    assert CLEAR not in response.content.decode()
    assert not AuditEntry.objects.filter(action="enforcement.debtor.reveal", outcome="success")


def test_court_staff_see_masked_numbers_until_they_ask_and_the_clear_view_is_audited(
    world, client_for
):
    entry = make_entry()
    client = client_for("court_staff")
    body = client.get(reverse("enforcement:debtor_list")).content.decode()
    assert MASKED in body and CLEAR not in body
    assert reverse("enforcement:debtor_reveal", args=[entry.pk]) in body
    response = client.post(reverse("enforcement:debtor_reveal", args=[entry.pk]))
    assert response.status_code == 200
    assert CLEAR in response.content.decode()
    assert "no-cache" in response.headers["Cache-Control"]
    audit = AuditEntry.objects.get(action="enforcement.debtor.reveal")
    assert audit.actor == world.users["court_staff"]
    assert audit.object_id == str(entry.pk)
    assert CLEAR not in str(audit.detail) and CLEAR not in str(audit.after)


def test_reveal_identifier_refuses_roles_without_the_right(world):
    entry = make_entry()
    with pytest.raises(Exception) as refused:
        debtor_actions.reveal_identifier(world.users["city_leader"], entry)
    assert refused.type.__name__ == "PermissionDenied"
    assert debtor_actions.reveal_identifier(world.users["city_office"], entry) == CLEAR


def _sheet_text(response: Any) -> str:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = book.worksheets[0]
    return "\n".join(
        "|".join("" if c is None else str(c) for c in row)
        for row in sheet.iter_rows(values_only=True)
    )


def test_exports_are_masked_for_a_liaison_officer_who_may_not_ask_for_clear(world, client_for):
    make_entry()
    client = client_for("hrss_liaison")
    response = client.get(reverse("enforcement:debtor_export"))
    assert response.status_code == 200
    text = _sheet_text(response)
    assert MASKED in text and CLEAR not in text
    assert client.get(reverse("enforcement:debtor_export") + "?clear=1").status_code == 403


def test_a_clear_export_is_for_court_and_office_staff_and_audited(world, client_for):
    make_entry()
    client = client_for("city_office")
    assert CLEAR not in _sheet_text(client.get(reverse("enforcement:debtor_export")))
    response = client.get(reverse("enforcement:debtor_export") + "?clear=1")
    assert CLEAR in _sheet_text(response)
    assert AuditEntry.objects.filter(
        action="enforcement.debtor.export_clear", actor=world.users["city_office"]
    ).exists()
