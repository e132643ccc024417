"""RECFM V/VB: records behind RDWs, optionally grouped in blocks behind BDWs.

Record boundaries can only be found by walking the descriptors one after another, so that
walk is a numba kernel over each read chunk (`scan_descriptors`); it validates every RDW and BDW
as it goes and stops at the first bad one, and Python then re-reads that header with the
`construct` structures of `rdw.py` to say what is wrong and which option to check. The records
are then gathered into the matrix in one compiled copy per chunk; no per-record Python.

A block may span chunks and batches: the scan carries the bytes left in the current block and
the kind of BDW that opened it, so chunk size never depends on block size.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from bridge.codec.jit import njit
from bridge.errors import FramingError
from bridge.frame.batch import BatchBuilder, RecordBatch
from bridge.frame.options import FrameOptions
from bridge.frame.rdw import bdw_problem, parse_rdw, rdw_payload, rdw_problem
from bridge.frame.source import ByteSource, ChunkReader

__all__ = ["iter_variable", "scan_descriptors"]

# scan_descriptors status codes
NEED_MORE = 0        # stopped before a header or record that is not wholly in the chunk
BATCH_FULL = 1
BAD_RDW = 2
BAD_BDW = 3
RECORD_OVERRUNS_BLOCK = 4

CHUNK_SIZE = 4 << 20  # pragma: no mutate (a buffer size: any size frames the same records)


@njit(cache=True, nogil=True)
def scan_descriptors(buf, pos, end, little, adjust, lrecl, use_bdw, block_left, block_kind,
                     n, capacity, max_cells, widest, starts, lengths, blocks):  # pragma: no cover
    """Walk RDWs (and BDWs) in ``buf[pos:end]`` storing records at ``starts/lengths/blocks[n:]``.

    `lrecl` < 0 means no limit. `block_left` / `block_kind` carry an open block between calls
    (bytes still to come in it / BDW kind for the next record, 0 once used). Stops when
    `capacity` records are stored or ``(records) * widest`` would pass `max_cells`.
    Returns (status, pos, n, block_left, block_kind, widest).
    """
    while True:
        if n >= capacity:
            return BATCH_FULL, pos, n, block_left, block_kind, widest
        if use_bdw and block_left == 0:
            if end - pos < 4:
                return NEED_MORE, pos, n, block_left, block_kind, widest
            if little:
                h0, h1, h2, h3 = buf[pos + 3], buf[pos + 2], buf[pos + 1], buf[pos]
            else:
                h0, h1, h2, h3 = buf[pos], buf[pos + 1], buf[pos + 2], buf[pos + 3]
            if h0 & 0x80:
                size = ((np.int64(h0) & 0x7F) << 24) | (np.int64(h1) << 16) | (np.int64(h2) << 8) | np.int64(h3)
                kind = 2
            else:
                if h2 or h3:
                    return BAD_BDW, pos, n, block_left, block_kind, widest
                size = (np.int64(h0) << 8) | np.int64(h1)
                if size > 32760:
                    return BAD_BDW, pos, n, block_left, block_kind, widest
                kind = 1
            if size < 8:
                return BAD_BDW, pos, n, block_left, block_kind, widest
            block_left = size - 4
            block_kind = kind
            pos += 4
        if end - pos < 4:
            return NEED_MORE, pos, n, block_left, block_kind, widest
        if little:
            r0, r1, r2, r3 = buf[pos + 3], buf[pos + 2], buf[pos + 1], buf[pos]
        else:
            r0, r1, r2, r3 = buf[pos], buf[pos + 1], buf[pos + 2], buf[pos + 3]
        if r2 or r3:
            return BAD_RDW, pos, n, block_left, block_kind, widest
        length = (np.int64(r0) << 8) | np.int64(r1)
        payload = length - 4 + adjust
        if payload < 0 or length > 32760 or (lrecl >= 0 and payload > lrecl):
            return BAD_RDW, pos, n, block_left, block_kind, widest
        total = payload + 4
        if use_bdw and total > block_left:
            return RECORD_OVERRUNS_BLOCK, pos, n, block_left, block_kind, widest
        if end - pos < total:
            return NEED_MORE, pos, n, block_left, block_kind, widest
        wide = max(widest, payload)
        if n > 0 and (n + 1) * wide > max_cells:
            return BATCH_FULL, pos, n, block_left, block_kind, widest
        widest = wide
        starts[n] = pos + 4
        lengths[n] = payload
        blocks[n] = block_kind
        block_kind = 0
        n += 1
        pos += total
        if use_bdw:
            block_left -= total


def iter_variable(src: ByteSource, options: FrameOptions, *, batch_records: int,
                  batch_bytes: int) -> Iterator[RecordBatch]:
    """Batches of a V/VB file (with BDWs when ``options.bdw``)."""
    little = options.rdw_endian == "little"
    lrecl = -1 if options.lrecl is None else options.lrecl
    reader = ChunkReader(src, CHUNK_SIZE)
    builder = BatchBuilder(lrecl=options.lrecl, pad=0, with_blocks=options.bdw)
    starts = np.empty(batch_records, dtype=np.int64)
    lengths = np.empty(batch_records, dtype=np.int32)
    blocks = np.zeros(batch_records, dtype=np.int8)
    # with LRECL the matrix is LRECL wide whatever the records, so batch_bytes counts LRECL per record
    narrowest = options.lrecl or 0
    block_left, block_kind, widest = 0, 0, narrowest
    first = 0
    header = src.header
    yielded = False
    pos = 0
    n_chunk_start = 0     # batch index of the first record found in the current chunk
    n = 0
    max_cells = max(batch_bytes, 1)
    if options.lrecl is not None:
        max_cells = max(max_cells, options.lrecl)

    def take() -> None:
        nonlocal n_chunk_start
        if n > n_chunk_start:
            sl = slice(n_chunk_start, n)
            builder.add(reader.chunk, reader.base, starts[sl].copy(), lengths[sl].copy(),
                        blocks=blocks[sl].copy())
        n_chunk_start = n

    while True:
        status, pos, n, block_left, block_kind, widest = scan_descriptors(
            reader.chunk, pos, reader.end, little, options.rdw_adjust, lrecl, options.bdw,
            block_left, block_kind, n, batch_records, max_cells, widest, starts, lengths, blocks)
        if status in (BAD_RDW, BAD_BDW, RECORD_OVERRUNS_BLOCK):
            _raise_bad_header(status, reader, pos, first + n, options, block_left)
        done = False
        if status == NEED_MORE:
            take()
            if not reader.at_end:
                reader.refill(pos)
                pos = 0
                continue
            if pos < reader.end:
                _raise_cut_short(reader, pos, first + n, options, block_left)
            if options.bdw and block_left:
                raise FramingError(f"the file ends {block_left} bytes before the end of the "
                                   f"block its last BDW announced", file=src.name,
                                   offset=reader.base + pos, record=first + n + 1,
                                   hint="check --skip-trailer-bytes, or a truncated transfer")
            done = True
        take()
        if n or not yielded or (done and src.trailer):
            yield builder.build(first_record=first, header=header,
                                trailer=src.trailer if done else b"")
            header = b""
            yielded = True
            first += n
        n = n_chunk_start = 0
        widest = narrowest
        if done:
            return


def _raise_bad_header(status: int, reader: ChunkReader, pos: int, record: int,
                      options: FrameOptions, block_left: int) -> None:
    buf, end = reader.chunk, reader.end
    raw = buf[pos:pos + 4].tobytes()
    offset = reader.base + pos
    name = reader.src.name
    if status == BAD_BDW:
        problem = bdw_problem(raw, options.rdw_endian) or "bad BDW"
        raise FramingError(problem, file=name, offset=offset, record=record + 1, seen=raw,
                           hint=_bdw_hint(raw, options, record))
    if status == RECORD_OVERRUNS_BLOCK:
        fields = parse_rdw(raw, options.rdw_endian)
        payload = rdw_payload(fields.length, options.rdw_adjust)
        raise FramingError(f"RDW says {payload + 4} bytes (record and RDW) but only {block_left} "
                           f"are left in the block its BDW announced", file=name, offset=offset,
                           record=record + 1, seen=raw,
                           hint=_rdw_hint(buf, end, pos, raw, options, record))
    problem = rdw_problem(raw, options.rdw_endian, options.rdw_adjust, options.lrecl) or "bad RDW"
    raise FramingError(problem, file=name, offset=offset, record=record + 1, seen=raw,
                       hint=_rdw_hint(buf, end, pos, raw, options, record))


def _raise_cut_short(reader: ChunkReader, pos: int, record: int, options: FrameOptions,
                     block_left: int) -> None:
    raw = reader.chunk[pos:min(reader.end, pos + 4)].tobytes()
    left = reader.end - pos
    name = reader.src.name
    if options.bdw and block_left == 0 and left < 4:
        raise FramingError(f"{left} bytes after the last block, too few for a BDW", file=name,
                           offset=reader.base + pos, record=record + 1, seen=raw,
                           hint="check --skip-trailer-bytes, or a truncated transfer")
    if left < 4:
        raise FramingError(f"{left} bytes after the last record, too few for an RDW", file=name,
                           offset=reader.base + pos, record=record + 1, seen=raw,
                           hint="check --skip-trailer-bytes, or a truncated transfer")
    fields = parse_rdw(raw, options.rdw_endian)
    payload = rdw_payload(fields.length, options.rdw_adjust)
    hint = _rdw_hint(reader.chunk, reader.end, pos, raw, options, record, cut_short=True)
    raise FramingError(f"RDW announces a record of {payload} bytes but the file ends "
                       f"{left - 4} bytes after it", file=name, offset=reader.base + pos,
                       record=record + 1, seen=raw, hint=hint)


def _other_endian(options: FrameOptions) -> str:
    return "big" if options.rdw_endian == "little" else "little"


def _rdw_ok(buf: np.ndarray, end: int, at: int, endian: str, adjust: int, lrecl: int | None) -> bool:
    if at < 0 or at + 4 > end:
        return False
    raw = buf[at:at + 4].tobytes()
    if rdw_problem(raw, endian, adjust, lrecl) is not None:
        return False
    payload = rdw_payload(parse_rdw(raw, endian).length, adjust)
    return at + 4 + payload <= end


def _rdws_chain(buf: np.ndarray, end: int, at: int, endian: str, adjust: int,
                lrecl: int | None) -> bool:
    """Whether two RDWs in a row (or one ending the data) read cleanly from `at`."""
    if not _rdw_ok(buf, end, at, endian, adjust, lrecl):
        return False
    after = at + 4 + rdw_payload(parse_rdw(buf[at:at + 4].tobytes(), endian).length, adjust)
    return after == end or _rdw_ok(buf, end, after, endian, adjust, lrecl)


def _rdw_hint(buf: np.ndarray, end: int, pos: int, raw: bytes, options: FrameOptions,
              record: int, cut_short: bool = False) -> str:
    """The option most likely wrong, judged from the bytes around the bad RDW."""
    endian, adjust, lrecl = options.rdw_endian, options.rdw_adjust, options.lrecl
    other = _other_endian(options)
    if options.bdw and record == 0 and _rdws_chain(buf, end, pos - 4, endian, adjust, lrecl):
        return "no block descriptors (the first BDW reads as an RDW)? drop --bdw (Python: bdw=False)"
    if len(raw) == 4 and not cut_short:
        problem = rdw_problem(raw, endian, adjust, None)
        if problem is None and lrecl is not None:
            return "check --lrecl (it counts the record data, without the 4-byte RDW)"
        if rdw_problem(raw, other, adjust, lrecl) is None:
            return f"{other}-endian RDW? try --rdw-endian {other}"
    if adjust != 4 and _rdw_ok(buf, end, pos + 4 - adjust, endian, 4, lrecl):
        return "RDW counts only the data? try --rdw-adjust 4"
    if adjust != 0 and _rdw_ok(buf, end, pos - adjust, endian, 0, lrecl):
        return "RDW counts itself (IBM)? try --rdw-adjust 0"
    if len(raw) == 4 and parse_rdw(raw, endian).length < 4 and adjust == 0:
        return "RDW counts only the data? try --rdw-adjust 4"
    if record == 0 and not options.bdw and _looks_like_bdw_then_rdw(buf, end, pos, options):
        return "block descriptors before the records? try --bdw (Python: bdw=True; RECFM VB with BDWs)"
    if record == 0:
        return ("check --recfm, --rdw-endian and --rdw-adjust, or --skip-header-bytes for a "
                "header before the first record")
    return "check --rdw-endian, --rdw-adjust and --skip-trailer-bytes"


def _looks_like_bdw_then_rdw(buf: np.ndarray, end: int, pos: int, options: FrameOptions) -> bool:
    raw = buf[pos:pos + 4].tobytes()
    if len(raw) < 4 or bdw_problem(raw, options.rdw_endian) is not None:
        return False
    return _rdw_ok(buf, end, pos + 4, options.rdw_endian, options.rdw_adjust, options.lrecl)


def _bdw_hint(raw: bytes, options: FrameOptions, record: int) -> str:
    other = _other_endian(options)
    if bdw_problem(raw, other) is None:
        return f"{other}-endian BDW? try --rdw-endian {other}"
    if record == 0 and rdw_problem(raw, options.rdw_endian, options.rdw_adjust, options.lrecl) is None:
        return "no block descriptors? drop --bdw (Python: bdw=False; RDWs only, as after most SFTP transfers)"
    if record == 0:
        return "check --recfm and --skip-header-bytes"
    return "check --rdw-endian and --skip-trailer-bytes"

