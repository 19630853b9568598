"""`fuyuan audit seal` chains unsealed entries; `fuyuan audit verify` checks the chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuyuan.audit import chain


class Command(BaseCommand):
    help = "Seal or verify the audit trail's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["seal", "verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "seal":
            self.stdout.write(f"sealed {chain.seal()} entries")
            return
        result = chain.verify()
        if not result.ok:
            raise CommandError(
                f"audit chain broken at entry #{result.first_bad_seq}: {result.problem} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(f"audit chain intact: {result.checked} entries")
