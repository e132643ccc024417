"""Reader and writer options: every CLI reader flag as one keyword, split into the stages' own options.

`ReaderOptions.from_kwargs(**kw)` accepts the flags spelled as on the command line
(``recfm``, ``lrecl``, ``codepage``, ``rdw_endian``, ...) and refuses unknown ones, naming
the accepted spellings, so a typo never silently falls back to a default.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, Mapping

from bridge.codec.options import CodecOptions
from bridge.errors import BridgeError
from bridge.layout.model import Dialect

__all__ = ["ReaderOptions"]

OdoPlacement = Literal["shift", "max"]


@dataclass(frozen=True)
class ReaderOptions:
    """How to frame and decode a file. Defaults: F, the layout's length, cp037, ibm, right trim, null on invalid."""

    # record selection
    record: str | None = None
    segment_field: str | None = None
    segment_map: Mapping[str, str] = field(default_factory=dict)   # selector value -> 01 record or REDEFINES branch
    # framing
    recfm: str = "F"
    lrecl: int | None = None
    rdw_endian: Literal["big", "little"] = "big"
    rdw_adjust: int = 0
    bdw: bool = False
    skip_header_bytes: int = 0
    skip_trailer_bytes: int = 0
    odo_placement: OdoPlacement = "shift"
    variable_occurs: bool = False
    record_length_field: str | None = None
    record_length_adjust: int = 0
    # codec
    codepage: str = "cp037"
    dialect: Dialect | str = Dialect.IBM
    float_format: Literal["ibm", "ieee"] = "ibm"
    trim: Literal["none", "right", "left", "both"] = "right"
    on_invalid: Literal["null", "error"] = "null"
    comp5_byteorder: Literal["big", "little"] | None = None
    field_codepages: Mapping[str, str] = field(default_factory=dict)
    # streaming
    batch_records: int = 65536
    threads: int | None = None      # batches decoded at once; None: every core this process may use

    def __post_init__(self) -> None:
        object.__setattr__(self, "recfm", str(self.recfm).upper())
        if self.recfm not in ("F", "FB", "V", "VB", "TEXT"):
            raise BridgeError(f"recfm={self.recfm!r} is not one of: F, FB, V, VB, TEXT")
        if self.odo_placement not in ("shift", "max"):
            raise BridgeError(f"odo_placement={self.odo_placement!r} is not one of: shift, max")
        if self.variable_occurs and self.recfm not in ("F", "FB"):
            raise BridgeError("variable_occurs applies to RECFM F/FB only (V records carry their own length)")
        if self.record_length_field and self.recfm not in ("F", "FB"):
            raise BridgeError("record_length_field applies to RECFM F/FB only (V records carry their own length)")
        if self.record_length_field and self.variable_occurs:
            raise BridgeError("give either variable_occurs or record_length_field, not both: "
                              "each says where a record ends")
        if not isinstance(self.dialect, Dialect):
            try:
                object.__setattr__(self, "dialect", Dialect(str(self.dialect).lower()))
            except ValueError:
                raise BridgeError(f"dialect={self.dialect!r} is not one of: ibm, gnucobol, microfocus") from None
        if self.segment_map and not self.segment_field:
            raise BridgeError("a segment map needs --segment-field (the field whose value selects the record)")
        if self.batch_records < 1:
            raise BridgeError("batch_records must be at least 1")
        if self.threads is not None and (isinstance(self.threads, bool) or not isinstance(self.threads, int)
                                         or self.threads < 1):
            raise BridgeError(f"threads={self.threads!r} must be a whole number of at least 1")

    @classmethod
    def from_kwargs(cls, options: "ReaderOptions | None" = None, **kwargs: Any) -> "ReaderOptions":
        """Options from CLI-style keywords, on top of ``options`` when given."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise BridgeError(f"unknown reader option(s) {', '.join(unknown)}; accepted: {', '.join(sorted(known))}")
        clean = {k: v for k, v in kwargs.items() if v is not None}
        return replace(options, **clean) if options else cls(**clean)

    @property
    def codec(self) -> CodecOptions:
        return CodecOptions(
            codepage=self.codepage,
            dialect=self.dialect,  # type: ignore[arg-type]
            float_format=self.float_format,
            trim=self.trim,
            on_invalid=self.on_invalid,
            comp5_byteorder=self.comp5_byteorder,
            field_codepages=dict(self.field_codepages),
        )

    def frame(self, default_lrecl: int):
        """`bridge.frame.FrameOptions` for this file; LRECL defaults to the layout's length."""
        from bridge.frame import FrameOptions

        lrecl = self.lrecl or default_lrecl
        from bridge.codec.codepage import codepage

        space = codepage(self.codepage).space
        return FrameOptions(
            recfm=self.recfm,
            lrecl=lrecl,
            rdw_endian=self.rdw_endian,
            rdw_adjust=self.rdw_adjust,
            bdw=self.bdw,
            variable_occurs=self.variable_occurs or bool(self.record_length_field),
            skip_header_bytes=self.skip_header_bytes,
            skip_trailer_bytes=self.skip_trailer_bytes,
            text_space=space,
        )
