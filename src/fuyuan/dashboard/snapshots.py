"""Precomputed figures: the cockpit and the brief read one stored row instead of some fifty
aggregates over years of a city's data.

A snapshot is the result of `figures.cockpit` or `figures.brief` for one reader and one area
(jurisdiction, unit, period, day). Its key holds everything the figures depend on besides
the data: the page, the area's URL parameters, the day, the reader's scope (a changed role
gives a new key) and the language. A page uses a snapshot younger than
FUYUAN_FIGURES_MAX_AGE_SECONDS, otherwise computes the figures live and stores them; the page
says when the figures were taken, and `?fresh=1` recomputes on the spot.

The scheduler keeps them fresh (`refresh_due`, every few minutes): it recomputes the snapshots
someone viewed in the last day once they are half their maximum age, and every morning it
prepares the default cockpit and brief of every leader and office member (`prepare_defaults`),
so the first look of the day is instant. A maximum age of 0 (the test settings) turns
snapshots off: every page computes live.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import override as language_override
from django_tasks import task

from fuyuan.accounts.permissions import scope_for
from fuyuan.core import scheduler

from . import figures
from .area import Area, area_from, may_view
from .models import FigureSnapshot

log = logging.getLogger(__name__)

VERSION = "2"  # bump when the shape of what figures.cockpit/brief return changes
VIEWED_WITHIN = datetime.timedelta(days=1)
TOUCH_AFTER = datetime.timedelta(hours=1)
COMPUTE: dict[str, Callable[[Any, Area], Any]] = {
    "cockpit": figures.cockpit,
    "brief": figures.brief,
}
DEFAULT_PERIOD = {"cockpit": "year", "brief": "month"}


def max_age() -> int:
    return int(getattr(settings, "FUYUAN_FIGURES_MAX_AGE_SECONDS", 0))


def _fingerprint(user: Any) -> str:
    scope = scope_for(user)
    parts = [
        f"u{scope.user_id}",
        "o" + ";".join(f"{r}={','.join(sorted(p))}" for r, p in sorted(scope.oversight.items())),
        "a"
        + ";".join(
            f"{r}={','.join(map(str, sorted(ids)))}"
            for r, ids in sorted(scope.assigned_jurisdictions.items())
        ),
        "n" + ",".join(map(str, sorted(scope.unit_ids))),
    ]
    return "|".join(parts)


def _params(area: Area) -> str:
    return area.query()


def key_for(kind: str, user: Any, area: Area) -> str:
    raw = "\n".join(
        [VERSION, kind, _params(area), area.today.isoformat(), _fingerprint(user), get_language()]
    )
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class Taken:
    """Figures with the moment they were computed and whether they came from a snapshot."""

    data: Any
    computed_at: datetime.datetime
    stored: bool


def _compute(kind: str, user: Any, area: Area) -> tuple[Any, int]:
    started = time.perf_counter()
    data = COMPUTE[kind](user, area)
    return data, int((time.perf_counter() - started) * 1000)


def _store(kind: str, user: Any, area: Area, key: str, data: Any, ms: int) -> None:
    now = timezone.now()
    values = {
        "user_id": user.pk,
        "kind": kind,
        "params": _params(area),
        "payload": pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL),
        "computed_at": now,
        "compute_ms": ms,
        "viewed_at": now,
    }
    try:
        with transaction.atomic():
            FigureSnapshot.objects.update_or_create(key=key, defaults=values)
    except IntegrityError:  # another worker stored the same key first: theirs is as good
        pass


def take(kind: str, user: Any, area: Area, *, fresh: bool = False) -> Taken:
    """The figures of `kind` for `user` over `area`: a young enough snapshot, else computed
    now (and stored, when snapshots are on)."""
    limit = max_age()
    if limit <= 0:
        data, _ms = _compute(kind, user, area)
        return Taken(data, timezone.now(), stored=False)
    key = key_for(kind, user, area)
    now = timezone.now()
    if not fresh:
        row = (
            FigureSnapshot.objects.filter(key=key)
            .values_list("payload", "computed_at", "viewed_at")
            .first()
        )
        if row is not None and now - row[1] <= datetime.timedelta(seconds=limit):
            try:
                data = pickle.loads(row[0])
            except Exception:  # written by another version of the code: compute anew
                log.warning("figure snapshot %s could not be read; recomputing", key)
            else:
                if now - row[2] > TOUCH_AFTER:
                    FigureSnapshot.objects.filter(key=key).update(viewed_at=now)
                return Taken(data, row[1], stored=True)
    data, ms = _compute(kind, user, area)
    _store(kind, user, area, key, data, ms)
    return Taken(data, now, stored=False)


def _recompute(snapshot: FigureSnapshot, today: datetime.date) -> bool:
    from django.http import QueryDict

    user = snapshot.user
    if not user.is_active or not may_view(user):
        snapshot.delete()
        return False
    try:
        area = area_from(
            user,
            QueryDict(snapshot.params),
            default_kind=DEFAULT_PERIOD[snapshot.kind],
            today=today,
        )
    except (Http404, KeyError):  # the area is no longer the user's, or the page is gone
        snapshot.delete()
        return False
    key = key_for(snapshot.kind, user, area)
    if key != snapshot.key:  # the reader's scope changed: the old key is never read again
        snapshot.delete()
    data, ms = _compute(snapshot.kind, user, area)
    _store(snapshot.kind, user, area, key, data, ms)
    return True


def refresh_due(now: datetime.datetime | None = None) -> int:
    """Recompute the snapshots viewed within a day that are past half their maximum age, and
    drop those nobody viewed for a day. Returns how many were recomputed."""
    limit = max_age()
    if limit <= 0:
        return 0
    now = now or timezone.now()
    FigureSnapshot.objects.filter(viewed_at__lt=now - VIEWED_WITHIN).delete()
    stale = (
        FigureSnapshot.objects.filter(computed_at__lt=now - datetime.timedelta(seconds=limit / 2))
        .select_related("user")
        .order_by("-viewed_at")
    )
    today = timezone.localdate(now)
    done = 0
    for snapshot in stale:
        with language_override(settings.LANGUAGE_CODE):
            done += _recompute(snapshot, today)
    return done


def prepare_defaults(today: datetime.date | None = None) -> int:
    """Compute the default cockpit and brief of every active leader and office member (the
    pages they open first in the morning). Returns how many were computed."""
    from fuyuan.accounts.models import Role, RoleAssignment, User

    if max_age() <= 0:
        return 0
    today = today or timezone.localdate()
    user_ids = (
        RoleAssignment.objects.active_on(today)
        .filter(role__in=[Role.LEADER, Role.OFFICE], user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    done = 0
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        for kind in COMPUTE:
            try:
                area = area_from(user, {}, default_kind=DEFAULT_PERIOD[kind], today=today)
            except Http404:  # no jurisdiction overseen any more
                continue
            with language_override(settings.LANGUAGE_CODE):
                data, ms = _compute(kind, user, area)
                _store(kind, user, area, key_for(kind, user, area), data, ms)
            done += 1
    return done


@task()
def refresh_due_task() -> int:
    return refresh_due()


@task()
def prepare_defaults_task() -> int:
    return prepare_defaults()


scheduler.register(
    "dashboard.refresh_figures",
    "fuyuan.dashboard.snapshots.refresh_due_task",
    every=datetime.timedelta(minutes=2),
)
scheduler.register(
    "dashboard.prepare_figures", "fuyuan.dashboard.snapshots.prepare_defaults_task", at="07:00"
)
