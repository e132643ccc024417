"""Options that decide how field bytes become values and back (code page, dialect, floats, trimming).

Spelled as the CLI flags are (``--codepage`` → ``codepage``). Framing options live beside the
framer (`bridge.frame.FrameOptions`); these are the codec's only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Mapping

from bridge.layout.model import Dialect

__all__ = ["CodecOptions", "FloatFormat", "OnInvalid", "Trim", "canonical_name"]

Trim = Literal["none", "right", "left", "both"]
OnInvalid = Literal["null", "error"]
FloatFormat = Literal["ibm", "ieee"]

_TRIMS = ("none", "right", "left", "both")
_ON_INVALID = ("null", "error")
_FLOATS = ("ibm", "ieee")


@dataclass(frozen=True)
class CodecOptions:
    """How to read and write field values.

    * ``codepage``: any single-byte EBCDIC code page of Python or the ``ebcdic`` package
      (cp037, cp273, cp1047, cp1140-cp1149, ...), or ``ascii``/``latin-1``/any Python codec
      for files written on distributed systems. IBM's spellings name the same pages
      (``IBM-037``, ``IBM037``, ``CCSID 1140``, ``1047``). Default cp037.
    * ``dialect``: the compiler the file came from; decides COMP-5 byte order and the sign
      convention written into ASCII zoned numbers. Default ibm.
    * ``float_format``: COMP-1/COMP-2 as IBM hexadecimal floating point (default) or IEEE 754.
    * ``trim``: how decoded alphanumeric values are trimmed of the code page's spaces. Default right.
    * ``on_invalid``: invalid numeric data becomes null and is counted (default), or raises
      `InvalidDataError` naming record, offset, field and bytes.
    * ``comp5_byteorder``: override COMP-5 byte order ("big"/"little"); None follows the dialect.
    * ``field_codepages``: per-field code page overrides, keyed by field name or dotted path.
    """

    codepage: str = "cp037"
    dialect: Dialect = Dialect.IBM
    float_format: FloatFormat = "ibm"
    trim: Trim = "right"
    on_invalid: OnInvalid = "null"
    comp5_byteorder: Literal["big", "little"] | None = None
    field_codepages: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # IBM-037, CCSID 1140, 1047 ...: one spelling per page for every codec below
        object.__setattr__(self, "codepage", canonical_name(self.codepage))
        if self.field_codepages:
            object.__setattr__(self, "field_codepages",
                               {k: canonical_name(v) for k, v in self.field_codepages.items()})
        if not isinstance(self.dialect, Dialect):
            object.__setattr__(self, "dialect", Dialect(str(self.dialect).lower()))
        _check("trim", self.trim, _TRIMS)
        _check("on_invalid", self.on_invalid, _ON_INVALID)
        _check("float_format", self.float_format, _FLOATS)
        if self.comp5_byteorder is not None:
            _check("comp5_byteorder", self.comp5_byteorder, ("big", "little"))

    @property
    def comp5_little_endian(self) -> bool:
        """COMP-5 is big-endian on z/OS and native (little-endian on x86) elsewhere."""
        if self.comp5_byteorder is not None:
            return self.comp5_byteorder == "little"
        return self.dialect is not Dialect.IBM

    def codepage_for(self, path: tuple[str, ...]) -> str:
        """The code page of one field: its override by dotted path or name, else the file's."""
        if self.field_codepages:
            dotted = ".".join(path)
            for key, cp in self.field_codepages.items():
                k = key.upper()
                if k == dotted or k == path[-1] or dotted.endswith("." + k):
                    return cp
        return self.codepage


# IBM-037, IBM037, CP037, CCSID 37, EBCDIC-037, 037, 37: the spellings users type for one page
_IBM_SPELLING = re.compile(r"^(?:ibm|cp|ccsid|ebcdic|ebcdic-cp)?[-_ ]?0*(\d{2,5})$")


def canonical_name(name: str) -> str:
    """The Python codec name of a code page as users spell it: ``IBM-1047``, ``CCSID 37``,
    ``1140`` -> ``cp1047``, ``cp037``, ``cp1140``; other names lower-cased (``latin-1``).

    Kept here, free of numpy and the code page tables, so that building options stays cheap.
    """
    text = name.strip().lower()
    m = _IBM_SPELLING.match(text)
    if m is None:
        return text
    return f"cp{int(m.group(1)):03d}"


def _check(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        from bridge.errors import BridgeError

        raise BridgeError(f"{name}={value!r} is not one of: {', '.join(allowed)}")
