"""The translation catalogs read as gettext reads them: .po entries and a compiled .mo."""

from __future__ import annotations

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    flags: set[str] = field(default_factory=set)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file; obsolete ones (#~) are left out, as msgfmt leaves them."""
    entries: list[Entry] = []
    flags: set[str] = set()
    target = "msgid"  # the field that continuation lines ("…") belong to
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgctxt", "msgid_plural", "msgstr[")):
            raise NotImplementedError(f"{path}: teach read_po about {line.split()[0]}")
        if line.startswith("#,"):
            flags = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith(("msgid ", "msgstr ")):
            target, _, text = line.partition(" ")
            if target == "msgid":
                entries.append(Entry(flags=flags))
                flags = set()
            setattr(entries[-1], target, ast.literal_eval(text))
        elif line.startswith('"'):
            entry = entries[-1]
            setattr(entry, target, getattr(entry, target) + ast.literal_eval(line))
    return entries


def read_mo(path: Path) -> dict[str, str]:
    """A compiled catalog as {msgid: msgstr}, read by the layout GNU gettext documents."""
    data = path.read_bytes()
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    _magic, _revision, count, ids_at, strs_at = struct.unpack(order + "5I", data[:20])

    def text(table: int, index: int) -> str:
        length, offset = struct.unpack_from(order + "2I", data, table + 8 * index)
        return data[offset : offset + length].decode()

    return {text(ids_at, index): text(strs_at, index) for index in range(count)}
