"""`fuyuan search_reindex [--kind K]`: rebuild the search index from the registered kinds.

The index is derived data (like a computed figure): the rebuild is not audited; each kind is
replaced in one transaction, written in batches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuyuan.core import search


class Command(BaseCommand):
    help = "Rebuild the search index of every registered kind (or of one with --kind)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", default=None, help="One kind, e.g. matters.matter.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["kind"]
        kinds = search.kinds()
        if wanted is not None:
            kinds = [k for k in kinds if k.name == wanted]
            if not kinds:
                names = ", ".join(k.name for k in search.kinds())
                raise CommandError(f"Unknown kind {wanted!r}; registered: {names}")
        for kind in kinds:
            count = search.rebuild(kind, batch_size=options["batch_size"])
            if options["verbosity"] > 0:
                self.stdout.write(f"{kind.name}: {count} indexed")
