"""Personal data: SM4-GCM ciphertext at rest, HMAC-SM3 blind index for equality search."""

import pytest
from django.db import connection

from fuyuan.accounts.models import Person
from fuyuan.core import crypto
from fuyuan.core.masking import mask_id_number, mask_phone


def test_encrypt_round_trip_and_randomised():
    a = crypto.encrypt("13800001234")
    b = crypto.encrypt("13800001234")
    assert a != b
    assert a.startswith("sm4gcm:1:")
    assert crypto.decrypt(a) == "13800001234"


def test_tampered_ciphertext_is_rejected():
    token = crypto.encrypt("13800001234")
    prefix, key_id, blob = token.split(":", 2)
    tampered = f"{prefix}:{key_id}:{'A' if blob[0] != 'A' else 'B'}{blob[1:]}"
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(tampered)


def test_blind_index_is_deterministic_and_keyed():
    assert crypto.blind_index("13800001234") == crypto.blind_index("13800001234")
    assert crypto.blind_index("13800001234") != crypto.blind_index("13800001235")
    assert "13800001234" not in crypto.blind_index("13800001234")


@pytest.mark.django_db
def test_phone_is_stored_encrypted_and_found_through_blind_index():
    person = Person.objects.create(name="测试", phone="138 0000 1234")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert "1234" not in stored
    assert stored.startswith("sm4gcm:")
    assert Person.objects.get(pk=person.pk).phone == "138 0000 1234"
    field = Person._meta.get_field("phone_index")
    assert Person.objects.filter(phone_index=field.lookup_value("13800001234")).get() == person


def test_masking():
    assert mask_phone("13800001234") == "138****1234"
    assert mask_id_number("411702199001011234") == "411702********1234"
    assert mask_phone("") == ""
