"""GnuCOBOL's own layout of a copybook: generate a probe program, run it, parse what it prints.

The probe COPYs the copybook into WORKING-STORAGE and, for every named item, prints the
distance from its 01 record's address to the item's address (``SET ptr TO ADDRESS OF``,
pointers read back through a ``COMP-5`` REDEFINES, which is the pointer arithmetic that works
in GnuCOBOL 3.1.2) and ``FUNCTION BYTE-LENGTH``. Offsets relative to the 01 are compile-time
offsets, so they do not depend on where GnuCOBOL places the 01 (it aligns 01 items in
WORKING-STORAGE on 16 bytes anyway). Every ODO object is set first: to its table's maximum by
default, because our layout reports offsets with every table full, or to given counts.

Items are referenced fully qualified (``ITEM OF GROUP OF RECORD``) with subscript 1 for every
enclosing OCCURS, so repeated names and tables need no special care. FILLER cannot be
referenced and is left out. The probe is written in fixed format: every line stays within
columns 12-72 and the item's path is printed as one literal per name.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from tests.integration.cobol import IBM_FLAGS, CobolProgram, build_dir

__all__ = [
    "PROBE_FLAGS",
    "OdoSetting",
    "ProbeItem",
    "gnucobol_layout",
    "layout_table",
    "parse_probe_output",
    "probe_plan",
    "probe_source",
]

PROBE_FLAGS: tuple[str, ...] = IBM_FLAGS + ("-fodoslide", "-Wno-unfinished")
"""``-std=ibm`` storage rules; ``-fodoslide`` places items after an ODO table as IBM does.

Without ``-fodoslide`` GnuCOBOL 3.1.2 keeps variably located items at their maximum offsets
whatever the counts and gives the 01 a BYTE-LENGTH that is neither the IBM maximum nor the
actual length (94 for ``HC-ODO-REC`` of hard_cases.cpy, whose IBM lengths are 98 full and 61
with counts 2 and 2). With it, offsets and lengths follow the actual counts as on z/OS.
``-Wno-unfinished`` only silences the notice that USAGE NATIONAL is unfinished."""

_MARGIN_A, _MARGIN_B, _LAST_COLUMN = 8, 12, 72
_PREFIX = "LAYPRB-"


@dataclass(frozen=True)
class ProbeItem:
    """An item to measure: its path from the 01 down, and how many OCCURS enclose it (its own included)."""

    path: tuple[str, ...]
    subscripts: int = 0
    qualifiers: tuple[str, ...] | None = None  # names to reference it by when not its path (66 levels)


@dataclass(frozen=True)
class OdoSetting:
    """An ODO object to set before measuring: its path, the value, and the sizes of the tables around it."""

    path: tuple[str, ...]
    value: int
    enclosing: tuple[int, ...] = ()


def probe_plan(
    layout, counts: Mapping[tuple[str, ...], int] | None = None
) -> tuple[list[ProbeItem], list[OdoSetting]]:
    """The items to measure and the ODO objects to set, from a `bridge.layout.model.Layout`.

    Each ODO object is set to ``counts[path]`` when given, else to its table's maximum.
    Every named item of every 01 record (the 01 itself, groups, elementary items, REDEFINES
    and 66 RENAMES); FILLER and items under a FILLER group are left out (COBOL cannot name them).
    """
    items: list[ProbeItem] = []
    odo_max: dict[tuple[str, ...], int] = {}
    by_path = {}
    for record in layout.records:
        for field in record.fields:
            by_path[field.path] = field
            if field.is_filler or any(p == "FILLER" for p in field.path):
                continue
            path = tuple(field.path)
            # A 66 RENAMES belongs to its 01 whatever path the layout files it under.
            qualifiers = (path[0], path[-1]) if field.level == 66 else None
            items.append(ProbeItem(path, len(field.dims), qualifiers))
            occurs = field.occurs
            if occurs is not None and occurs.depending_path:
                key = tuple(occurs.depending_path)
                odo_max[key] = max(odo_max.get(key, 0), occurs.max)
    settings = []
    for path, value in odo_max.items():
        obj = by_path.get(path)
        enclosing = tuple(d.max for d in obj.dims) if obj is not None else ()
        settings.append(OdoSetting(path, (counts or {}).get(path, value), enclosing))
    return items, settings


def probe_source(
    copybook: str,
    items: Sequence[ProbeItem],
    odo_settings: Sequence[OdoSetting] = (),
    *,
    program_id: str = "LAYPROBE",
) -> str:
    """A fixed-format COBOL program that COPYs ``copybook`` (a member name found on the -I path) and prints its layout.

    One output line per item: ``DOTTED.PATH +OOOOOOOOO LLLLLLLLL`` (offset from the 01, byte length).
    """
    depth = max([len(s.enclosing) for s in odo_settings] + [1])
    lines = [
        _area_a("IDENTIFICATION DIVISION."),
        _area_a(f"PROGRAM-ID. {program_id}."),
        _area_a("DATA DIVISION."),
        _area_a("WORKING-STORAGE SECTION."),
        _area_a(f"01  {_PREFIX}BASE-P  USAGE POINTER."),
        _area_a(f"01  {_PREFIX}BASE-N  REDEFINES {_PREFIX}BASE-P PIC S9(18) COMP-5."),
        _area_a(f"01  {_PREFIX}ITEM-P  USAGE POINTER."),
        _area_a(f"01  {_PREFIX}ITEM-N  REDEFINES {_PREFIX}ITEM-P PIC S9(18) COMP-5."),
        _area_a(f"01  {_PREFIX}OFF     PIC S9(9) SIGN LEADING SEPARATE."),
        _area_a(f"01  {_PREFIX}LEN     PIC 9(9)."),
    ]
    lines += [_area_a(f"01  {_PREFIX}I{n}  PIC 9(4) COMP-5.") for n in range(1, depth + 1)]
    lines += _wrap(["COPY", f'"{copybook}".'])
    lines.append(_area_a("PROCEDURE DIVISION."))
    for setting in odo_settings:
        lines += _odo_statements(setting)
    for item in items:
        ref = _reference(item.qualifiers or item.path, ["1"] * item.subscripts)
        lines += _wrap(["SET", f"{_PREFIX}BASE-P", "TO", "ADDRESS", "OF", item.path[0]])
        lines += _wrap(["SET", f"{_PREFIX}ITEM-P", "TO", "ADDRESS", "OF", *ref])
        lines += _wrap(["COMPUTE", f"{_PREFIX}OFF", "=", f"{_PREFIX}ITEM-N", "-", f"{_PREFIX}BASE-N"])
        lines += _wrap(["MOVE", "FUNCTION", "BYTE-LENGTH", "(", *ref, ")", "TO", f"{_PREFIX}LEN"])
        names = [f'"{name}."' for name in item.path[:-1]] + [f'"{item.path[-1]} "']
        lines += _wrap(["DISPLAY", *names, f"{_PREFIX}OFF", '" "', f"{_PREFIX}LEN"])
    lines += _wrap(["STOP", "RUN."])
    return "\n".join(lines) + "\n"


_LINE = re.compile(r"^(?P<path>\S+) (?P<offset>[+-]\d+) (?P<length>\d+)\s*$")


def parse_probe_output(stdout: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """``{path: (offset, length)}`` from a probe's output; lines that are not measurements are ignored."""
    layout: dict[tuple[str, ...], tuple[int, int]] = {}
    for line in stdout.splitlines():
        match = _LINE.match(line)
        if match:
            path = tuple(match["path"].split("."))
            layout[path] = (int(match["offset"]), int(match["length"]))
    return layout


