"""Record framing: a file's bytes ↔ a (records × width) uint8 matrix, for RECFM F/FB, V/VB
(RDW, BDW) and TEXT, streaming and byte-exact both ways.

Framing is always stated (`FrameOptions`), never guessed from the data; a file that does not
fit it is a `FramingError` naming the byte offset, the bytes seen and the option to check.
"""
from __future__ import annotations

from bridge.errors import FramingError
from bridge.frame.batch import BLOCK_EXTENDED, BLOCK_NONE, BLOCK_STANDARD, RecordBatch
from bridge.frame.options import FrameOptions
from bridge.frame.rdw import Bdw, BdwLittle, Rdw, RdwLittle, build_bdw, build_rdw, parse_bdw, parse_rdw
from bridge.frame.reader import iter_batches, read_batch
from bridge.frame.source import Source
from bridge.frame.text import LineEnd
from bridge.frame.writer import DEFAULT_BLOCK_SIZE, FrameWriter, write_batches

__all__ = [
    "BLOCK_EXTENDED",
    "BLOCK_NONE",
    "BLOCK_STANDARD",
    "Bdw",
    "BdwLittle",
    "DEFAULT_BLOCK_SIZE",
    "FrameOptions",
    "FrameWriter",
    "FramingError",
    "LineEnd",
    "Rdw",
    "RdwLittle",
    "RecordBatch",
    "Source",
    "build_bdw",
    "build_rdw",
    "iter_batches",
    "parse_bdw",
    "parse_rdw",
    "read_batch",
    "write_batches",
]
