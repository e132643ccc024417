"""Single-byte code pages as lookup tables: byte → character (and its UTF-8), character → byte.

Every character codec of the package reads a `CodePage` instead of calling Python's codecs,
because the bulk paths run in numba kernels that need plain arrays: ``utf8_bytes``/``utf8_length``
turn one EBCDIC byte into its UTF-8 bytes while an Arrow string buffer is being filled, and
``encode_table`` maps a code point (BMP) back to its byte. The tables are derived once from the
Python codec of that name (the standard library's, or the ``ebcdic`` package's, which registers
cp1047, cp1141-cp1149, cp277 ... on import) and cached.

Decisions:

* A byte the codec cannot decode is U+FFFD in ``decode_table`` and is flagged in ``mappable``;
  it cannot be written back (U+FFFD is not encodable).
* Several pages decode two bytes to the same character (0x15 and 0x25 both to ``\\n`` in most
  of the ``ebcdic`` package's pages; seven bytes to U+001A in cp875). Encoding writes the byte
  the Python codec writes for that character (the page's canonical byte); ``round_trips`` says
  which bytes survive decode+encode. Byte fidelity of unchanged fields is patch mode's job
  (it never re-encodes them), not the string codec's.
* Only single-byte codecs are accepted; multi-byte ones (UTF-8, Shift-JIS, ...) are refused
  with the list of known pages.
"""
from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

import ebcdic  # noqa: F401  - registers cp1047, cp1141-cp1149, cp277 ... with Python's codecs

from bridge.codec.options import canonical_name
from bridge.errors import BridgeError

__all__ = ["CodePage", "KNOWN_CODEPAGES", "REPLACEMENT", "canonical_name", "codepage", "codepage_hint",
           "text_family"]

#: Code pages known to work (EBCDIC pages of the stdlib and the ebcdic package, and the usual
#: ASCII-based ones); any other single-byte Python codec name is accepted too.
KNOWN_CODEPAGES: tuple[str, ...] = tuple(sorted(
    {n for n in ebcdic.codec_names if not n.endswith("ms")}
    | {"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"}
    | {"ascii", "latin-1", "cp1252", "cp437", "cp850"},
    key=lambda n: (not n.startswith("cp"), len(n), n),
))

REPLACEMENT = "\ufffd"


@dataclass(frozen=True, eq=False)
class CodePage:
    """The tables of one single-byte code page (see the module docstring)."""

    name: str                          # as requested, lower-cased (``cp037``, ``latin-1``)
    codec: str                         # Python codec name it was built from
    decode_table: str                  # 256 characters, U+FFFD where the codec has none
    mappable: np.ndarray = field(repr=False)      # bool[256]: the byte decodes to a character
    round_trips: np.ndarray = field(repr=False)   # bool[256]: encode(decode(b)) == b
    utf8_bytes: np.ndarray = field(repr=False)    # uint8[256, 3]: UTF-8 of each byte's character
    utf8_length: np.ndarray = field(repr=False)   # uint8[256]: 1-3
    encode_map: dict[str, int] = field(repr=False)  # character -> canonical byte
    encode_table: np.ndarray = field(repr=False)  # int16[65536]: code point -> byte, -1 if none
    space: int
    plus: int
    minus: int
    digit0: int
    is_ebcdic: bool

    @property
    def is_bijection(self) -> bool:
        """Every byte decodes to a distinct character and encodes back to itself."""
        return bool(self.round_trips.all())

    @property
    def max_utf8_length(self) -> int:
        return int(self.utf8_length.max())

    def decode(self, data: bytes) -> str:
        """The characters of ``data`` (U+FFFD for unmappable bytes)."""
        return "".join(self.decode_table[b] for b in data)

    def encode(self, text: str) -> bytes:
        """The bytes of ``text``; raises `BridgeError` naming the first character the page lacks."""
        out = bytearray()
        for i, ch in enumerate(text):
            b = self.encode_map.get(ch)
            if b is None:
                raise BridgeError(
                    f"character {ch!r} (U+{ord(ch):04X}) at position {i + 1} has no byte in code page "
                    f"{self.name}; check --codepage")
            out.append(b)
        return bytes(out)

    def can_encode(self, ch: str) -> bool:
        return ch in self.encode_map



def codepage(name: str) -> CodePage:
    """The `CodePage` of a single-byte codec name (cached); `BridgeError` for unknown or multi-byte ones.

    IBM's spellings name the same page: ``IBM-037``, ``IBM037``, ``CP037``, ``CCSID 37``,
    ``037`` and ``37`` are all cp037 (see `canonical_name`).
    """
    try:
        return _codepage(canonical_name(name))
    except BridgeError as exc:
        if canonical_name(name) == name.strip().lower():
            raise
        raise BridgeError(f"{exc} (from {name!r})") from None


@lru_cache(maxsize=None)
def _codepage(name: str) -> CodePage:
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise BridgeError(
            f"unknown code page {name!r}; use one of {', '.join(KNOWN_CODEPAGES)} (IBM's spellings "
            f"such as IBM-037 or 1140 too) or another single-byte Python codec name (--codepage)") from None
    # rot13, base64, zlib...: Python codecs that are not a character set at all
    table = _decoding_table(info) if getattr(info, "_is_text_encoding", True) else None
    if table is None:
        raise BridgeError(
            f"code page {name!r} ({info.name}) is not a single-byte code page; use one of "
            f"{', '.join(KNOWN_CODEPAGES)} (--codepage)")
    return _build(name, info, table)


