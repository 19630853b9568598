"""`fuyuan rotate-keys`: re-encrypt personal data under the current data key, check that an
old key can be retired, or recompute the blind indexes after an index-key change.

    fuyuan rotate-keys [--batch-size N] [--dry-run]
    fuyuan rotate-keys --retire-key ID
    fuyuan rotate-keys --reindex [--batch-size N]

The procedure (add key → deploy → rotate → retire) is in docs/deploy.md, "Key rotation"."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fuyuan.core import crypto, key_rotation


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current key (resumable), or retire an old key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=key_rotation.DEFAULT_BATCH_SIZE,
            help="Values per transaction (default 1000).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )
        parser.add_argument(
            "--retire-key",
            metavar="ID",
            default=None,
            help="Check that no value uses key ID any more, so it can be removed.",
        )
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Recompute every blind index with the current index key (maintenance window).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        self._verbosity = int(options["verbosity"])
        if batch_size < 1:
            raise CommandError(_("The batch size must be at least 1."))
        chosen = [bool(options["retire_key"]), options["reindex"]]
        if sum(chosen) > 1:
            raise CommandError(_("Give either --retire-key or --reindex, not both."))
        current = crypto.get_provider().current_key_id()
        if options["retire_key"]:
            self._retire(options["retire_key"], current)
        elif options["reindex"]:
            self._reindex(batch_size, options["dry_run"])
        elif options["dry_run"]:
            self._dry_run(current)
        else:
            self._rotate(batch_size, current)

    def _dry_run(self, current: str) -> None:
        reports = key_rotation.count_pending()
        total = 0
        for report in reports:
            keys = ", ".join(f"{k}: {n}" for k, n in sorted(report.by_key.items()))
            self.stdout.write(
                _("%(field)s: %(count)d values to re-encrypt")
                % {
                    "field": report.target,
                    "count": report.pending,
                }
                + (f" ({keys})" if keys else "")
            )
            total += report.pending
        self.stdout.write(
            _("Dry run: %(total)d values would be re-encrypted under key %(key)s; nothing written.")
            % {"total": total, "key": current}
        )

    def _rotate(self, batch_size: int, current: str) -> None:
        verbose = self._verbosity > 1

        def progress(batch: key_rotation.BatchReport) -> None:
            if verbose:
                self.stdout.write(
                    _("%(field)s: batch %(number)d (up to id %(pk)s): %(written)d written")
                    % {
                        "field": batch.target,
                        "number": batch.number,
                        "pk": batch.last_pk,
                        "written": batch.written,
                    }
                )

        reports = key_rotation.rotate(batch_size=batch_size, after_batch=progress)
        self._report(reports, current, "core.keys.rotated")

    def _reindex(self, batch_size: int, dry_run: bool) -> None:
        if dry_run:
            raise CommandError(_("--reindex has no dry run: it only writes indexes that differ."))
        reports = key_rotation.reindex(batch_size=batch_size)
        self._report(reports, "", "core.keys.reindexed")

    def _report(self, reports: list[key_rotation.FieldReport], current: str, action: str) -> None:
        written = sum(r.written for r in reports)
        skipped = sum(r.skipped for r in reports)
        unreadable = {r.target: [str(pk) for pk in r.unreadable] for r in reports if r.unreadable}
        for report in reports:
            self.stdout.write(
                _("%(field)s: %(written)d written, %(skipped)d changed meanwhile (left as edited)")
                % {"field": report.target, "written": report.written, "skipped": report.skipped}
            )
        key_rotation.record_summary(
            action,
            {
                "key": current,
                "written": written,
                "skipped_changed_meanwhile": skipped,
                "fields": {r.target: r.written for r in reports},
                "unreadable": unreadable,
            },
        )
        if unreadable:
            where = "; ".join(f"{t}: {', '.join(pks[:20])}" for t, pks in unreadable.items())
            raise CommandError(
                _(
                    "%(count)d values cannot be decrypted with any configured key and were left "
                    "as they are (%(where)s)."
                )
                % {"count": sum(len(p) for p in unreadable.values()), "where": where}
            )
        if current:
            self.stdout.write(
                _("Done: %(written)d values re-encrypted under key %(key)s.")
                % {"written": written, "key": current}
            )
        else:
            self.stdout.write(
                _("Done: %(written)d blind indexes recomputed.") % {"written": written}
            )

    def _retire(self, key_id: str, current: str) -> None:
        if key_id == current:
            raise CommandError(
                _("Key %(key)s is the current key: it encrypts new values and cannot be retired.")
                % {"key": key_id}
            )
        use = key_rotation.key_use(key_id)
        key_rotation.record_summary(
            "core.keys.retire_check",
            {"key": key_id, "still_used": use.total, "fields": use.uses},
        )
        if use.total:
            where = ", ".join(f"{label}: {n}" for label, n in sorted(use.uses.items()))
            raise CommandError(
                _(
                    "Key %(key)s still encrypts %(count)d values (%(where)s): run "
                    "`fuyuan rotate-keys` first."
                )
                % {"key": key_id, "count": use.total, "where": where}
            )
        self.stdout.write(
            _(
                "No value uses key %(key)s any more: remove it from FUYUAN_DATA_KEYS and restart "
                "the application and the worker."
            )
            % {"key": key_id}
        )
