"""Compile the interface's message catalogues (.po -> .mo) with Babel alone.

Kept free of Flask and of the rest of the package: the build hook (hatch_build.py) loads
this file by path inside an isolated build environment where only Babel is installed.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def compile_catalogues(locale_dir: Path = LOCALE_DIR, *, only_stale: bool = False) -> list[Path]:
    """Write messages.mo beside every <lang>/LC_MESSAGES/messages.po; return the files written.

    With only_stale, a .mo newer than its .po is left alone (tests and dev servers).
    Fuzzy entries are left out, as `pybabel compile` does: a guess is worse than English.
    """
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if only_stale and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(path)
