"""Walks every URL route against the authorization matrix (tests/authz_matrix.py): each role
gets exactly the status the matrix names, on its own and on others' objects, and a route
missing from the matrix fails the test."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fuyuan.testing import build_world

from .authz_matrix import ADMIN_EXPECTED, ADMIN_FORBIDDEN, ADMIN_NAMESPACE, CASES, ROLES, Case

pytestmark = pytest.mark.django_db

# Routes that are not pages of the platform.
IGNORED_PREFIXES = ("static/", "media/")


def all_route_names() -> list[tuple[str, bool]]:
    """(namespaced name, takes arguments) for every named route."""
    found: list[tuple[str, bool]] = []

    def walk(patterns: list[Any], namespace: str, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}{p.namespace}:"
                walk(p.url_patterns, ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                if not p.name or (prefix + str(p.pattern)).startswith(IGNORED_PREFIXES):
                    continue
                takes_args = bool(p.pattern.regex.groupindex) or p.pattern.regex.groups > 0
                found.append((namespace + p.name, takes_args))

    walk(get_resolver().url_patterns, "", "")
    return sorted(set(found))


def test_every_route_has_an_expected_outcome():
    covered = {c.route for c in CASES}
    missing = [
        name
        for name, _ in all_route_names()
        if name not in covered and not name.startswith(f"{ADMIN_NAMESPACE}:")
    ]
    assert not missing, f"routes without a row in tests/authz_matrix.py: {missing}"
    for case in CASES:
        assert set(case.expected) == set(ROLES), f"{case.route} {case.variant}: roles missing"


def api_operations() -> list[tuple[str, str]]:
    """(route name, HTTP method) of every operation of the REST API: each viewset route's
    methods as the router bound them (list/create, retrieve/update/destroy, extra actions),
    and the methods of the plain API views (schema, docs)."""
    found: set[tuple[str, str]] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name and namespace == "api:":
                actions = getattr(p.callback, "actions", None)
                if actions:
                    # HEAD is GET without a body (DRF binds it where GET is bound).
                    methods = set(actions) - {"head", "options"}
                else:
                    view_class = getattr(p.callback, "cls", None) or p.callback.view_class
                    methods = {
                        m
                        for m in view_class.http_method_names
                        if hasattr(view_class, m) and m not in ("head", "options")
                    }
                found.update((f"api:{p.name}", m) for m in methods)

    walk(get_resolver().url_patterns, "")
    return sorted(found)


def test_every_api_operation_has_an_expected_outcome():
    """Every method of every /api/v1/ route (not only GET) has a row: a write added to a
    viewset without a matrix row fails here."""
    operations = api_operations()
    assert ("api:matter-list", "get") in operations
    assert ("api:matter-feedback", "post") in operations
    covered = {(c.route, c.method) for c in CASES}
    missing = [op for op in operations if op not in covered]
    assert not missing, f"API operations without a row in tests/authz_matrix*.py: {missing}"


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One world for the whole module (built once, kept in a transaction rolled back at the
    end), so the matrix stays fast."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _client(world: Any, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def _label(case: Case) -> str:
    return f"{case.route}{' [' + case.variant + ']' if case.variant else ''} {case.method.upper()}"


@pytest.mark.parametrize("case", CASES, ids=_label)
def test_route_answers_each_role_as_the_matrix_says(case: Case, matrix_world: Any) -> None:
    from django.db import transaction

    query = case.query(matrix_world)
    suffix = f"?{query}" if query else ""
    url = "" if case.per_role else reverse(case.route, kwargs=case.kwargs(matrix_world)) + suffix
    wrong = {}
    for role in ROLES:
        # Each request in a savepoint, so a POST by one role cannot change what the next sees.
        sid = transaction.savepoint()
        try:
            if case.per_role:
                url = reverse(case.route, kwargs=case.kwargs(matrix_world, role)) + suffix
            client = _client(matrix_world, role)
            response = getattr(client, case.method)(url, case.data(matrix_world))
            if response.status_code != case.expected[role]:
                wrong[role] = (response.status_code, case.expected[role])
        finally:
            transaction.savepoint_rollback(sid)
            for user in matrix_world.users.values():
                user.forget_roles()
    assert not wrong, f"{_label(case)} {url}: role -> (got, expected) {wrong}"


def test_admin_routes_only_for_the_system_administrator(matrix_world: Any) -> None:
    wrong = {}
    for name, takes_args in all_route_names():
        if not name.startswith(f"{ADMIN_NAMESPACE}:") or takes_args:
            continue
        url = reverse(name)
        for role in ROLES:
            status = _client(matrix_world, role).get(url).status_code
            expected = ADMIN_EXPECTED[role]
            if name in ("admin:logout", "admin:autocomplete"):
                # logout is POST-only; autocomplete answers 403 without its query parameters.
                continue
            if name == "admin:login" and role != "system_admin":
                expected = 200
            if name == "admin:login" and role == "system_admin":
                expected = 302
            if name in ADMIN_FORBIDDEN and role == "system_admin":
                expected = 403
            if status != expected:
                wrong[(name, role)] = (status, expected)
    assert not wrong, wrong
