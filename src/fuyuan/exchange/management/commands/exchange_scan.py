"""`fuyuan exchange_scan`: scan the file-drop inbox once and say what was done with each file
(the worker does the same every FUYUAN_EXCHANGE_SCAN_SECONDS)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fuyuan.exchange.drop import inbox_root, scan


class Command(BaseCommand):
    help = "Import every complete file in the exchange inbox once; write receipts."

    def handle(self, *args: Any, **options: Any) -> None:
        report = scan()
        for outcome in report.outcomes:
            self.stdout.write(outcome.line())
        counts = report.counts()
        summary = ", ".join(f"{state} {n}" for state, n in sorted(counts.items())) or "nothing"
        self.stdout.write(f"{inbox_root()}: {summary}")
