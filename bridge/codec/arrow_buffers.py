"""Arrow arrays built straight from numpy buffers.

pyarrow's ``pa.array`` and ``to_numpy`` import pandas on first use (a third of a second of a
process's start), so the paths a small run takes build and read arrays through their buffers.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = ["float_values", "int_array", "string_array", "values_of"]


def string_array(values: list[str]) -> pa.Array:
    """An Arrow string array of ``values`` (no nulls), built from one UTF-8 buffer."""
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    return pa.StringArray.from_buffers(len(data), pa.py_buffer(offsets), pa.py_buffer(b"".join(data)))


def int_array(values: np.ndarray, dtype: type = np.int64) -> pa.Array:
    """An Arrow int64 or int32 array of ``values`` (no nulls)."""
    values = np.ascontiguousarray(values, dtype=dtype)
    arrow_type = pa.int32() if values.dtype == np.int32 else pa.int64()
    return pa.Array.from_buffers(arrow_type, len(values), [None, pa.py_buffer(values)])


def values_of(array: pa.Array) -> np.ndarray:
    """The values of an Arrow integer or floating array without nulls, as a numpy view of its
    buffer (offsets of a list or string array included: they are such an array)."""
    if array.null_count:
        raise ValueError("values_of reads arrays without nulls")
    kind = "f" if pa.types.is_floating(array.type) else "u" if pa.types.is_unsigned_integer(array.type) else "i"
    dtype = np.dtype(f"{kind}{array.type.bit_width // 8}")
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)


def float_values(array: pa.Array) -> np.ndarray:
    """The values of a float64 Arrow array, NaN where null (what ``to_numpy`` gives)."""
    n = len(array)
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    validity, data = array.buffers()[:2]
    values = np.frombuffer(data, dtype=np.float64, count=n, offset=array.offset * 8)
    if not array.null_count:
        return values
    valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), count=array.offset + n, bitorder="little")
    return np.where(valid[array.offset:].astype(bool), values, np.nan)
