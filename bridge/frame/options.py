"""FrameOptions: how a file's bytes are cut into records, stated explicitly and never guessed.

The fields are spelled like the CLI flags (`--recfm`, `--lrecl`, `--rdw-endian`, ...). The one
decision worth recording: `lrecl` is always the length of the record *data*. For RECFM V the
JCL LRECL counts the 4-byte RDW too; here it does not, so the same number (the layout's length)
works for every framing. `bdw` is separate from `recfm` because a VB data set read on z/OS has
block descriptors, but the same data set sent over SFTP/FTP usually keeps only the RDWs.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from bridge.errors import FramingError

__all__ = ["FrameOptions", "RECFMS", "RDW_ENDIANS", "TEXT_NEWLINES"]

RECFMS = ("F", "FB", "V", "VB", "TEXT")
RDW_ENDIANS = ("big", "little")
TEXT_NEWLINES = ("auto", "lf", "crlf", "nl")


def _accepted(values: tuple[str, ...]) -> str:
    return ", ".join(values)


#: the longest record a layout can describe (the copybook compiler's item limit, IBM's 999,999,999)
MAX_LRECL = 999_999_999

@dataclass(frozen=True, kw_only=True)
class FrameOptions:
    """Framing of one file.

    - `recfm`: ``F``/``FB`` fixed records of `lrecl` bytes; ``V``/``VB`` records behind a
      4-byte RDW; ``TEXT`` line-delimited records (default ``F``).
    - `lrecl`: record data length (without RDW). Required for F; for V/TEXT the longest record
      allowed (a longer one is an error); ``None`` there means "no limit, matrix as wide as the
      longest record seen".
    - `rdw_endian`: ``big`` (IBM, ``LL LL 00 00``) or ``little`` (the four bytes reversed,
      ``00 00 ll hh``). Block descriptors follow the same byte order.
    - `rdw_adjust`: the payload is ``RDW length - 4 + rdw_adjust`` bytes (``4`` for producers
      whose RDW counts only the data, e.g. GnuCOBOL's default variable format).
    - `bdw`: records are grouped in blocks behind BDWs (V/VB only; extended BDWs accepted).
    - `variable_occurs`: F records whose length follows from their own content (ODO counts or a
      record-length field); reading needs a `record_length` callable, writing writes each record
      at its own length.
    - `skip_header_bytes` / `skip_trailer_bytes`: bytes at the start/end of the file that are not
      records; they are carried on the batches and written back.
    - `text_space`: byte that pads TEXT records to the record width (``0x40`` EBCDIC space,
      ``0x20`` for ASCII).
    - `text_newline`: ``lf`` (a CR before it is data), ``crlf`` (LF with an optional CR before
      it, kept per line), ``nl`` (EBCDIC NL x'15'), or ``auto``: the first LF or x'15' in the
      file decides between ``crlf`` and ``nl``.
    """

    recfm: Literal["F", "FB", "V", "VB", "TEXT"] = "F"
    lrecl: int | None = None
    rdw_endian: Literal["big", "little"] = "big"
    rdw_adjust: int = 0
    bdw: bool = False
    variable_occurs: bool = False
    skip_header_bytes: int = 0
    skip_trailer_bytes: int = 0
    text_space: int = 0x40
    text_newline: Literal["auto", "lf", "crlf", "nl"] = "auto"

    def __post_init__(self) -> None:
        recfm = str(self.recfm).upper()
        if recfm not in RECFMS:
            raise FramingError(f"unknown RECFM {self.recfm!r}; accepted: {_accepted(RECFMS)}",
                               hint="check --recfm")
        object.__setattr__(self, "recfm", recfm)
        endian = str(self.rdw_endian).lower()
        if endian not in RDW_ENDIANS:
            raise FramingError(f"unknown RDW byte order {self.rdw_endian!r}; accepted: "
                               f"{_accepted(RDW_ENDIANS)}", hint="check --rdw-endian")
        object.__setattr__(self, "rdw_endian", endian)
        newline = str(self.text_newline).lower()
        if newline not in TEXT_NEWLINES:
            raise FramingError(f"unknown text line end {self.text_newline!r}; accepted: "
                               f"{_accepted(TEXT_NEWLINES)}")
        object.__setattr__(self, "text_newline", newline)
        if self.lrecl is not None and (not _is_int(self.lrecl) or self.lrecl < 1):
            raise FramingError(f"LRECL must be a positive whole number of bytes, not {self.lrecl!r}",
                               hint="check --lrecl")
        if self.lrecl is not None and self.lrecl > MAX_LRECL:
            raise FramingError(f"LRECL {self.lrecl:,} is more than the {MAX_LRECL:,} bytes any record can hold",
                               hint="check --lrecl")
        if not _is_int(self.rdw_adjust) or abs(self.rdw_adjust) > 32760:
            raise FramingError(f"RDW adjustment must be a whole number of bytes (usually 0 or 4), "
                               f"not {self.rdw_adjust!r}", hint="check --rdw-adjust")
        for name in ("skip_header_bytes", "skip_trailer_bytes"):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise FramingError(f"{name} must be a byte count >= 0, not {value!r}",
                                   hint=f"check --{name.replace('_', '-')}")
        if not _is_int(self.text_space) or not 0 <= self.text_space <= 255:
            raise FramingError(f"text_space must be one byte value 0-255, not {self.text_space!r}")
        if self.bdw and recfm not in ("V", "VB"):
            raise FramingError(f"block descriptors (bdw=True) exist only for RECFM V/VB, not {recfm}",
                               hint="use --recfm VB")
        if self.variable_occurs and recfm not in ("F", "FB"):
            raise FramingError(f"variable_occurs applies to RECFM F/FB only (no RDW), not {recfm}; "
                               f"V records take their length from the RDW",
                               hint="drop --variable-occurs or use --recfm F")

    @property
    def is_fixed(self) -> bool:
        return self.recfm in ("F", "FB")

    @property
    def is_variable(self) -> bool:
        return self.recfm in ("V", "VB")

    @property
    def is_text(self) -> bool:
        return self.recfm == "TEXT"

    def with_default_lrecl(self, lrecl: int) -> FrameOptions:
        """These options with `lrecl` filled in when it was not given (the layout's length)."""
        return self if self.lrecl is not None else replace(self, lrecl=lrecl)

    def require_lrecl(self) -> int:
        """The LRECL of an F file; an error when none was given."""
        if self.lrecl is None:
            raise FramingError(f"RECFM {self.recfm} needs a record length", hint="give --lrecl")
        return self.lrecl


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
