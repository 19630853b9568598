"""The bankruptcy-cost fund: budget, applications for cases with no assets, review, approval
that commits money, payment — and a balance that can never go negative, even with two
approvals at once on PostgreSQL."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from fuyuan.core.workflow import TransitionError

from .. import actions
from ..models import Fund, FundApplication, FundMovement, MovementKind
from ..queries import figures
from .helpers import make_case, make_fund, reviewed_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        yield


def test_the_whole_path_submitted_reviewed_approved_paid(world):
    fund = make_fund(world, "100000")
    case = make_case(world)
    app = reviewed_application(world, case, "30000")
    assert app.state == "reviewed"
    actions.application_transition(world.users["city_office"], app, "approve")
    fund.refresh_from_db()
    assert fund.committed == Decimal("30000") and fund.balance == Decimal("70000")
    actions.application_transition(
        world.users["city_office"], app, "pay", payment_reference="国库支付0312"
    )
    fund.refresh_from_db()
    assert fund.paid == Decimal("30000") and fund.committed == Decimal("30000")
    kinds = list(FundMovement.objects.filter(fund=fund).values_list("kind", "amount"))
    assert kinds == [
        (MovementKind.BUDGET, Decimal("100000.00")),
        (MovementKind.COMMIT, Decimal("30000.00")),
        (MovementKind.PAYMENT, Decimal("30000.00")),
    ]
    row = figures(world.users["city_office"])["funds"][0]
    assert (row["budget"], row["committed"], row["paid"], row["balance"]) == (
        Decimal("100000"),
        Decimal("30000"),
        Decimal("30000"),
        Decimal("70000"),
    )


def test_an_approval_that_would_overdraw_the_fund_is_refused(world):
    fund = make_fund(world, "50000")
    case = make_case(world)
    first = reviewed_application(world, case, "40000")
    second = reviewed_application(world, case, "20000")
    actions.application_transition(world.users["city_office"], first, "approve")
    with pytest.raises(ValidationError) as exc:
        actions.application_transition(world.users["city_office"], second, "approve")
    assert exc.value.code == "bankruptcy.fund_overdrawn"
    fund.refresh_from_db()
    second.refresh_from_db()
    assert fund.committed == Decimal("40000") and second.state == "reviewed"
    # Raising the budget makes room; lowering it below the committed amount is refused.
    with pytest.raises(ValidationError) as exc:
        make_fund(world, "30000")
    assert exc.value.error_dict["budget"][0].code == "bankruptcy.fund_overdrawn"
    make_fund(world, "60000")
    actions.application_transition(world.users["city_office"], second, "approve")
    fund.refresh_from_db()
    assert fund.balance == Decimal("0")


def test_the_database_refuses_an_overdrawn_fund(world):
    fund = make_fund(world, "1000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(committed=Decimal("1000.01"))


def test_only_a_case_with_no_assets_past_acceptance_may_apply(world):
    make_fund(world)
    with_assets = make_case(world, no_assets=False)
    with pytest.raises(PermissionDenied):
        actions.apply_fund(world.users["city_office"], with_assets, amount="1000", reason="x")
    with pytest.raises(ValidationError) as exc:
        actions.apply_fund(world.users["court_staff"], with_assets, amount="1000", reason="x")
    assert exc.value.error_dict["amount"][0].code == "bankruptcy.not_eligible"
    pending = make_case(world, stage="application")
    with pytest.raises(ValidationError):
        actions.apply_fund(world.users["court_staff"], pending, amount="1000", reason="x")
    ok = make_case(world)
    with pytest.raises(ValidationError) as exc:
        actions.apply_fund(world.users["court_staff"], ok, amount="0", reason="x")
    assert exc.value.error_dict["amount"][0].code == "bankruptcy.amount"


def test_without_a_budget_for_the_year_there_is_nothing_to_apply_to(world):
    case = make_case(world)
    with pytest.raises(ValidationError) as exc:
        actions.apply_fund(world.users["court_staff"], case, amount="1000", reason="公告费")
    assert exc.value.code == "bankruptcy.no_fund"


def test_the_graph_decides_who_takes_each_step(world):
    make_fund(world)
    case = make_case(world)
    app = actions.apply_fund(world.users["court_staff"], case, amount="1000", reason="公告费")
    for user in ("court_staff", "city_leader", "a_office", "hrss_liaison"):
        with pytest.raises(TransitionError):
            actions.application_transition(world.users[user], app, "review")
    with pytest.raises(TransitionError):  # not reviewed yet
        actions.application_transition(world.users["city_office"], app, "approve")
    with pytest.raises(TransitionError) as exc:
        actions.application_transition(world.users["city_office"], app, "reject")
    assert exc.value.code == "workflow.comment_required"
    actions.application_transition(world.users["city_office"], app, "reject", "不符合条件")
    app.refresh_from_db()
    assert app.state == "rejected" and app.decision_note == "不符合条件"


def test_a_county_case_applies_to_the_countys_fund(world):
    make_fund(world, "1000", mechanism="b")
    case = make_case(world, court="b_court")
    app = actions.apply_fund(world.users["b_court_staff"], case, amount="800", reason="审计费")
    assert app.fund.mechanism == world.mechanisms["b"]
    with pytest.raises(TransitionError):
        actions.application_transition(world.users["city_office"], app, "review")
    actions.application_transition(world.users["b_office"], app, "review")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_cannot_overdraw_the_fund_together():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from fuyuan.testing import build_world

    w = build_world()
    fund = make_fund(w, "50000")
    case = make_case(w)
    apps = [reviewed_application(w, case, "30000") for _ in range(2)]
    start = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def approve(pk: int) -> None:
        from django.db import connections

        try:
            start.wait()
            with transaction.atomic():
                app = FundApplication.objects.get(pk=pk)
                from fuyuan.accounts.models import User

                office = User.objects.get(username="city_office")
                try:
                    actions.application_transition(office, app, "approve")
                    outcomes.append("approved")
                except ValidationError as exc:
                    outcomes.append(exc.code or "")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a.pk,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["approved", "bankruptcy.fund_overdrawn"]
    fund.refresh_from_db()
    assert fund.committed == Decimal("30000") and fund.balance == Decimal("20000")
    assert FundApplication.objects.filter(state="approved").count() == 1
    assert FundMovement.objects.filter(fund=fund, kind=MovementKind.COMMIT).count() == 1
