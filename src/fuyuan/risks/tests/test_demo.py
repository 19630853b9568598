"""The risks demo (`fuyuan.demo.risks.load`) on top of the org demo: the events, matters and
the 15-project ledger are written through the actions, with consistent figures."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.matters.models import Matter
from fuyuan.risks import queries
from fuyuan.risks.models import RiskEvent, StalledProject

pytestmark = pytest.mark.django_db


def test_the_demo_loads_events_matters_and_the_ledger():
    from fuyuan.demo import risks

    call_command("load_demo", stdout=io.StringIO())
    counts = risks.load(timezone.localdate())
    assert counts == {"risk events": 6, "risk matters": 4, "stalled projects": 15}
    assert RiskEvent.objects.count() == 6
    assert set(RiskEvent.objects.values_list("kind", flat=True)) == {
        "financial",
        "stalled_housing",
        "other",
    }
    assert set(RiskEvent.objects.values_list("state", flat=True)) >= {"handling", "resolved"}
    assert Matter.objects.filter(source_kind="risks.event").count() == 4
    figures = queries.project_figures(StalledProject.objects.all())
    assert figures["total"] == 15
    assert figures["stopped"] and figures["restarted"] and figures["delivered"]
    assert 0 < figures["delivery_rate"] < 100
    assert StalledProject.objects.exclude(credit_code_override="").count() == 1
    assert AuditEntry.objects.filter(action="risks.project.create").count() == 15
    assert len({p.jurisdiction_id for p in StalledProject.objects.all()}) == 10