def gnucobol_layout(
    copybook: str | Path,
    items: Sequence[ProbeItem],
    odo_settings: Sequence[OdoSetting] = (),
    *,
    include_dirs: Iterable[str | Path] = (),
    flags: Sequence[str] = PROBE_FLAGS,
) -> dict[tuple[str, ...], tuple[int, int]]:
    """Compile and run a probe for ``copybook`` and return GnuCOBOL's ``{path: (offset, length)}``."""
    copybook = Path(copybook).resolve()
    source = probe_source(copybook.name, items, odo_settings)
    work = build_dir() / "probes"
    work.mkdir(parents=True, exist_ok=True)
    # cobc limits a program's base name to 31 characters: keep the stem short
    stem = re.sub(r"[^A-Za-z0-9]", "_", copybook.stem)[:12]
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    probe = work / f"probe_{stem}_{digest}.cbl"
    probe.write_text(source)
    program = CobolProgram.compile(probe, [copybook.parent, *include_dirs], flags)
    result = parse_probe_output(program.run().stdout)
    missing = [item.path for item in items if item.path not in result]
    if missing:
        raise AssertionError(f"the probe printed no measurement for {missing[:5]}")
    return result


def layout_table(measured: Mapping[tuple[str, ...], tuple[int, int]]) -> str:
    """The measurements as aligned text, for failure messages."""
    width = max((len(".".join(p)) for p in measured), default=10)
    return "\n".join(f"{'.'.join(p):<{width}} {o:6d} {n:6d}" for p, (o, n) in measured.items())


def _reference(path: tuple[str, ...], subscripts: list[str]) -> list[str]:
    tokens = [path[-1]]
    for name in reversed(path[:-1]):
        tokens += ["OF", name]
    if subscripts:
        tokens.append("(" + " ".join(subscripts) + ")")
    return tokens


def _odo_statements(setting: OdoSetting) -> list[str]:
    loops = [f"{_PREFIX}I{n}" for n in range(1, len(setting.enclosing) + 1)]
    lines: list[str] = []
    for var, size in zip(loops, setting.enclosing):
        lines += _wrap(["PERFORM", "VARYING", var, "FROM", "1", "BY", "1", "UNTIL", var, ">", str(size)])
    lines += _wrap(["MOVE", str(setting.value), "TO", *_reference(setting.path, loops)])
    lines += _wrap(["END-PERFORM"]) * len(loops)
    return lines


def _area_a(text: str) -> str:
    return " " * (_MARGIN_A - 1) + text


def _wrap(tokens: Sequence[str]) -> list[str]:
    """Tokens laid out on as many lines as needed, each within columns 12-72 (no token is split)."""
    lines: list[str] = []
    current = ""
    limit = _LAST_COLUMN - _MARGIN_B + 1
    for token in tokens:
        if len(token) > limit:
            raise ValueError(f"COBOL token longer than a line: {token!r}")
        candidate = f"{current} {token}" if current else token
        if len(candidate) > limit:
            lines.append(" " * (_MARGIN_B - 1) + current)
            candidate = token
        current = candidate
    if current:
        lines.append(" " * (_MARGIN_B - 1) + current)
    return lines
