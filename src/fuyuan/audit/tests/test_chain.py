"""The audit trail is append-only and its SM3 chain reveals a changed or removed entry."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from fuyuan.accounts.models import Person
from fuyuan.audit import chain
from fuyuan.audit.models import AppendOnlyError, AuditEntry
from fuyuan.audit.record import REDACTED, record, snapshot


@pytest.mark.django_db
def test_entries_cannot_be_updated_or_deleted():
    entry = record(None, "test.event", object_kind="x", object_id="1")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="other")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.django_db
def test_chain_seals_in_order_and_verifies():
    for i in range(5):
        record(None, f"test.event.{i}")
    chain.seal()
    rows = list(AuditEntry.objects.order_by("seq"))
    assert all(r.hash for r in rows)
    assert rows[1].prev_hash == rows[0].hash
    assert chain.verify().ok
    call_command("audit", "verify")


@pytest.mark.django_db
def test_verify_names_the_changed_entry():
    for i in range(4):
        record(None, f"test.event.{i}")
    chain.seal()
    target = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'forged' WHERE seq = %s", [target.seq])
    result = chain.verify()
    assert not result.ok
    assert result.first_bad_seq == target.seq
    with pytest.raises(CommandError):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_verify_notices_a_removed_entry():
    for i in range(4):
        record(None, f"test.event.{i}")
    chain.seal()
    victim = AuditEntry.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [victim.seq])
    result = chain.verify()
    assert not result.ok
    assert result.first_bad_seq == victim.seq + 1


@pytest.mark.django_db
def test_the_verify_command_names_an_entry_edited_in_the_database():
    """An entry changed by raw SQL (bypassing the ORM's append-only guard) fails
    `fuyuan audit verify`, and the message names that entry's seq."""
    for i in range(5):
        record(None, f"test.event.{i}")
    chain.seal()
    call_command("audit", "verify", stdout=io.StringIO())
    target = AuditEntry.objects.order_by("seq")[3]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET detail = %s WHERE seq = %s", ['{"forged": 1}', target.seq]
        )
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("audit", "verify", stdout=io.StringIO())
    assert f"broken at entry #{target.seq}: changed" in str(caught.value)
    assert "(3 entries verified before it)" in str(caught.value)


@pytest.mark.django_db
def test_the_verify_command_names_the_entry_after_a_removed_one():
    for i in range(4):
        record(None, f"test.event.{i}")
    chain.seal()
    victim = AuditEntry.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [victim.seq])
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("audit", "verify", stdout=io.StringIO())
    assert f"broken at entry #{victim.seq + 1}: removed" in str(caught.value)


@pytest.mark.django_db
def test_snapshot_redacts_personal_fields():
    person = Person.objects.create(name="张三", phone="13800001234")
    data = snapshot(person)
    assert data["phone"] == REDACTED
    assert data["phone_index"] == REDACTED
    assert data["name"] == "张三"
    assert "13800001234" not in str(data)
