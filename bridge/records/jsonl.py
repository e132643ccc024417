"""Decoded tables → JSON lines, one compiled pass per batch, in the shape `bridge.records.nested` defines.

Writing one ``json.dumps`` per value ran at 3.5 MB/s, a hundredth of the decoder. Here the
nested shape (groups, OCCURS arrays of the ODO count, REDEFINES views and 01 records left out
when a segment map did not choose them) is compiled once per layout into a short straight
program of forward-jumping instructions, and a numba kernel (``nogil``, so a writer thread
overlaps it with decoding) runs that program for every row straight from the Arrow buffers:

* strings are copied from the UTF-8 buffer and escaped as ``json.dumps(ensure_ascii=False)``
  escapes them (``\\"``, ``\\\\``, ``\\n`` ... and ``\\u00XX`` for other control characters);
* integers and decimals of up to 18 digits are formatted from their binary value
  (``decimal128`` as its unscaled 64-bit integer, the point inserted ``scale`` digits from the
  right: ``30.50``, never an exponent);
* the few columns that cannot be formatted from a 64-bit integer (decimals of 19 to 38
  digits, unsigned 64-bit binary, COMP-1/COMP-2 floats) are turned into text first, column
  by column, and copied: Arrow formats the big decimals (plain notation restored where it
  chose an exponent) and floats keep Python's shortest ``repr`` text, as the reference
  writer printed them, with NaN and infinities written as ``null``.

The output is byte for byte what `bridge.records.nested.JsonlWriter.lines` produces; the
tests hold the two against each other.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.jit import njit
from bridge.layout.model import Layout, Record
from bridge.records.nested import JsonlWriter, _Node

__all__ = ["JsonlEncoder"]

# instructions: (op, a, b, c)
_LIT, _KEY, _OPEN, _CLOSE, _VAL, _SKIP_NULL, _SKIP_COUNT, _JUMP = range(8)
# column kinds in the kernel
_STRING, _INT, _DECIMAL, _TEXT = range(4)


@dataclass
class _Program:
    ops: np.ndarray            # int64 (k, 4)
    lit_data: np.ndarray       # uint8
    lit_off: np.ndarray        # int64 (literals + 1)
    group_ptr: np.ndarray      # int64 (groups + 1): columns of group g are group_cols[ptr[g]:ptr[g+1]]
    group_cols: np.ndarray     # int64
    depth: int
    fixed_bytes: int           # literal bytes a row can emit at most


class _Compiler:
    def __init__(self) -> None:
        self.ops: list[list[int]] = []
        self.lits: list[bytes] = []
        self.lit_index: dict[bytes, int] = {}
        self.groups: list[list[int]] = []
        self.depth = 1
        self.fixed = 0

    def lit(self, text: str) -> int:
        data = text.encode("utf-8")
        if data not in self.lit_index:
            self.lit_index[data] = len(self.lits)
            self.lits.append(data)
        self.fixed += len(data)
        return self.lit_index[data]

    def emit(self, op: int, a: int = 0, b: int = 0, c: int = 0) -> int:
        self.ops.append([op, a, b, c])
        return len(self.ops) - 1

    def group(self, node: _Node) -> int:
        cols: list[int] = []
        _columns_of(node, cols)
        self.groups.append(cols)
        return len(self.groups) - 1

    def patch(self, at: int, slot: int) -> None:
        self.ops[at][slot] = len(self.ops)


def _columns_of(node: _Node, out: list[int]) -> None:
    if node.column is not None:
        out.append(node.column)
    for sub in (node.elements if node.occurs else node.children):
        _columns_of(sub, out)


class JsonlEncoder:
    """Encodes decoded tables of one layout and reader options as JSON lines (UTF-8 bytes)."""

    def __init__(self, layout: Layout, table_schema: pa.Schema, *, records: tuple[Record, ...],
                 selective: bool) -> None:
        self.reference = JsonlWriter(layout, table_schema, records=records, selective=selective)
        self.schema = table_schema
        self.selective = selective
        self.program = self._compile(self.reference.roots)
        ops = self.program.ops
        self._count_columns = sorted({int(c) for c in ops[ops[:, 0] == _SKIP_COUNT, 1]})

    # -- the program ---------------------------------------------------------------------------
    def _compile(self, roots: tuple[_Node, ...]) -> _Program:
        c = _Compiler()
        c.emit(_OPEN, 1)
        c.fixed += 1
        for node in roots:
            self._part(c, node, 1)
        c.emit(_CLOSE, 1)
        c.fixed += 1
        off = np.zeros(len(c.lits) + 1, dtype=np.int64)
        off[1:] = np.cumsum([len(x) for x in c.lits])
        ptr = np.zeros(len(c.groups) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(g) for g in c.groups])
        return _Program(
            ops=np.array(c.ops, dtype=np.int64).reshape(-1, 4),
            lit_data=np.frombuffer(b"".join(c.lits), dtype=np.uint8).copy() if c.lits else np.zeros(0, np.uint8),
            lit_off=off,
            group_ptr=ptr,
            group_cols=np.array([x for g in c.groups for x in g], dtype=np.int64),
            depth=c.depth + 1,
            fixed_bytes=c.fixed,
        )

    def _part(self, c: _Compiler, node: _Node, depth: int) -> None:
        """``"key":value`` inside an object, left out when the reference writer leaves it out."""
        skip = -1
        if self.selective and node.optional:
            skip = c.emit(_SKIP_NULL, c.group(node), 0)
        c.emit(_KEY, c.lit(json.dumps(node.key) + ":"), depth)
        c.fixed += 1  # the comma before it
        self._value(c, node, depth)
        if skip >= 0:
            c.patch(skip, 2)

    def _value(self, c: _Compiler, node: _Node, depth: int) -> None:
        if node.column is not None:
            c.emit(_VAL, node.column)
            return
        if node.occurs:
            c.emit(_LIT, c.lit("["))
            jumps = []
            for i, element in enumerate(node.elements[:node.occurs], 1):
                if node.count_column is not None:
                    jumps.append(c.emit(_SKIP_COUNT, node.count_column, i, 0))
                if i > 1:
                    c.emit(_LIT, c.lit(","))
                if self.selective and element.optional:
                    # an element the reference writer renders as nothing is written as null
                    skip = c.emit(_SKIP_NULL, c.group(element), 0)
                    self._value(c, element, depth)
                    done = c.emit(_JUMP, 0)
                    c.patch(skip, 2)
                    c.emit(_LIT, c.lit("null"))
                    c.patch(done, 1)
                else:
                    self._value(c, element, depth)
            for at in jumps:
                c.patch(at, 3)
            c.emit(_LIT, c.lit("]"))
            return
        inner = depth + 1
        c.depth = max(c.depth, inner)
        c.emit(_OPEN, inner)
        c.fixed += 2
        for child in node.children:
            self._part(c, child, inner)
        c.emit(_CLOSE, inner)

    # -- one batch -------------------------------------------------------------------------------
    def encode(self, table: pa.Table) -> bytes:
        """The JSON lines of every row of ``table``, each ending in a newline."""
        return self.render(table).tobytes()

    def render(self, table: pa.Table) -> np.ndarray:
        """`encode` without the copy into `bytes`: a uint8 array a file's ``write`` takes as it is."""
        n = table.num_rows
        if n == 0:
            return np.zeros(0, dtype=np.uint8)
        ncols = table.num_columns
        kinds = np.zeros(ncols, dtype=np.int64)
        scales = np.zeros(ncols, dtype=np.int64)
        slots = np.zeros(ncols, dtype=np.int64)
        valid = np.ones((ncols, n), dtype=np.uint8)
        ints: list[np.ndarray] = []
        texts: list[tuple[np.ndarray, np.ndarray]] = []
        bound = n * (self.program.fixed_bytes + 1)
        for i in range(ncols):
            arr = table.column(i).combine_chunks() if table.column(i).num_chunks != 1 else table.column(i).chunk(0)
            kind, scale, payload, mask = _column(arr)
            kinds[i], scales[i] = kind, scale
            if mask is not None:
                valid[i] = mask
            if kind in (_INT, _DECIMAL):
                slots[i] = len(ints)
                ints.append(payload)
                bound += 24 * n
            else:
                offsets, data = payload
                slots[i] = len(texts)
                texts.append(payload)
                specials = int(np.count_nonzero((data < 0x20) | (data == 0x22) | (data == 0x5C))) if kind == _STRING \
                    else 0
                bound += int(data.size) + 5 * specials + 6 * n
        if any(kinds[c] not in (_INT, _DECIMAL) for c in self._count_columns):
            # an ODO count the kernel cannot read as an integer (unsigned 64-bit): the reference writer
            text = "".join(line + "\n" for line in self.reference.lines(table)).encode("utf-8")
            return np.frombuffer(text, dtype=np.uint8)
        ival = np.stack(ints) if ints else np.zeros((0, n), dtype=np.int64)
        tdata, toff = _concatenate(texts, n)
        out = np.empty(bound, dtype=np.uint8)
        p = self.program
        size = _assemble(p.ops, p.lit_data, p.lit_off, p.group_ptr, p.group_cols, p.depth, kinds, scales, slots,
                         valid, ival, tdata, toff, n, out, np.zeros(p.depth + 1, dtype=np.bool_),
                         np.empty(24, dtype=np.uint8))
        return out[:size]


