"""The Cobrix conformance corpus as test cases: options mapped to ours, expected rows normalised.

`load_cases` reads ``cases.json`` of the staged corpus (see its MANIFEST.md). For every
variant this module answers three questions:

* is it within the bridge's scope (`left_out_reason` says why not: generated hierarchies,
  debug columns, FILLER naming, options the bridge does not have);
* which bridge reader options reproduce the Cobrix options (`reader_options`): Cobrix's RDW
  does not count itself by default and is little-endian, its default trimming is ``both``,
  its default ODO placement is ``max_size``;
* how to compare (`decoded_rows` / `expected_rows`): both sides become plain JSON values
  with Cobrix's spelling (``-`` → ``_``, the 01 kept only under ``keep_original``), nulls
  omitted as Spark omits them, generated columns dropped, numbers as `Decimal`, and strings
  normalised for Cobrix's documented code-page and trimming quirks (`CobrixText`).

The decision behind the string normalisation: the bridge decodes with the real IBM tables
(Python's codecs and the ``ebcdic`` package); Cobrix's tables differ only in control bytes
(0x00-0x3F, 0xFF), in its private ``common`` page (only the EBCDIC invariant characters
mapped) and in cp273's 0xBC. So the bridge's output is translated byte-class by byte-class
into what Cobrix's table gives for the same byte, and nothing else is changed.
"""
from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from bridge.codec.codepage import codepage as bridge_codepage
from bridge.copybook import compile_copybook
from bridge.layout.model import Layout
from bridge.records.api import open_reader
from bridge.records.nested import JsonlWriter
from tests.conftest import COBRIX

__all__ = [
    "CobrixCase",
    "CobrixText",
    "decoded_rows",
    "expected_rows",
    "left_out_reason",
    "load_cases",
    "load_layout",
    "reader_options",
]

GENERATED = re.compile(r"^(File_Id|Record_Id|Record_Byte_Length|Record_Bytes|Seg_Id\d+)$")
"""Columns Cobrix generates (record ids, segment ids): not data, dropped from the expected rows."""


