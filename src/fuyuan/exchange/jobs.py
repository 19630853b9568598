"""Periodic jobs of the exchange app (registered with core.scheduler when the app loads): the
scan of the file-drop inbox, every FUYUAN_EXCHANGE_SCAN_SECONDS (default 60)."""

from __future__ import annotations

import datetime

from django.conf import settings

from fuyuan.core import scheduler

SCAN_JOB = "exchange.scan_inbox"

scheduler.register(
    SCAN_JOB,
    "fuyuan.exchange.tasks.scan_inbox",
    every=datetime.timedelta(seconds=int(getattr(settings, "FUYUAN_EXCHANGE_SCAN_SECONDS", 60))),
)
