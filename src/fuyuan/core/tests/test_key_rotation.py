"""`fuyuan rotate-keys`: values under an old data key are re-encrypted in resumable, guarded
batches; an old key is retired only when nothing uses it; blind indexes follow a new index key."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from fuyuan.accounts.models import Person
from fuyuan.audit.models import AuditEntry
from fuyuan.core import crypto, key_rotation

OLD = "1:00112233445566778899aabbccddeeff"
NEW = "2:ffeeddccbbaa99887766554433221100"
INDEX_OLD = "0f" * 32
INDEX_NEW = "a5" * 32


@pytest.fixture
def keys(settings):
    """Switch the keys the provider uses (it is cached per process)."""

    def use(data_keys: str, index_key: str = INDEX_OLD) -> None:
        settings.FUYUAN_DATA_KEYS = data_keys
        settings.FUYUAN_INDEX_KEY = index_key
        crypto.get_provider.cache_clear()

    use(OLD)
    yield use
    crypto.get_provider.cache_clear()


def stored_phone(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def make_people(n: int) -> list[Person]:
    return [Person.objects.create(name=f"人员{i}", phone=f"1380000{i:04d}") for i in range(n)]


def find_by_phone(phone: str) -> list[int]:
    field = Person._meta.get_field("phone_index")
    return list(
        Person.objects.filter(phone_index=field.lookup_value(phone)).values_list("pk", flat=True)
    )


def run(*args: str, **options) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("rotate_keys", *args, stdout=out, **options)
    return out.getvalue()


def test_the_registry_walk_finds_every_encrypted_field():
    labels = {t.label for t in key_rotation.encrypted_targets()}
    assert {
        "accounts.person.phone",
        "enforcement.debtorrecord.id_number",
        "enforcement.checkhit.party_id_number",
    } <= labels
    indexes = {t.label: t.source.name for t in key_rotation.index_targets()}
    assert indexes["accounts.person.phone_index"] == "phone"
    assert indexes["enforcement.debtorrecord.id_index"] == "id_number"


@pytest.mark.django_db
def test_values_under_an_old_key_are_reencrypted_and_still_found(keys):
    people = make_people(5)
    before = {p.pk: stored_phone(p.pk) for p in people}
    assert all(v.startswith("sm4gcm:1:") for v in before.values())
    keys(f"{OLD},{NEW}")

    out = run("--batch-size", "2")

    for person in people:
        raw = stored_phone(person.pk)
        assert raw.startswith("sm4gcm:2:") and raw != before[person.pk]
        assert Person.objects.get(pk=person.pk).phone == person.phone
        assert find_by_phone(person.phone) == [person.pk]
    assert "accounts.person.phone: 5 written" in out
    batches = AuditEntry.objects.filter(
        action="core.keys.reencrypt_batch", object_repr="accounts.person.phone"
    )
    assert batches.count() == 3  # 2 + 2 + 1
    assert sum(e.detail["written"] for e in batches) == 5
    assert all(e.detail["from_keys"] == ["1"] and e.detail["to_key"] == "2" for e in batches)
    summary = AuditEntry.objects.get(action="core.keys.rotated")
    assert summary.detail["written"] == 5
    assert "1380000" not in str(list(batches.values_list("detail", flat=True)))

    # The old key can now go: without it every value still decrypts.
    run("--retire-key", "1")
    keys(NEW)
    assert sorted(Person.objects.values_list("phone", flat=True)) == sorted(p.phone for p in people)


@pytest.mark.django_db
def test_an_interrupted_run_resumes_without_redoing_finished_rows(keys):
    people = make_people(7)
    keys(f"{OLD},{NEW}")

    class Stop(Exception):
        pass

    def stop_after_two(batch: key_rotation.BatchReport) -> None:
        if batch.number == 2:
            raise Stop

    with pytest.raises(Stop):
        key_rotation.rotate(batch_size=2, after_batch=stop_after_two)
    done = {p.pk: stored_phone(p.pk) for p in people[:4]}
    assert all(v.startswith("sm4gcm:2:") for v in done.values())
    assert all(stored_phone(p.pk).startswith("sm4gcm:1:") for p in people[4:])
    assert run("--dry-run").count("accounts.person.phone: 3 values to re-encrypt") == 1

    reports = key_rotation.rotate(batch_size=2)

    person_report = next(r for r in reports if r.target == "accounts.person.phone")
    assert person_report.written == 3 and person_report.batches == 2
    assert {p.pk: stored_phone(p.pk) for p in people[:4]} == done  # not re-encrypted again
    assert all(stored_phone(p.pk).startswith("sm4gcm:2:") for p in people)
    assert [Person.objects.get(pk=p.pk).phone for p in people] == [p.phone for p in people]


@pytest.mark.django_db
def test_a_concurrent_edit_between_read_and_write_is_not_overwritten(keys, monkeypatch):
    people = make_people(3)
    keys(f"{OLD},{NEW}")
    victim = people[1]
    real_encrypt_many = crypto.encrypt_many

    def edit_meanwhile(plaintexts):
        # The rows were read; now someone saves a new phone number before the write.
        Person.objects.filter(pk=victim.pk).update(phone="13999998888")
        return real_encrypt_many(plaintexts)

    monkeypatch.setattr(crypto, "encrypt_many", edit_meanwhile)
    reports = key_rotation.rotate(batch_size=10, targets=key_rotation.encrypted_targets()[:1])

    assert reports[0].target == "accounts.person.phone"
    assert reports[0].written == 2 and reports[0].skipped == 1
    assert Person.objects.get(pk=victim.pk).phone == "13999998888"
    assert Person.objects.get(pk=people[0].pk).phone == people[0].phone
    assert stored_phone(people[2].pk).startswith("sm4gcm:2:")


@pytest.mark.django_db
def test_dry_run_counts_and_writes_nothing(keys):
    people = make_people(3)
    keys(f"{OLD},{NEW}")
    before = {p.pk: stored_phone(p.pk) for p in people}

    out = run("--dry-run")

    assert "accounts.person.phone: 3 values to re-encrypt (1: 3)" in out
    assert "Dry run: 3 values would be re-encrypted under key 2" in out
    assert {p.pk: stored_phone(p.pk) for p in people} == before
    assert not AuditEntry.objects.filter(action="core.keys.reencrypt_batch").exists()


@pytest.mark.django_db
def test_retiring_a_key_is_refused_while_values_use_it(keys):
    make_people(2)
    keys(f"{OLD},{NEW}")
    with translation.override("en"), pytest.raises(CommandError, match="still encrypts 2 values"):
        call_command("rotate_keys", "--retire-key", "1")
    with translation.override("en"), pytest.raises(CommandError, match="current key"):
        call_command("rotate_keys", "--retire-key", "2")
    check = AuditEntry.objects.get(action="core.keys.retire_check")
    assert check.detail["still_used"] == 2

    run()
    assert "No value uses key 1 any more" in run("--retire-key", "1")


@pytest.mark.django_db
def test_an_unreadable_value_is_reported_and_left_alone(keys):
    person = make_people(1)[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_person SET phone = %s WHERE id = %s",
            ["sm4gcm:7:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", person.pk],
        )
    keys(f"{OLD},{NEW}")
    with translation.override("en"), pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("rotate_keys")
    assert stored_phone(person.pk) == "sm4gcm:7:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


@pytest.mark.django_db
def test_reindex_follows_a_new_index_key(keys):
    people = make_people(3)
    keys(OLD, INDEX_NEW)
    assert find_by_phone(people[0].phone) == []  # the stored indexes are under the old key

    out = run("--reindex", "--batch-size", "2")

    assert "accounts.person.phone_index: 3 written" in out
    for person in people:
        assert find_by_phone(person.phone) == [person.pk]
    # A second run reads everything and writes nothing.
    again = key_rotation.reindex(batch_size=2)
    assert sum(r.written for r in again) == 0
    assert AuditEntry.objects.filter(action="core.keys.reindex_batch").count() == 2


@pytest.mark.django_db
def test_bad_batch_size_is_refused():
    with translation.override("en"), pytest.raises(CommandError, match="at least 1"):
        call_command("rotate_keys", "--batch-size", "0")