@dataclass(frozen=True)
class CobrixCase:
    """One variant of ``cases.json``."""

    id: str
    folder: Path
    copybooks: tuple[Path, ...]
    data: tuple[Path, ...]
    options: dict[str, str]
    expected: Path
    expected_format: str
    order_by: tuple[str, ...] | None
    take: int
    features: str = ""

    def option(self, name: str, default: str | None = None) -> str | None:
        return self.options.get(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.options.get(name)
        return default if value is None else value.strip().lower() == "true"

    @property
    def keep_original(self) -> bool:
        return self.option("schema_retention_policy", "collapse_root") == "keep_original"


def load_cases(root: Path = COBRIX) -> list[CobrixCase]:
    """Every variant of the staged corpus, in ``cases.json`` order."""
    spec = json.loads((root / "cases.json").read_text(encoding="utf-8"))
    cases = []
    for v in spec["variants"]:
        folder = root / v["case"]
        cases.append(CobrixCase(
            id=v["id"], folder=folder,
            copybooks=tuple(folder / name.strip() for name in v["copybook"].split(",")),
            data=tuple(folder / d for d in v["data"]),
            options=dict(v["options"]),
            expected=folder / v["expected"],
            expected_format=v["expected_format"],
            order_by=tuple(v["order_by"]) if v["order_by"] else None,
            take=int(v["take"]),
            features=v.get("features", ""),
        ))
    return cases


# -- scope ------------------------------------------------------------------------------------

def left_out_reason(case: CobrixCase) -> str | None:
    """Why a variant is out of the bridge's scope, or None when it is compared."""
    o = case.options
    if any(k.replace("_", "-").startswith("segment-children") for k in o):
        return ("hierarchical segment-children reconstruction (child records nested into their parent "
                "row) is a Cobrix feature the bridge does not have; it decodes one row per record")
    if case.flag("debug"):
        return "debug columns (<FIELD>_debug hex of the raw bytes) are Cobrix-only output"
    if o.get("drop_group_fillers") == "false" or o.get("drop_value_fillers") == "false":
        return ("FILLER naming (FILLER_1, FILLER_P1, FILLER_AFTER_<name>): the bridge always leaves "
                "FILLER out of decoded records")
    if "record_start_offset" in o or "record_end_offset" in o:
        return "record_start_offset/record_end_offset (bytes cut from every record) has no bridge option"
    if "occurs_mappings" in o:
        return ("occurs_mappings (an ODO counter that is a PIC X code mapped to a count) has no bridge "
                "option; ODO counters are numeric")
    if "ebcdic_code_page_class" in o:
        return "a custom code page class is a Cobrix test-only Java table (a-z/A-Z swapped)"
    return None


# -- options ----------------------------------------------------------------------------------

_ODO = {"true": "shift", "shift_record": "shift", "false": "max", "max_size": "max"}


def reader_options(case: CobrixCase, layout: Layout | None = None) -> dict[str, Any]:
    """The bridge reader options equivalent to the variant's Cobrix options."""
    o = case.options
    layout = layout or load_layout(case)
    kw: dict[str, Any] = {}
    if o.get("record_format", "F").upper() in ("V", "VB"):
        kw["recfm"] = "V"
        kw["rdw_endian"] = "big" if case.flag("is_rdw_big_endian") else "little"
        if case.flag("is_rdw_part_of_record_length"):
            kw["rdw_adjust"] = 0
        else:
            # Cobrix: payload = RDW value + rdw_adjustment; bridge: payload = RDW - 4 + rdw_adjust
            kw["rdw_adjust"] = 4 + int(o.get("rdw_adjustment", "0"))
    if "record_length_field" in o:
        # an F file whose records carry their length in a field (here: the RDW, declared in the copybook)
        kw["record_length_field"] = copybook_name(layout, o["record_length_field"])
        kw["record_length_adjust"] = int(o.get("rdw_adjustment", "0"))
    if "file_start_offset" in o:
        kw["skip_header_bytes"] = int(o["file_start_offset"])
    if "file_end_offset" in o:
        kw["skip_trailer_bytes"] = int(o["file_end_offset"])
    kw["trim"] = o.get("string_trimming_policy", "both")
    kw["codepage"] = _bridge_codepage(case)
    kw["odo_placement"] = _ODO[o.get("variable_size_occurs", "max_size").lower()]
    segment_map = redefine_segment_map(case)
    if segment_map:
        kw["segment_field"] = copybook_name(layout, o["segment_field"])
        kw["segment_map"] = segment_map
    return kw


def redefine_segment_map(case: CobrixCase) -> dict[str, str]:
    """``redefine_segment_id_map:N = "BRANCH => V1,V2"`` options as our segment map {value: branch}."""
    mapping: dict[str, str] = {}
    for key, value in case.options.items():
        if key.replace("-", "_").startswith("redefine_segment_id_map"):
            branch, _, values = value.partition("=>")
            for v in values.split(","):
                mapping[v.strip()] = branch.strip()
    return mapping


def cobrix_codepage(case: CobrixCase) -> str:
    """Cobrix's code page name for the variant: ``common`` (default), ``cp037`` ..., or ``ascii``."""
    if case.option("encoding", "ebcdic").lower() == "ascii":
        return "latin-1" if case.option("ascii_charset", "").upper() == "ISO-8859-1" else "ascii"
    return case.option("ebcdic_code_page", "common").lower()


def _bridge_codepage(case: CobrixCase) -> str:
    page = cobrix_codepage(case)
    if page == "common":
        return "cp037"  # "common" is cp037 restricted to the invariant characters (normalised)
    return page.removesuffix("_extended")


def copybook_name(layout: Layout, name: str) -> str:
    """A Cobrix field name (``SEGMENT_ID``) as the copybook spells it (``SEGMENT-ID``)."""
    for candidate in (name, name.replace("_", "-")):
        for r in layout.records:
            if any(f.name == candidate.upper() for f in r.fields):
                return candidate.upper()
    raise KeyError(f"no field {name} in the copybook")


def load_layout(case: CobrixCase) -> Layout:
    """The variant's copybook(s); several files are one copybook, as Cobrix's ``copybooks`` merges them."""
    text = "\n".join(p.read_text(encoding="latin-1") for p in case.copybooks)
    return compile_copybook(text, name=str(case.copybooks[0]))


# -- strings ----------------------------------------------------------------------------------

# The EBCDIC invariant characters: what Cobrix's private "common" page maps (every other byte → space).
_INVARIANT = set(string.ascii_letters + string.digits + " .<(+&*);-/,%_>?:'=\"|!$#@[")
_CONTROL_BYTES = tuple(range(0x00, 0x40)) + (0xFF,)
_EXTENDED = {"cp037_extended", "cp273", "cp277", "cp278", "cp280", "cp284", "cp285", "cp297", "cp500",
             "cp1140", "cp1141", "cp1142", "cp1143", "cp1144", "cp1145", "cp1146", "cp1147", "cp1148"}


def _cobrix_control(page: str, byte: int) -> str:
    """What Cobrix's table for ``page`` gives for a control byte (MANIFEST: decoding rules)."""
    if byte == 0x0D:
        return "\n"          # CR and LF swapped in every Cobrix single-byte table
    if byte == 0x25:
        return "\r"
    if byte == 0xFF:
        return " "
    if byte == 0x15 and page != "common":
        return "\u0085"
    if page in _EXTENDED:
        c0 = bytes([byte]).decode("cp500")
        return c0 if ord(c0) < 0x20 or c0 == "\x7f" else " "   # 0x07 → DEL is kept too (t09)
    return " "


@dataclass(frozen=True)
class CharChoices:
    """A decoded string whose characters may each be one of several (a code page folds two bytes together).

    Compares equal to a `str` of the same length whose every character is among the choices.
    """

    choices: tuple[frozenset[str], ...]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CharChoices):
            return self.choices == other.choices
        if not isinstance(other, str):
            return NotImplemented
        return len(other) == len(self.choices) and all(ch in c for ch, c in zip(other, self.choices))

    def __hash__(self) -> int:  # pragma: no cover - not used as a key
        return hash(self.choices)

    def __repr__(self) -> str:
        return "CharChoices(" + "".join(next(iter(c)) if len(c) == 1 else f"[{''.join(sorted(c))}]"
                                        for c in self.choices) + ")"


