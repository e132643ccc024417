"""One entry point per direction for a column, whatever the storage type: the codec dispatcher.

`decode_column` reads one occurrence of one elementary item from every row of a record
matrix and returns an Arrow array plus the mask of rows whose bytes were invalid;
`encode_column_into` writes values into the matrix in place, only where asked. The
storage-type modules (`zoned`, `packed`, `binary`, `floats`, `edited`, `alphanumeric`,
`national`, `dbcs`) do the work; this module only chooses among them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Literal

import numpy as np
import pyarrow as pa

from bridge.codec.options import CodecOptions
from bridge.layout.model import Field, Kind

__all__ = ["ON_OVERFLOW", "DecodedColumn", "OnOverflow", "arrow_type", "codec_for", "decode_column", "encode_column_into"]


@dataclass(frozen=True, slots=True)
class DecodedColumn:
    """An Arrow array of one column and the rows whose bytes were not a valid value."""

    array: pa.Array
    invalid: np.ndarray  # bool (n,)


_STRING_KINDS = (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED, Kind.NATIONAL, Kind.DBCS)


def codec_for(field: Field) -> ModuleType:
    """The storage-type module that reads and writes ``field``."""
    kind = field.kind
    if kind in (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED):
        from bridge.codec import alphanumeric as mod
    elif kind is Kind.ZONED:
        from bridge.codec import zoned as mod
    elif kind is Kind.PACKED and field.usage == "COMP-6":
        from bridge.codec import packed_unsigned as mod
    elif kind is Kind.PACKED:
        from bridge.codec import packed as mod
    elif kind is Kind.BINARY:
        from bridge.codec import binary as mod
    elif kind is Kind.FLOAT:
        from bridge.codec import floats as mod
    elif kind is Kind.NUMERIC_EDITED:
        from bridge.codec import edited as mod
    elif kind is Kind.NATIONAL:
        from bridge.codec import national as mod
    elif kind is Kind.DBCS:
        from bridge.codec import dbcs as mod
    else:  # pragma: no cover - groups and RENAMES never reach a codec
        raise TypeError(f"{field.qualified_name} ({kind.value}) has no codec")
    return mod


def is_string(field: Field) -> bool:
    return field.kind in _STRING_KINDS


def decode_column(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions,
                  *, avail: np.ndarray | None = None) -> DecodedColumn:
    """Decode ``field`` at ``offset`` in every row of ``matrix``.

    ``avail`` (optional, per row) is how many bytes of the field the record really holds;
    only strings use it (a string cut by the end of a short record is truncated).
    """
    mod = codec_for(field)
    if is_string(field):
        array = mod.decode(matrix, offset, field, options, avail=avail)
        return DecodedColumn(array, np.zeros(len(array), dtype=bool))
    from bridge.codec.numeric import to_arrow

    numbers = mod.decode(matrix, offset, field, options)
    return DecodedColumn(to_arrow(numbers), np.asarray(numbers.invalid, dtype=bool))


OnOverflow = Literal["error", "truncate"]
ON_OVERFLOW = ("error", "truncate")


def encode_column_into(matrix: np.ndarray, offset: int, field: Field, values, options: CodecOptions,
                       *, mask: np.ndarray | None = None, rounding: str | None = None,
                       truncate: bool = False, on_overflow: OnOverflow = "error") -> None:
    """Write ``values`` (Arrow array, pandas Series or sequence) into ``field`` at ``offset``, rows in ``mask`` only.

    ``truncate`` cuts strings longer than an alphanumeric, national or DBCS item; it never
    touches a number. A number with more digits than its PICTURE (or negative in an unsigned
    item) is an `EncodeError` unless ``on_overflow="truncate"``, which keeps the low-order
    digits and drops the sign as COBOL's MOVE does.
    """
    if on_overflow not in ON_OVERFLOW:
        from bridge.errors import BridgeError

        raise BridgeError(f"on_overflow={on_overflow!r} is not one of: {', '.join(ON_OVERFLOW)}")
    mod = codec_for(field)
    if is_string(field):
        mod.encode_into(matrix, offset, values, field, options, mask=mask, **({"truncate": True} if truncate else {}))
        return
    from bridge.codec.numeric import from_values

    numbers = from_values(values, field, rounding=rounding)
    kwargs = {"truncate": True} if on_overflow == "truncate" else {}
    mod.encode_into(matrix, offset, numbers, field, options, mask=mask, **kwargs)


def arrow_type(field: Field) -> pa.DataType:
    """The Arrow type `decode_column` produces for ``field`` (used to build all-null columns)."""
    if is_string(field):
        return pa.string()
    try:
        return _numeric_type(field)
    except TypeError:  # a field holding an unhashable VALUE: asked afresh
        return _numeric_type.__wrapped__(field)


@lru_cache(maxsize=4096)
def _numeric_type(field: Field) -> pa.DataType:
    # the type is whatever the codec produces; asking it on zero rows keeps the two in step
    # (cached: a decoder asks it of every column, 7 ms for 195 columns, each time a file is opened)
    empty = np.zeros((0, field.length), dtype=np.uint8)
    return decode_column(empty, 0, field, CodecOptions()).array.type
