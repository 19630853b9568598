"""`fuyuan audit seal` chains unsealed entries; `fuyuan audit verify [--archives]` checks the
chain (from the latest archive checkpoint; with --archives every archive file too);
`fuyuan audit archive [--dry-run]` moves sealed entries older than the retention to a
verified archive file (audit.archive)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.audit import archive, chain

# The problems chain.verify and archive.verify_archives name, in the user's language.
PROBLEMS = {
    "removed": gettext_lazy("removed"),
    "inserted or reordered": gettext_lazy("inserted or reordered"),
    "changed": gettext_lazy("changed"),
    "removed, inserted or reordered": gettext_lazy("removed, inserted or reordered"),
    "does not continue the previous archive": gettext_lazy(
        "does not continue the previous archive"
    ),
    "file missing": gettext_lazy("file missing"),
    "SM3 differs from the checkpoint": gettext_lazy("SM3 differs from the checkpoint"),
    "entries differ from the checkpoint": gettext_lazy("entries differ from the checkpoint"),
}


def _problem(text: str) -> str:
    head, sep, rest = text.partition(": ")
    if head == "unreadable" and sep:
        return _("unreadable: %(reason)s") % {"reason": rest}
    return str(PROBLEMS.get(text, text))


class Command(BaseCommand):
    help = "Seal, verify or archive the audit trail's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["seal", "verify", "archive"])
        parser.add_argument(
            "--archives",
            action="store_true",
            help="verify: also check every archive file against its checkpoint.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="archive: say what would be archived; write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        if operation == "seal":
            self.stdout.write(_("sealed %(count)d entries") % {"count": chain.seal()})
        elif operation == "archive":
            self._archive(options["dry_run"])
        else:
            self._verify(options["archives"])

    def _verify(self, archives: bool) -> None:
        result = chain.verify()
        if not result.ok:
            raise CommandError(
                _(
                    "audit chain broken at entry #%(seq)s: %(problem)s (%(checked)d entries "
                    "verified before it)"
                )
                % {
                    "seq": result.first_bad_seq,
                    "problem": _problem(result.problem),
                    "checked": result.checked,
                }
            )
        checkpoint = chain.latest_checkpoint()
        if checkpoint is not None:
            self.stdout.write(
                _("live chain continues archive checkpoint #%(seq)s") % {"seq": checkpoint.last_seq}
            )
        self.stdout.write(_("audit chain intact: %(count)d entries") % {"count": result.checked})
        if not archives:
            return
        report = archive.verify_archives()
        for name in report.orphans:
            self.stderr.write(
                _(
                    "%(file)s is named by no checkpoint (a run interrupted before its commit); "
                    "its entries are still online."
                )
                % {"file": name}
            )
        if not report.ok:
            lines = [
                _("archive %(file)s: %(problem)s")
                % {"file": p.file_name, "problem": _problem(p.problem)}
                + (_(" at entry #%(seq)s") % {"seq": p.seq} if p.seq is not None else "")
                for p in report.problems
            ]
            raise CommandError("\n".join(lines))
        self.stdout.write(
            _("archives intact: %(files)d files, %(count)d entries")
            % {"files": report.checked, "count": report.entries}
        )

    def _archive(self, dry_run: bool) -> None:
        try:
            if dry_run:
                info = archive.pending()
                self.stdout.write(
                    _(
                        "Dry run: %(count)d entries older than %(cutoff)s would be archived "
                        "(entries #%(first)s to #%(last)s); nothing written."
                    )
                    % {
                        "count": info["count"],
                        "cutoff": info["cutoff"].date().isoformat(),
                        "first": info["first"] or "—",
                        "last": info["last"] or "—",
                    }
                )
                return
            result = archive.archive()
        except archive.ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        if result is None:
            self.stdout.write(
                _("Nothing to archive: no sealed entry is older than %(days)d days.")
                % {"days": archive.retention_days()}
            )
            return
        cp = result.checkpoint
        self.stdout.write(
            _(
                "Archived %(count)d entries (#%(first)s to #%(last)s) to %(file)s (SM3 %(sm3)s); "
                "checkpoint stored, rows removed."
            )
            % {
                "count": cp.count,
                "first": cp.first_seq,
                "last": cp.last_seq,
                "file": result.path,
                "sm3": cp.file_sm3,
            }
        )
