"""`fuyuan backup [--output PATH]`: one archive with the database dump, every uploaded file and
a manifest (ops/backup.py). The keys of the personal data are not in it: keep them apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuyuan.audit.models import Outcome
from fuyuan.ops import actions, backup


class Command(BaseCommand):
    help = (
        "Write one backup archive (database dump, uploaded files, manifest with hashes and row "
        "counts). Default: VAR_DIR/backups/fuyuan-backup-<time>.tar.gz, mode 0600."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Archive to write (.tar.gz, .tgz or .tar); it must not exist yet.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        try:
            result = backup.create_backup(output)
        except backup.BackupError as exc:
            actions.record_backup(
                str(output or ""), outcome=Outcome.FAILED, detail={"error": str(exc)}
            )
            raise CommandError(f"backup failed: {exc}") from exc
        manifest = result.manifest
        rows = sum(entry["rows"] for entry in manifest["counts"].values())
        media = sum(1 for name in manifest["files"] if name.startswith(backup.MEDIA_PREFIX))
        actions.record_backup(
            str(result.path),
            detail={
                "archive": str(result.path),
                "size": result.size,
                "sha256": result.sha256,
                "database": manifest["database"]["vendor"],
                "tables": len(manifest["counts"]),
                "rows": rows,
                "media_files": media,
                "migrations": len(manifest["migrations"]),
            },
        )
        self.stdout.write(f"backup written: {result.path}")
        self.stdout.write(
            f"  {manifest['database']['vendor']} dump, {len(manifest['counts'])} tables, "
            f"{rows} rows, {media} uploaded files, {result.size} bytes"
        )
        self.stdout.write(f"  SHA-256 of the archive: {result.sha256}")
        self.stdout.write(
            "  The archive holds no keys: keep FUYUAN_DATA_KEYS and FUYUAN_INDEX_KEY "
            "(var/keys.env) separately, or the personal data in it cannot be read."
        )
