"""Generated documents as a user downloads them: a meeting's minutes (纪要) as a GB/T 9704
.docx (target ≤ 100 ms) and the annual report to the joint meeting with its tables and
charts (target ≤ 3 s), each through its page's URL as the generated city office member, in
a warm process (the first, untimed request pays for imports and fonts). Baseline: python-docx
writing a blank document — the floor of any .docx."""

from __future__ import annotations

import io
import time
from typing import Any

from benchmarks.common import Context, Result, median, percentile


def _blank_docx() -> None:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)


def _timed(fn: Any, reps: int) -> list[float]:
    fn()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def _get(client: Any, url: str) -> Any:
    def fetch() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code} for {url}")
        b"".join(response.streaming_content) if response.streaming else response.content

    return fetch


def run(ctx: Context) -> list[Result]:
    import os

    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from fuyuan.accounts.models import User
    from fuyuan.dashboard import annual_report
    from fuyuan.meetings import queries

    user = User.objects.get(username=os.environ.get("BENCH_USER", "bench_office"))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    blank = median(_timed(_blank_docx, 10))
    results = []

    minutes = (
        queries.visible_minutes(user)
        .annotate(n=Count("decisions"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if minutes is None:
        results.append(
            Result("document: minutes .docx", None, "ms", status="error", detail="no minutes")
        )
    else:
        url = reverse("meetings:minutes_docx", args=[minutes])
        times = _timed(_get(client, url), ctx.reps(20, 5))
        p95 = percentile(times, 95) * 1000
        results.append(
            Result(
                "document: minutes .docx",
                p95,
                "ms p95",
                baseline="python-docx blank document",
                baseline_value=blank * 1000,
                ratio=p95 / (blank * 1000),
                target="≤ 100 ms",
                met=p95 <= 100,
                extra={"url": url, "median_ms": median(times) * 1000},
            )
        )

    mechanism = annual_report.report_mechanisms(user).order_by("jurisdiction__path").first()
    year = timezone.localdate().year - 1
    if mechanism is None:
        results.append(
            Result("document: annual report", None, "s", status="error", detail="no mechanism")
        )
    else:
        url = f"{reverse('dashboard:annual_report_docx')}?mechanism={mechanism.pk}&year={year}"
        times = _timed(_get(client, url), ctx.reps(3, 1))
        worst = max(times)
        results.append(
            Result(
                "document: annual report",
                worst,
                "s max",
                baseline="python-docx blank document",
                baseline_value=blank,
                ratio=worst / blank,
                target="≤ 3 s",
                met=worst <= 3,
                extra={"url": url, "median_s": median(times)},
            )
        )
    return results
