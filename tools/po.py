"""Compile the gettext catalogue and check that it is complete (no untranslated or fuzzy
entries). Pure Python (polib), so no GNU gettext is needed to build or check."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "fuyuan" / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def _entries(catalogue: polib._BaseFile) -> dict[tuple[str, str], object]:
    return {
        (e.msgctxt or "", e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in catalogue
        if not e.obsolete and (e.msgstr or any(e.msgstr_plural.values()))
    }


def check() -> int:
    problems = 0
    for path in catalogues():
        po = polib.pofile(str(path))
        for entry in po:
            if entry.obsolete:
                continue
            if entry.fuzzy or not entry.translated():
                problems += 1
                print(f"{path.relative_to(LOCALE)}: untranslated: {entry.msgid!r}")
        mo = path.with_suffix(".mo")
        if not mo.exists() or _entries(polib.mofile(str(mo))) != _entries(po):
            problems += 1
            print(f"{mo.relative_to(LOCALE)} is missing or differs from its .po: make messages")
    if not catalogues():
        print("no catalogue found")
        return 1
    return 1 if problems else 0


def compile_all() -> int:
    for path in catalogues():
        polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
        print(f"compiled {path.relative_to(LOCALE)}")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    sys.exit({"check": check, "compile": compile_all}[command]())
