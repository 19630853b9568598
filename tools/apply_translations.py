"""Apply translations from JSON files (msgid → translation, or → [forms] for plurals) to the
zh_Hans catalogue: untranslated and fuzzy entries only, unless --force. Used after
`make messages` when a batch of new strings has been translated."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

CATALOGUE = (
    Path(__file__).resolve().parent.parent / "src/fuyuan/locale/zh_Hans/LC_MESSAGES/django.po"
)


def main(paths: list[str]) -> int:
    force = "--force" in paths
    table: dict[str, object] = {}
    for path in (p for p in paths if p != "--force"):
        table.update(json.loads(Path(path).read_text(encoding="utf-8")))
    po = polib.pofile(str(CATALOGUE))
    applied = 0
    for entry in po:
        if entry.msgid not in table or (entry.translated() and not entry.fuzzy and not force):
            continue
        value = table[entry.msgid]
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            entry.msgstr_plural = dict(enumerate(forms[:1]))
        else:
            entry.msgstr = value[0] if isinstance(value, list) else str(value)
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = None
        applied += 1
    po.save()
    print(f"{applied} entries translated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