def _column(arr: pa.Array):
    """(kind, scale, payload, valid mask or None) of one column for the kernel."""
    n = len(arr)
    typ = arr.type
    mask = None if arr.null_count == 0 else np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.uint8)
    if pa.types.is_decimal(typ) and typ.precision <= 18 and typ.bit_width == 128:
        words = np.frombuffer(arr.buffers()[1], dtype=np.int64)[2 * arr.offset:2 * (arr.offset + n)]
        return _DECIMAL, typ.scale, np.ascontiguousarray(words[0::2]), mask
    if pa.types.is_integer(typ) and not (pa.types.is_uint64(typ)):
        values = arr.cast(pa.int64()) if typ != pa.int64() else arr
        data = np.frombuffer(values.buffers()[1], dtype=np.int64)[values.offset:values.offset + n]
        return _INT, 0, np.ascontiguousarray(data), mask
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return _STRING, 0, _text_buffers(arr), mask
    # the rest becomes text column by column
    if pa.types.is_floating(typ):
        values = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
        finite = np.isfinite(values)
        mask = finite.astype(np.uint8) if mask is None else (mask & finite).astype(np.uint8)
        text = pa.array([repr(v) for v in values.tolist()], pa.string())  # Python's shortest repr, as before
        return _TEXT, 0, _text_buffers(text), mask
    if pa.types.is_decimal(typ):
        text = pc.cast(arr, pa.string())
        exponent = pc.fill_null(pc.match_substring(text, "E"), False)
        if pc.any(exponent).as_py():
            # Arrow writes small values of a large scale as 1E-10: restore plain notation
            rows = np.flatnonzero(exponent.to_numpy(zero_copy_only=False))
            fixed = [format(Decimal(t), "f") for t in text.take(pa.array(rows)).to_pylist()]
            values = text.to_pylist()
            for r, t in zip(rows.tolist(), fixed):
                values[r] = t
            text = pa.array(values, pa.string())
        return _TEXT, 0, _text_buffers(text), mask
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ) or pa.types.is_fixed_size_binary(typ):
        text = pa.array([None if v is None else json.dumps(v.hex().upper())[1:-1] for v in arr.to_pylist()],
                        pa.string())
        return _STRING, 0, _text_buffers(text), mask
    text = pc.cast(arr, pa.string())   # unsigned 64-bit integers: exact digits
    return _TEXT, 0, _text_buffers(text), mask