@dataclass
class CobrixText:
    """Turns the bridge's decoded strings into what Cobrix writes for the same bytes.

    * characters decoded from control bytes (0x00-0x3F, 0xFF) become Cobrix's table entry;
    * ``common``: any character outside the EBCDIC invariant set becomes a space;
    * cp273: 0xBC is U+00AF in Cobrix, U+203E in Python's table;
    * ``improved_null_detection``: a string of only U+0000 (bytes all 0x00) is null;
    * ASCII files: Cobrix drops characters below U+0020 anywhere in the string (not in the
      MANIFEST; seen in t04, whose names hold 0x00 bytes between words);
    * trimming: ``both`` is Java's ``String.trim`` (every character up to U+0020), applied
      again after the translation because a translated control may have become a space.
    """

    page: str                 # Cobrix's code page name
    bridge_page: str
    trim: str
    improved_nulls: bool
    table: dict[str, frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        table: dict[str, set[str]] = {}
        if self.page not in ("ascii", "latin-1"):
            ours = bridge_codepage(self.bridge_page).decode_table
            for b in _CONTROL_BYTES:
                table.setdefault(ours[b], set()).add(_cobrix_control(self.page, b))
            if self.page == "common":
                for b in range(0x40, 0xFF):
                    if ours[b] not in _INVARIANT:
                        table.setdefault(ours[b], set()).add(" ")
            if self.page == "cp273":
                table.setdefault(ours[0xBC], set()).add("\u00af")
        self.table = {k: frozenset(v) for k, v in table.items()}

    def __call__(self, text: str) -> str | CharChoices | None:
        if self.improved_nulls and text and set(text) == {"\x00"}:
            return None
        if self.page in ("ascii", "latin-1"):
            # Cobrix's ASCII decoder drops control characters wherever they stand (t04: "Z\0\010" → "Z10")
            text = "".join(ch for ch in text if ch >= " ")
        choices = [self.table.get(ch, frozenset(ch)) for ch in text]
        if all(len(c) == 1 for c in choices):
            return self._trim("".join(next(iter(c)) for c in choices))
        if self.trim != "none":
            raise AssertionError(f"code page {self.page} folds bytes together; compare it with trim none only")
        return CharChoices(tuple(choices))

    def _trim(self, text: str) -> str:
        if self.trim == "both":
            return _java_trim(text)
        if self.trim == "left":
            return text.lstrip(" ")
        if self.trim == "right":
            return text.rstrip(" ")
        return text


def _java_trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


# -- rows -------------------------------------------------------------------------------------

def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise AssertionError(f"decoded JSON object has duplicate keys: {sorted({k for k in keys if keys.count(k) > 1})}")
    return dict(pairs)


def bridge_objects(case: CobrixCase, layout: Layout, **override: Any) -> list[dict[str, Any]]:
    """The variant's file decoded by the bridge into JSON-lines objects (parsed back, exact decimals)."""
    kw = {**reader_options(case, layout), **override}
    rows: list[dict[str, Any]] = []
    for path in case.data:
        reader = open_reader(path, layout, **kw)
        writer = JsonlWriter(layout, reader.schema, records=reader.decoder.records,
                             selective=bool(reader.options.segment_map))
        for batch in reader:
            for line in writer.lines(batch.table):
                rows.append(json.loads(line, parse_float=Decimal, object_pairs_hook=_no_duplicate_keys))
    return rows


def decoded_rows(case: CobrixCase) -> list[Any]:
    """The bridge's rows for the variant, normalised to Cobrix's shape, ordered and cut as the spec did."""
    layout = load_layout(case)
    text = CobrixText(cobrix_codepage(case), _bridge_codepage(case), reader_options(case)["trim"],
                      case.flag("improved_null_detection", default=True))
    if case.keep_original:
        per_record = [bridge_objects(case, layout, record=r.name) for r in layout.records]
        rows = [{_cobrix_name(r.name): obj for r, obj in zip(layout.records, objs)}
                for objs in zip(*per_record)]
    else:
        rows = bridge_objects(case, layout)
    wide = _java_overflowing_binaries(layout)
    rows = [_java_containers(_normalise(_renamed(row), text), wide) for row in rows]
    rows = _segment_filtered(case, rows)
    return _ordered(case, rows)[:case.take]


def expected_rows(case: CobrixCase) -> list[Any]:
    """Cobrix's expected rows for the variant, generated columns dropped, nulls and empty groups omitted."""
    raw = case.expected.read_text(encoding="utf-8")
    if case.expected_format == "jsonl":
        # split on LF only: str.splitlines would also split inside strings holding U+0085 or U+001C-U+001E
        rows = [json.loads(line, parse_float=Decimal) for line in raw.split("\n") if line.strip()]
    elif case.expected_format == "pretty_json_array":
        rows = json.loads(raw, parse_float=Decimal)
    elif case.expected_format == "concatenated_pretty_json_objects":
        rows, decoder, at = [], json.JSONDecoder(parse_float=Decimal), 0
        while raw[at:].strip():
            at += len(raw[at:]) - len(raw[at:].lstrip())
            obj, at = decoder.raw_decode(raw, at)
            rows.append(obj)
    else:  # pragma: no cover - the corpus has no other format
        raise ValueError(case.expected_format)
    rows = [{k: v for k, v in row.items() if not GENERATED.match(k)} for row in rows]
    return [_normalise(row, None) for row in rows][:case.take]


def _java_overflowing_binaries(layout: Layout) -> dict[tuple[str, ...], int]:
    """Unsigned binary items whose values Cobrix holds in a signed Java int/long: path -> first null value.

    MANIFEST: unsigned 4- and 8-byte values that do not fit the signed container are null,
    except PIC 9(9) and 9(18), which Cobrix widens (long, decimal(20)).
    """
    from bridge.layout.model import Kind

    limits: dict[tuple[str, ...], int] = {}
    for r in layout.records:
        for f in r.fields:
            if f.kind is Kind.BINARY and not f.signed and f.scale == 0:
                if f.length == 4 and f.digits != 9:
                    limits[tuple(_cobrix_name(p) for p in f.path[1:])] = 2 ** 31
                elif f.length == 8 and f.digits != 18:
                    limits[tuple(_cobrix_name(p) for p in f.path[1:])] = 2 ** 63
    return limits


def _java_containers(value: Any, limits: dict[tuple[str, ...], int], path: tuple[str, ...] = ()) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _java_containers(v, limits, path + (k,))
            if v is not None:
                out[k] = v
        return out
    if isinstance(value, list):
        return [_java_containers(v, limits, path) for v in value]
    limit = limits.get(path)
    if limit is not None and isinstance(value, int) and value >= limit:
        return None
    return value


def _cobrix_name(name: str) -> str:
    return name.replace("-", "_")


def _renamed(value: Any) -> Any:
    if isinstance(value, dict):
        return {_cobrix_name(k): _renamed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v) for v in value]
    return value


