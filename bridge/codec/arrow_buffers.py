"""Arrow arrays built straight from numpy buffers.

pyarrow's ``pa.array`` and ``to_numpy`` import pandas on first use (a third of a second of a
process's start), so the paths a small run takes build and read arrays through their buffers.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = ["int_array", "int_values", "string_array"]


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


def int_values(array: pa.Array) -> np.ndarray:
    """The values of an Arrow integer array without nulls, as a numpy view of its buffer."""
    if array.null_count:
        raise ValueError("int_values reads arrays without nulls")
    dtype = np.dtype(f"int{array.type.bit_width}")
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)
