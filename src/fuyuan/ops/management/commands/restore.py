"""`fuyuan restore ARCHIVE [--force]`: restore a `fuyuan backup` archive into this instance.

Order: read the manifest; refuse another database vendor, a newer schema, or (without --force)
a database that already holds data; verify every file's SHA-256 while extracting into a
private folder (a damaged archive is refused, naming the file, before anything is touched);
restore the database (PostgreSQL: pg_restore in one transaction; SQLite: the backup API); put
the uploaded files in place; then compare every table's rows and every file's hash with the
manifest. Any mismatch exits non-zero."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from fuyuan.audit.models import Outcome
from fuyuan.ops import actions, backup


class Command(BaseCommand):
    help = "Restore a backup archive into this (empty) instance and verify the result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data this instance already holds (listed before it is replaced).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        try:
            manifest = backup.read_manifest(archive)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise CommandError(
                f"{archive.name} holds a {vendor} database; this instance runs on "
                f"{connection.vendor}. Restore it into a {vendor} instance."
            )
        unknown = sorted(set(manifest["migrations"]) - backup.code_migrations())
        if unknown:
            raise CommandError(
                f"{archive.name} was made by a newer version (app {manifest.get('app_version')}): "
                f"{len(unknown)} migrations unknown here, first {unknown[0]}. Install that "
                "version first."
            )
        if connection.vendor == "sqlite":  # a new machine: the database file's folder may not exist
            name = str(connection.settings_dict["NAME"])
            if name and not name.startswith((":memory:", "file:")):
                Path(name).parent.mkdir(parents=True, exist_ok=True)
        replaced = backup.current_data()
        media_root = Path(settings.MEDIA_ROOT)
        existing_media = sum(1 for _ in backup.media_files(media_root))
        if replaced and not options["force"]:
            raise CommandError(
                "this instance already holds data "
                f"({self._describe(replaced)}); restore only into an empty instance, or "
                "give --force to replace it"
            )
        if replaced or existing_media:
            self.stdout.write(
                f"--force: replacing {self._describe(replaced) or 'no database rows'}; "
                f"{existing_media} files already under {media_root} are kept "
                "(files of the same name are overwritten)"
            )
        self.stdout.write(
            f"archive {archive.name}: made {manifest.get('created_at')} by version "
            f"{manifest.get('app_version')}, {len(manifest['files'])} files"
        )
        with backup.staging_folder() as staging:
            try:
                backup.extract_verified(archive, manifest, staging)
            except backup.BackupError as exc:
                raise CommandError(f"refused, nothing was changed: {exc}") from exc
            self.stdout.write(f"  all {len(manifest['files'])} files match their SHA-256")
            try:
                backup.restore_database(staging, manifest)
            except backup.BackupError as exc:
                raise CommandError(f"the database could not be restored: {exc}") from exc
            self.stdout.write("  database restored")
            restored_files = backup.restore_media(staging)
            self.stdout.write(f"  {restored_files} uploaded files restored under {media_root}")
        check = backup.verify_restored(manifest)
        detail = {
            "archive": str(archive),
            "archive_sha256": backup.sha256_file(archive),
            "created_at": manifest.get("created_at"),
            "app_version": manifest.get("app_version"),
            "forced": bool(options["force"]),
            "replaced_rows": sum(replaced.values()),
            "tables_checked": check.counts_checked,
            "files_checked": check.files_checked,
            "count_mismatches": [list(item) for item in check.count_mismatches[:50]],
            "file_mismatches": check.file_mismatches[:50],
        }
        actions.record_restore(
            str(archive), outcome=Outcome.SUCCESS if check.ok else Outcome.FAILED, detail=detail
        )
        for label, expected, found in check.count_mismatches:
            self.stderr.write(f"  MISMATCH {label}: {expected} rows in the archive, {found} now")
        for name in check.file_mismatches:
            self.stderr.write(f"  MISMATCH {name}: missing or different after the restore")
        if not check.ok:
            raise CommandError(
                f"restore verification failed: {len(check.count_mismatches)} tables and "
                f"{len(check.file_mismatches)} files differ from the manifest"
            )
        self.stdout.write(
            f"verified: {check.counts_checked} tables' row counts and {check.files_checked} "
            "files' SHA-256 match the manifest"
        )
        pending = sorted(backup.code_migrations() - set(manifest["migrations"]))
        if pending:
            self.stdout.write(
                f"this version has {len(pending)} migrations the archive lacks: run "
                "`fuyuan migrate` now"
            )
        self.stdout.write(
            "the personal data needs the keys of the instance that made the backup: set "
            "FUYUAN_DATA_KEYS and FUYUAN_INDEX_KEY from the separately kept key file"
        )

    @staticmethod
    def _describe(counts: dict[str, int]) -> str:
        if not counts:
            return ""
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:8]
        listed = ", ".join(f"{label} {rows}" for label, rows in top)
        more = f", and {len(counts) - len(top)} more tables" if len(counts) > len(top) else ""
        return f"{sum(counts.values())} rows in {len(counts)} tables: {listed}{more}"