def _text_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    n = len(arr)
    dtype = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=dtype)[arr.offset:arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    data = data[offsets[0]:offsets[-1]] if n else data[:0]
    return offsets - offsets[0], data


def _concatenate(texts: list[tuple[np.ndarray, np.ndarray]], n: int) -> tuple[np.ndarray, np.ndarray]:
    if not texts:
        return np.zeros(0, dtype=np.uint8), np.zeros((0, n + 1), dtype=np.int64)
    base = np.cumsum([0] + [int(d.size) for _, d in texts[:-1]])
    data = np.concatenate([d for _, d in texts]) if texts else np.zeros(0, np.uint8)
    off = np.stack([o + b for (o, _), b in zip(texts, base)])
    return data, off


@njit(cache=True, nogil=True, small=True, rows=13, native=True)
def _assemble(ops, lit_data, lit_off, group_ptr, group_cols, depth, kinds, scales, slots, valid, ival, tdata,
              toff, n, out, first, digits):  # pragma: no cover - compiled
    # first (depth + 1 booleans, zero) and digits (24 bytes) are the caller's scratch: a kernel
    # that allocates nothing has a native form (bridge.codec.native)
    pos = 0
    nops = ops.shape[0]
    for row in range(n):
        pc_ = 0
        while pc_ < nops:
            op = ops[pc_, 0]
            a = ops[pc_, 1]
            if op == 4:  # value of column a
                if valid[a, row] == 0:
                    out[pos] = 110
                    out[pos + 1] = 117
                    out[pos + 2] = 108
                    out[pos + 3] = 108
                    pos += 4
                else:
                    kind = kinds[a]
                    s = slots[a]
                    if kind == 0:  # string, escaped
                        out[pos] = 34
                        pos += 1
                        for k in range(toff[s, row], toff[s, row + 1]):
                            b = tdata[k]
                            if b == 34 or b == 92:
                                out[pos] = 92
                                out[pos + 1] = b
                                pos += 2
                            elif b < 32:
                                out[pos] = 92
                                if b == 10:
                                    out[pos + 1] = 110
                                    pos += 2
                                elif b == 13:
                                    out[pos + 1] = 114
                                    pos += 2
                                elif b == 9:
                                    out[pos + 1] = 116
                                    pos += 2
                                elif b == 8:
                                    out[pos + 1] = 98
                                    pos += 2
                                elif b == 12:
                                    out[pos + 1] = 102
                                    pos += 2
                                else:
                                    out[pos + 1] = 117
                                    out[pos + 2] = 48
                                    out[pos + 3] = 48
                                    hi = b >> 4
                                    lo = b & 15
                                    out[pos + 4] = 48 + hi
                                    out[pos + 5] = 48 + lo if lo < 10 else 87 + lo
                                    pos += 6
                            else:
                                out[pos] = b
                                pos += 1
                        out[pos] = 34
                        pos += 1
                    elif kind == 3:  # text as it is
                        for k in range(toff[s, row], toff[s, row + 1]):
                            out[pos] = tdata[k]
                            pos += 1
                    else:  # integer, or decimal with its scale
                        v = ival[s, row]
                        scale = scales[a] if kind == 2 else 0
                        neg = v < 0
                        u = np.uint64(-(v + 1)) + np.uint64(1) if neg else np.uint64(v)
                        nd = 0
                        while u > 0 or nd <= scale:
                            digits[nd] = 48 + np.uint8(u % np.uint64(10))
                            u = u // np.uint64(10)
                            nd += 1
                        if neg:
                            out[pos] = 45
                            pos += 1
                        for k in range(nd - 1, -1, -1):
                            if k == scale - 1:
                                out[pos] = 46
                                pos += 1
                            out[pos] = digits[k]
                            pos += 1
            elif op == 1:  # key inside an object: comma unless first
                d = ops[pc_, 2]
                if first[d]:
                    first[d] = False
                else:
                    out[pos] = 44
                    pos += 1
                for k in range(lit_off[a], lit_off[a + 1]):
                    out[pos] = lit_data[k]
                    pos += 1
            elif op == 0:  # literal
                for k in range(lit_off[a], lit_off[a + 1]):
                    out[pos] = lit_data[k]
                    pos += 1
            elif op == 2:  # open object
                out[pos] = 123
                pos += 1
                first[a] = True
            elif op == 3:  # close object
                out[pos] = 125
                pos += 1
            elif op == 5:  # skip when every column of group a is null
                all_null = True
                for k in range(group_ptr[a], group_ptr[a + 1]):
                    if valid[group_cols[k], row] != 0:
                        all_null = False
                        break
                if all_null:
                    pc_ = ops[pc_, 2]
                    continue
            elif op == 6:  # skip the rest of an ODO table when its count is below element b
                c = ops[pc_, 1]
                count = 0
                if valid[c, row] != 0:
                    count = ival[slots[c], row]
                    if kinds[c] == 2:
                        for _ in range(scales[c]):
                            count = count // 10
                if count < ops[pc_, 2]:
                    pc_ = ops[pc_, 3]
                    continue
            elif op == 7:  # jump
                pc_ = a
                continue
            pc_ += 1
        out[pos] = 10
        pos += 1
    return pos