def _normalise(value: Any, text: CobrixText | None) -> Any:
    """Nulls and empty groups omitted (Spark's toJSON), strings through ``text`` when given."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _normalise(v, text)
            if v is None or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_normalise(v, text) for v in value]
    if isinstance(value, str) and text is not None:
        return text(value)
    return value


def _segment_filtered(case: CobrixCase, rows: list[Any]) -> list[Any]:
    wanted = case.option("segment_filter")
    if wanted is None:
        return rows
    name = _cobrix_name(case.options["segment_field"])
    return [r for r in rows if r.get(name) == wanted]


def _ordered(case: CobrixCase, rows: list[Any]) -> list[Any]:
    keys = [k for k in case.order_by or () if not GENERATED.match(k)]
    if not keys:
        return rows  # file order (File_Id, Record_Id are file order)

    def key(row: Any) -> tuple:
        out = []
        for k in keys:
            v: Any = row
            for part in k.split("."):
                v = v.get(part) if isinstance(v, dict) else None
            out.append((v is not None, v if v is not None else 0))   # Spark: nulls first
        return tuple(out)

    return sorted(rows, key=key)


def cases_in_scope(cases: Iterable[CobrixCase]) -> list[CobrixCase]:
    return [c for c in cases if left_out_reason(c) is None]
