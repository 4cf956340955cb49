#!/usr/bin/env python3
"""Fail when a translation catalogue has an empty or fuzzy entry.

    python locale/check_complete.py [path/to/django.po ...]

Defaults to locale/id/LC_MESSAGES/django.po. Prints each offending msgid and exits 1;
exits 0 when every entry is translated and none is fuzzy. Standard library only
(no polib, no gettext tools). Obsolete entries (#~) and the header are ignored.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent / "id" / "LC_MESSAGES" / "django.po"


def entries(text: str):
    """Yield (flags, fields) per entry; fields maps msgid / msgid_plural / msgstr / msgstr[n] to text."""
    flags: set[str] = set()
    fields: dict[str, str] = {}
    key = None

    def flush():
        if "msgid" in fields:
            yield flags, fields

    for raw in text.splitlines() + [""]:
        line = raw.strip()
        starts_entry = (not line) or (line.startswith("#") and key is not None) or (
            line.startswith("msgid ") and "msgstr" in "".join(fields))
        if starts_entry and fields:
            yield from flush()
            flags, fields, key = set(), {}, None
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key is not None:
                fields[key] += ast.literal_eval(line)
        else:
            key, _, rest = line.partition(" ")
            fields[key] = ast.literal_eval(rest.strip())


def problems(path: Path) -> list[str]:
    found = []
    for flags, fields in entries(path.read_text(encoding="utf-8")):
        msgid = fields["msgid"]
        if msgid == "":  # header
            continue
        translations = [v for k, v in fields.items() if k.startswith("msgstr")]
        if "fuzzy" in flags:
            found.append(f"fuzzy:        {msgid!r}")
        elif not translations or not all(translations):
            found.append(f"untranslated: {msgid!r}")
    return found


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [DEFAULT]
    status = 0
    for path in paths:
        found = problems(path)
        if found:
            status = 1
            print(f"{path}: {len(found)} incomplete entr{'y' if len(found) == 1 else 'ies'}")
            for line in found:
                print("  " + line)
        else:
            print(f"{path}: complete")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
