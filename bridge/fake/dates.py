"""Which fields hold dates and times, and valid values for them (no month 79, no 31 February).

A field is a date when its name says so (a word ``DATE``, ``DT``, ``DOB``, ``…DATE``; ``TIME``
or ``TM`` for times; ``TS``/``TIMESTAMP`` for DB2 timestamps) and its PICTURE can hold one of
the usual forms: ``9(8)`` is YYYYMMDD, ``9(7)`` CCYYDDD (Julian), ``9(6)`` YYMMDD, ``9(5)``
YYDDD, ``X(10)`` YYYY-MM-DD, ``X(26)`` a DB2 timestamp; birth dates (``BIRTH``, ``DOB``) fall in
1930-2008, other dates in 1950-2035. Inside a group whose name is a date, items named
``YYYY``/``CCYY``/``YEAR``, ``YY``, ``CC``, ``MM``/``MONTH``, ``DD``/``DAY`` get their part of a
date (``HH``, ``MM``, ``SS``... inside a time group). Names are the only evidence a copybook gives, so a small rules file
(`load_date_rules`) overrides the guess: ``PATTERN FORMAT [FROM-YEAR TO-YEAR]`` per line,
``PATTERN`` an fnmatch glob over the item's name or dotted path, ``FORMAT`` one of
`FORMATS` or ``none`` (not a date).

Values are drawn as days since 1970 with numpy's calendar, so every one exists.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bridge.errors import BridgeError
from bridge.layout.model import Field, Kind

__all__ = ["FORMATS", "DateFormat", "DateRule", "DateRules", "date_format", "date_part", "load_date_rules"]


@dataclass(frozen=True)
class DateFormat:
    """A date or time form: its name, and its width in digits (numbers) or characters (text)."""

    name: str
    width: int
    text_only: bool = False


FORMATS: dict[str, DateFormat] = {f.name: f for f in (
    DateFormat("YYYYMMDD", 8),
    DateFormat("CCYYMMDD", 8),
    DateFormat("YYYYDDD", 7),
    DateFormat("CCYYDDD", 7),
    DateFormat("YYMMDD", 6),
    DateFormat("YYDDD", 5),
    DateFormat("HHMMSS", 6),
    DateFormat("HHMM", 4),
    DateFormat("YYYY-MM-DD", 10, text_only=True),
    DateFormat("YYYY-MM-DD-HH.MM.SS.NNNNNN", 26, text_only=True),
)}

_DATE_WORDS = {"DATE", "DT", "DTE", "DOB"}
_TIME_WORDS = {"TIME", "TM"}
_STAMP_WORDS = {"TS", "TIMESTAMP", "TMSTMP", "TSTAMP"}
_BY_DIGITS = {8: "YYYYMMDD", 7: "CCYYDDD", 6: "YYMMDD", 5: "YYDDD"}
_BY_CHARS = {8: "YYYYMMDD", 10: "YYYY-MM-DD", 6: "YYMMDD"}
_PARTS = {"YYYY": "year", "CCYY": "year", "YEAR": "year", "YR": "year", "YY": "yy", "CC": "cc",
          "MM": "month", "MONTH": "month", "MO": "month", "DD": "day", "DAY": "day"}
_TIME_PARTS = {"HH": "hour", "HOUR": "hour", "HOURS": "hour", "MM": "minute", "MI": "minute", "MIN": "minute",
               "MINUTE": "minute", "MINUTES": "minute", "SS": "second", "SEC": "second", "SECOND": "second",
               "SECONDS": "second"}
_BIRTH_WORDS = {"BIRTH", "DOB", "BORN", "BIRTHDATE", "BDATE"}
DEFAULT_YEARS = (1950, 2035)
BIRTH_YEARS = (1930, 2008)   # nobody in the file is born in the future or is 120


@dataclass(frozen=True)
class DateRule:
    """One line of a rules file: items matching ``pattern`` are ``format`` (None: not a date)."""

    pattern: str
    format: str | None
    years: tuple[int, int] = DEFAULT_YEARS


@dataclass(frozen=True)
class DateRules:
    """The rules of a rules file, first match wins; an empty set leaves recognition to the names."""

    rules: tuple[DateRule, ...] = ()

    def match(self, field: Field) -> DateRule | None:
        dotted = ".".join(field.path)
        for rule in self.rules:
            if fnmatch.fnmatchcase(field.name, rule.pattern) or fnmatch.fnmatchcase(dotted, rule.pattern):
                return rule
        return None


def load_date_rules(path: str | Path) -> DateRules:
    """The rules in ``path``; `BridgeError` naming the line for an unknown format or a bad year range.

    Example::

        # PATTERN            FORMAT      [FROM TO]
        *-BIRTH-DATE         YYYYMMDD    1930 2008
        ACCT.LAST-UPD        none
    """
    rules = []
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise BridgeError(f"date rules {path}: cannot read it ({exc.strerror})") from None
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        where = f"date rules {path}:{number}"
        if len(words) not in (2, 4):
            raise BridgeError(f"{where}: expected 'PATTERN FORMAT [FROM-YEAR TO-YEAR]', got {line.strip()!r}")
        pattern, fmt = words[0].upper(), words[1].upper()
        if fmt != "NONE" and fmt not in FORMATS:
            raise BridgeError(f"{where}: unknown date format {words[1]!r}; use one of {', '.join(FORMATS)} or none")
        years = DEFAULT_YEARS
        if len(words) == 4:
            if not (words[2].isdigit() and words[3].isdigit()) or not 1 <= int(words[2]) <= int(words[3]) <= 9999:
                raise BridgeError(f"{where}: year range {words[2]} {words[3]} is not FROM TO with 1 <= FROM <= TO <= 9999")
            years = (int(words[2]), int(words[3]))
        rules.append(DateRule(pattern, None if fmt == "NONE" else fmt, years))
    return DateRules(tuple(rules))


def _words(name: str) -> list[str]:
    return [w for w in name.upper().split("-") if w]


def _is_date_name(name: str) -> bool:
    return any(w in _DATE_WORDS or (w.endswith("DATE") and len(w) > 4) or w.startswith("DATE") for w in _words(name))


def _fits(fmt: DateFormat, field: Field) -> bool:
    if field.kind in (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED):
        return field.length == fmt.width
    if field.kind in (Kind.ZONED, Kind.PACKED, Kind.BINARY) and not fmt.text_only:
        return field.scale == 0 and field.digits >= fmt.width
    return False


def date_format(field: Field, rules: DateRules | None = None) -> tuple[DateFormat, tuple[int, int]] | None:
    """The date form of ``field`` and the years to draw from, or None when it is not a date.

    :raises BridgeError: a rule names a form that the field's PICTURE cannot hold.
    """
    rule = rules.match(field) if rules else None
    if rule is not None:
        if rule.format is None:
            return None
        fmt = FORMATS[rule.format]
        if not _fits(fmt, field):
            raise BridgeError(f"date rule {rule.pattern} {rule.format}: {field.qualified_name} "
                              f"(PIC {field.picture}, {field.usage}) cannot hold a {rule.format} value")
        return fmt, rule.years
    words = set(_words(field.name))
    years = BIRTH_YEARS if words & _BIRTH_WORDS else DEFAULT_YEARS
    text = field.kind in (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED)
    numeric = field.kind in (Kind.ZONED, Kind.PACKED, Kind.BINARY) and field.scale == 0
    if words & _STAMP_WORDS and text and field.length == 26:
        return FORMATS["YYYY-MM-DD-HH.MM.SS.NNNNNN"], DEFAULT_YEARS
    if words & _TIME_WORDS and numeric and field.digits in (6, 4):
        return FORMATS["HHMMSS" if field.digits == 6 else "HHMM"], DEFAULT_YEARS
    if not (_is_date_name(field.name) or words & _BIRTH_WORDS):
        return None
    if numeric and field.digits in _BY_DIGITS:
        return FORMATS[_BY_DIGITS[field.digits]], years
    if text and field.length in _BY_CHARS:
        return FORMATS[_BY_CHARS[field.length]], years
    return None


def date_part(field: Field, parent: Field | None) -> str | None:
    """The part of a date or time group an item holds (``year``, ``month``, ``hour``...), else None.

    Only inside a group whose name is a date (``…-DATE``, ``DT``) or a time (``…-TIME``), and
    only for an item named as the part (``YYYY``, ``MM``, ``HOURS``...) that can hold it: a
    number without decimals, or text of exactly the part's digits.
    """
    if parent is None:
        return None
    group = set(_words(parent.name))
    table = _PARTS if _is_date_name(parent.name) else _TIME_PARTS if group & _TIME_WORDS or any(
        w.endswith("TIME") for w in group) else None
    if table is None:
        return None
    words = _words(field.name)
    part = table.get(words[-1]) if words else None
    if part is None:
        return None
    need = 4 if part == "year" else 2
    if field.kind in (Kind.ZONED, Kind.PACKED, Kind.BINARY) and field.scale == 0:
        return part if field.digits >= need else None
    if field.kind is Kind.ALPHANUMERIC:
        return part if field.length == need else None
    return None


# -- values ---------------------------------------------------------------------------------------

def _calendar(days: np.ndarray) -> tuple[np.ndarray, ...]:
    d = np.datetime64("1970-01-01", "D") + days
    years = d.astype("datetime64[Y]")
    months = d.astype("datetime64[M]")
    y = years.astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    dd = (d - months).astype(np.int64) + 1
    doy = (d - years).astype(np.int64) + 1
    return y, m, dd, doy


def draw_days(rng: np.random.Generator, n: int, years: tuple[int, int]) -> np.ndarray:
    lo = (np.datetime64(f"{years[0]:04d}-01-01", "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    hi = (np.datetime64(f"{years[1]:04d}-12-31", "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    return rng.integers(lo, hi + 1, size=n)


def date_numbers(fmt: DateFormat, rng: np.random.Generator, n: int, years: tuple[int, int]) -> np.ndarray:
    """``n`` valid values of a numeric form as int64 (YYYYMMDD → 20240229)."""
    y, m, d, doy = _calendar(draw_days(rng, n, years))
    secs = rng.integers(0, 86400, size=n)
    hh, mi, ss = secs // 3600, secs // 60 % 60, secs % 60
    name = fmt.name
    if name in ("YYYYMMDD", "CCYYMMDD"):
        return y * 10000 + m * 100 + d
    if name in ("YYYYDDD", "CCYYDDD"):
        return y * 1000 + doy
    if name == "YYMMDD":
        return y % 100 * 10000 + m * 100 + d
    if name == "YYDDD":
        return y % 100 * 1000 + doy
    if name == "HHMMSS":
        return hh * 10000 + mi * 100 + ss
    if name == "HHMM":
        return hh * 100 + mi
    raise BridgeError(f"{name} is a text form of a date; the field is numeric")  # pragma: no cover


def date_text(fmt: DateFormat, rng: np.random.Generator, n: int, years: tuple[int, int]) -> np.ndarray:
    """``n`` valid values of a form as a uint8 matrix of ASCII characters (n, width)."""
    if not fmt.text_only:
        return digit_matrix(date_numbers(fmt, rng, n, years), fmt.width)
    y, m, d, _ = _calendar(draw_days(rng, n, years))
    parts = [digit_matrix(y, 4), _char("-", n), digit_matrix(m, 2), _char("-", n), digit_matrix(d, 2)]
    if fmt.width == 26:
        secs = rng.integers(0, 86400, size=n)
        parts += [_char("-", n), digit_matrix(secs // 3600, 2), _char(".", n), digit_matrix(secs // 60 % 60, 2),
                  _char(".", n), digit_matrix(secs % 60, 2), _char(".", n),
                  digit_matrix(rng.integers(0, 1_000_000, size=n), 6)]
    return np.concatenate(parts, axis=1)


def part_numbers(part: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """Values of one part of a date group (days 1-28, so any month and year combine)."""
    if part == "year":
        return rng.integers(DEFAULT_YEARS[0], DEFAULT_YEARS[1] + 1, size=n)
    if part == "yy":
        return rng.integers(0, 100, size=n)
    if part == "cc":
        return rng.integers(19, 21, size=n)
    if part == "month":
        return rng.integers(1, 13, size=n)
    if part == "hour":
        return rng.integers(0, 24, size=n)
    if part in ("minute", "second"):
        return rng.integers(0, 60, size=n)
    return rng.integers(1, 29, size=n)


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative ints as zero-padded ASCII digits, one row per value."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, dtype=np.int64)[:, None] // powers % 10 + 48).astype(np.uint8)


def _char(c: str, n: int) -> np.ndarray:
    return np.full((n, 1), ord(c), dtype=np.uint8)
