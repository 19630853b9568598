"""Two first sign-ins of the same person at once (two tabs, a double click): exactly one link
is made and both land on the same account; the loser's insert fails on the constraint and is
read back, never a 500. Needs real concurrency: PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from fuyuan.sso import actions
from fuyuan.sso.models import SsoIdentity


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_sign_ins_make_one_link(world, monkeypatch):
    barrier = threading.Barrier(2, timeout=20)
    real_create = SsoIdentity.objects.create

    def create_after_both_checked(**kwargs: Any) -> SsoIdentity:
        barrier.wait()  # both sign-ins have found no link and passed every check
        return real_create(**kwargs)

    monkeypatch.setattr(SsoIdentity.objects, "create", create_after_both_checked)
    results: list[Any] = []

    def sign_in() -> None:
        try:
            results.append(actions.find_or_link("https://idp.test", "gov-1", "city_office"))
        except Exception as exc:  # collected and asserted below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 2
    assert all(isinstance(r, SsoIdentity) for r in results), results
    assert results[0].pk == results[1].pk
    assert SsoIdentity.objects.count() == 1
    assert SsoIdentity.objects.get().user == world.users["city_office"]
