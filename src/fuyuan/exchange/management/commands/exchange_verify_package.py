"""`fuyuan exchange_verify_package <folder>`: check an export package's signature, its files'
SHA-256 and its row count. Exit status 0 when intact, 1 otherwise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuyuan.exchange.packages import verify_package


class Command(BaseCommand):
    help = "Verify an export package (manifest signature, file hashes, row count)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="The package's folder (with manifest.json).")

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_package(options["folder"])
        if result.ok:
            manifest = result.manifest
            self.stdout.write(
                f"OK {manifest.get('dataset')} rows={manifest.get('row_count')} "
                f"recipient={(manifest.get('recipient') or {}).get('name', '')}"
            )
            return
        for code, message in result.problems:
            self.stderr.write(f"{code}: {message}")
        raise CommandError(f"{result.folder}: the package does not verify", returncode=1)
