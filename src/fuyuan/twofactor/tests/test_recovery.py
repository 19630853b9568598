"""Recovery codes: ten, one use each, regeneration invalidates the old set, use is audited and
shown to the user."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.twofactor import actions
from fuyuan.twofactor.models import RecoveryCode

from .helpers import HOME, VERIFY, sign_in, totp_device, verified_client

pytestmark = pytest.mark.django_db


def test_a_recovery_code_works_once_and_its_use_is_shown_and_audited(world, enforced):
    user = world.users["city_office"]
    totp_device(user)
    codes = actions.generate_recovery_codes(user)
    assert len(codes) == 10
    client = Client()
    sign_in(client, "city_office")
    page = client.get(VERIFY)
    assert "provider=recovery" in page.content.decode()
    response = client.post(
        VERIFY, {"provider": "recovery", "code": codes[3].lower().replace("-", " ")}, follow=True
    )
    assert response.redirect_chain[0][0] == "/"
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings and "9" in warnings[0]
    assert client.get(HOME).status_code == 200
    entry = AuditEntry.objects.get(action="twofactor.recovery.use", actor=user)
    assert entry.detail == {"left": 9}
    # The same code again: refused.
    again = Client()
    sign_in(again, "city_office")
    assert again.post(VERIFY, {"provider": "recovery", "code": codes[3]}).status_code == 200
    assert again.get(HOME).url.startswith(VERIFY)
    # The devices page shows the use.
    page = verified_client(user).get(reverse("twofactor:devices"))
    assert page.context["recovery_left"] == 9 and len(page.context["recovery_used"]) == 1


def test_regeneration_invalidates_the_old_set(world, enforced):
    user = world.users["city_office"]
    totp_device(user)
    old = actions.generate_recovery_codes(user)
    client = verified_client(user)
    response = client.post(reverse("twofactor:recovery_codes"))
    assert response.status_code == 200
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert "no-store" in response["Cache-Control"]
    assert RecoveryCode.objects.filter(user=user).count() == 10
    other = Client()
    sign_in(other, "city_office")
    assert other.post(VERIFY, {"provider": "recovery", "code": old[0]}).status_code == 200
    assert other.post(VERIFY, {"provider": "recovery", "code": new[0]}).url == "/"
    assert AuditEntry.objects.filter(action="twofactor.recovery.generate", actor=user).count() == 2


def test_only_hashes_are_stored(world):
    user = world.users["city_office"]
    totp_device(user)
    codes = actions.generate_recovery_codes(user)
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not stored & set(codes) and all(len(h) == 64 for h in stored)


def test_no_recovery_codes_without_a_device(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.generate_recovery_codes(world.users["hrss_liaison"])
    assert not RecoveryCode.objects.exists()