def _decoding_table(info: codecs.CodecInfo) -> str | None:
    module = sys.modules.get(getattr(info.decode, "__module__", "") or "")
    table = getattr(module, "decoding_table", None)
    if isinstance(table, str) and len(table) == 256:
        return table.replace("\ufffe", REPLACEMENT)  # charmap's marker for "undefined"
    # Codecs without a charmap table (ascii, latin-1, third-party): probe byte by byte and
    # refuse those where two bytes can form one character (multi-byte codecs).
    chars = []
    for b in range(256):
        try:
            ch = info.decode(bytes([b]))[0]
        except (UnicodeDecodeError, ValueError):
            ch = REPLACEMENT
        if len(ch) > 1:
            return None
        chars.append(ch or REPLACEMENT)
    if any(len(info.decode(bytes([a, b]), "replace")[0]) != 2
           for a, b in ((0xC3, 0xA9), (0x82, 0xA0), (0xA4, 0xA2), (0x0E, 0x42))):
        return None
    for ch in chars:
        if ch != REPLACEMENT and len(info.encode(ch)[0]) != 1:
            return None
    return "".join(chars)


def _build(name: str, info: codecs.CodecInfo, table: str) -> CodePage:
    encode_map: dict[str, int] = {}
    for b, ch in enumerate(table):
        if ch == REPLACEMENT or ch in encode_map:
            continue
        try:
            raw = info.encode(ch)[0]
        except (UnicodeEncodeError, ValueError):
            raw = b""
        # The codec's own byte when it writes one byte that decodes back; else the first byte.
        encode_map[ch] = raw[0] if len(raw) == 1 and table[raw[0]] == ch else b
    mappable = np.array([ch != REPLACEMENT for ch in table], dtype=np.bool_)
    round_trips = np.array([mappable[b] and encode_map[table[b]] == b for b in range(256)], dtype=np.bool_)
    utf8_bytes = np.zeros((256, 3), dtype=np.uint8)
    utf8_length = np.zeros(256, dtype=np.uint8)
    for b, ch in enumerate(table):
        raw = ch.encode("utf-8")
        utf8_bytes[b, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        utf8_length[b] = len(raw)
    encode_table = np.full(65536, -1, dtype=np.int16)
    for ch, b in encode_map.items():
        if ord(ch) < 65536:
            encode_table[ord(ch)] = b
    space = encode_map.get(" ", -1)
    return CodePage(
        name=name, codec=info.name, decode_table=table, mappable=mappable, round_trips=round_trips,
        utf8_bytes=utf8_bytes, utf8_length=utf8_length, encode_map=encode_map,
        encode_table=encode_table, space=space, plus=encode_map.get("+", -1),
        minus=encode_map.get("-", -1), digit0=encode_map.get("0", -1),
        is_ebcdic=encode_map.get("A") == 0xC1 and encode_map.get("0") == 0xF0,
    )


# -- which family of code page bytes come from ---------------------------------------------------
# Two disjoint sets of bytes: space, digits and letters in EBCDIC (40, F0-F9, C1-E9, 81-A9) and in
# ASCII (20, 30-39, 41-5A, 61-7A). Text and zoned numbers are made of little else, so the share
# of each set tells the families apart at a glance; binary and packed bytes are left out by the
# caller (they are neither).
def _byte_set(ranges: list[tuple[int, int]]) -> np.ndarray:
    table = np.zeros(256, dtype=np.bool_)
    for low, high in ranges:
        table[low:high + 1] = True
    return table


_EBCDIC_TEXT = _byte_set([(0x40, 0x40), (0xF0, 0xF9), (0xC1, 0xC9), (0xD1, 0xD9), (0xE2, 0xE9),
                          (0x81, 0x89), (0x91, 0x99), (0xA2, 0xA9)])
_ASCII_TEXT = _byte_set([(0x20, 0x20), (0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)])


def text_family(sample: bytes | np.ndarray) -> tuple[str | None, float, float]:
    """(``"ebcdic"``, ``"ascii"`` or None, EBCDIC share, ASCII share) of text bytes.

    A family is named when at least 60% of the bytes are its spaces, digits and letters and
    at least three times as many as the other's.
    """
    data = np.frombuffer(sample, dtype=np.uint8) if isinstance(sample, (bytes, bytearray)) else sample.ravel()
    if data.size == 0:
        return None, 0.0, 0.0
    ebcdic_share = float(_EBCDIC_TEXT[data].mean())
    ascii_share = float(_ASCII_TEXT[data].mean())
    if ebcdic_share >= 0.6 and ebcdic_share >= 3 * ascii_share:
        return "ebcdic", ebcdic_share, ascii_share
    if ascii_share >= 0.6 and ascii_share >= 3 * ebcdic_share:
        return "ascii", ebcdic_share, ascii_share
    return None, ebcdic_share, ascii_share


def codepage_hint(sample: bytes | np.ndarray, page: str) -> str | None:
    """One line saying which code page family the text bytes of a file look like, when it is not
    the family of ``page`` (EBCDIC read as ASCII or the reverse); None when they agree or the
    bytes do not say."""
    family, ebcdic_share, ascii_share = text_family(sample)
    is_ebcdic = codepage(page).is_ebcdic
    if family == "ascii" and is_ebcdic:
        return (f"the text and zoned bytes look like ASCII ({ascii_share:.0%} are ASCII spaces, digits or "
                f"letters, {ebcdic_share:.0%} EBCDIC ones), not {page}: was the file transferred in text "
                "mode, or written on a distributed system? try --codepage latin-1")
    if family == "ebcdic" and not is_ebcdic:
        return (f"the text and zoned bytes look like EBCDIC ({ebcdic_share:.0%} are EBCDIC spaces, digits or "
                f"letters, {ascii_share:.0%} ASCII ones), not {page}: try --codepage cp037 (or your "
                "country's page: cp273, cp500, cp1047, cp1140-cp1149)")
    return None
