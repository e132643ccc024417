"""Rdw and Bdw: the 4-byte record and block descriptors of RECFM V/VB, as `construct` structures.

These structures are the definition of the headers: the Python paths (error diagnosis, the
writer's block headers, the tests' reference) parse and build with them, and the numba scan in
`variable.py` decodes the same bytes in bulk and is tested against them.

- RDW, IBM: ``LL LL 00 00``, LL big-endian, counting its own 4 bytes, 4..32,760.
- BDW, IBM: ``LL LL 00 00`` like an RDW, counting its own 4 bytes; with the high bit of the first
  byte set it is an *extended* BDW whose other 31 bits are the block length (blocks > 32,760).
- Little-endian variants are the four bytes in reverse order (``00 00 ll hh``), as written by
  some distributed producers (Cobrix's ``is_rdw_big_endian=false``).
"""
from __future__ import annotations

from construct import (BitsInteger, BitStruct, ByteSwapped, Container, Flag, If, IfThenElse,
                       Int16ub, Struct, Transformed, swapbytes, this)

from bridge.errors import FramingError

__all__ = [
    "Bdw",
    "BdwLittle",
    "MAX_BDW_LENGTH",
    "MAX_EXTENDED_BDW_LENGTH",
    "MAX_RDW_LENGTH",
    "Rdw",
    "RdwLittle",
    "bdw_struct",
    "build_bdw",
    "build_rdw",
    "parse_bdw",
    "parse_rdw",
    "rdw_payload",
    "rdw_problem",
    "bdw_problem",
]

MAX_RDW_LENGTH = 32760
MAX_BDW_LENGTH = 32760
MAX_EXTENDED_BDW_LENGTH = 2**31 - 1

#: IBM record descriptor word: length (including these 4 bytes), then two reserved zero bytes.
Rdw = Struct("length" / Int16ub, "reserved" / Int16ub)
#: The same four bytes in reverse order: ``00 00 ll hh``.
RdwLittle = ByteSwapped(Rdw)

#: IBM block descriptor word, standard (15-bit length + 2 reserved bytes) or extended (31-bit).
Bdw = BitStruct(
    "extended" / Flag,
    "length" / IfThenElse(this.extended, BitsInteger(31), BitsInteger(15)),
    "reserved" / If(lambda ctx: not ctx.extended, BitsInteger(16)),
)
#: The BDW's four bytes in reverse order (the flag bit is then in the last byte).
BdwLittle = Transformed(Bdw, swapbytes, 4, swapbytes, 4)


def rdw_struct(endian: str) -> Struct:
    return RdwLittle if endian == "little" else Rdw  # pragma: no mutate (endian is "big" or "little")


def bdw_struct(endian: str) -> Struct:
    return BdwLittle if endian == "little" else Bdw  # pragma: no mutate (endian is "big" or "little")


def parse_rdw(raw: bytes, endian: str = "big") -> Container:
    """Fields ``length`` and ``reserved`` of a 4-byte RDW (no validation)."""
    return rdw_struct(endian).parse(bytes(raw[:4]))  # pragma: no mutate (a longer slice parses the same)


def parse_bdw(raw: bytes, endian: str = "big") -> Container:
    """Fields ``extended``, ``length`` and ``reserved`` (None when extended) of a 4-byte BDW."""
    return bdw_struct(endian).parse(bytes(raw[:4]))  # pragma: no mutate (a longer slice parses the same)


def rdw_payload(length: int, adjust: int) -> int:
    """Data bytes behind an RDW holding `length`: ``length - 4 + adjust``."""
    return length - 4 + adjust


def build_rdw(payload: int, endian: str = "big", adjust: int = 0) -> bytes:
    """The RDW in front of a record of `payload` data bytes."""
    length = payload + 4 - adjust
    if not 0 <= length <= MAX_RDW_LENGTH:
        raise FramingError(f"a record of {payload} bytes does not fit an RDW (length {length}, "
                           f"allowed 0..{MAX_RDW_LENGTH})", hint="check --rdw-adjust and --lrecl")
    return rdw_struct(endian).build(Container(length=length, reserved=0))


def build_bdw(block_length: int, endian: str = "big", extended: bool = False) -> bytes:
    """The BDW of a block of `block_length` bytes (counting the BDW itself)."""
    limit = MAX_EXTENDED_BDW_LENGTH if extended else MAX_BDW_LENGTH
    if not 8 <= block_length <= limit:
        raise FramingError(f"a block of {block_length} bytes does not fit "
                           f"{'an extended' if extended else 'a'} BDW (allowed 8..{limit})")
    fields = Container(extended=extended, length=block_length, reserved=None if extended else 0)
    return bdw_struct(endian).build(fields)


def rdw_problem(raw: bytes, endian: str, adjust: int, lrecl: int | None) -> str | None:
    """What is wrong with this RDW under these options, or None when it is acceptable."""
    if len(raw) < 4:
        return f"{len(raw)} bytes left after the last record, too few for an RDW"
    fields = parse_rdw(raw, endian)
    where = "first two" if endian == "little" else "last two"
    if fields.reserved:
        return f"RDW reserved bytes (the {where}) are not zero"
    payload = rdw_payload(fields.length, adjust)
    if payload < 0:
        return (f"RDW length {fields.length} is shorter than the RDW itself"
                + (f" after --rdw-adjust {adjust}" if adjust else ""))
    if fields.length > MAX_RDW_LENGTH:
        return f"RDW length {fields.length} is over the maximum of {MAX_RDW_LENGTH}"
    if lrecl is not None and payload > lrecl:
        return f"record of {payload} bytes is longer than LRECL {lrecl}"
    return None


def bdw_problem(raw: bytes, endian: str) -> str | None:
    """What is wrong with this BDW, or None when it is acceptable."""
    if len(raw) < 4:
        return f"{len(raw)} bytes left after the last block, too few for a BDW"
    fields = parse_bdw(raw, endian)
    if not fields.extended and fields.reserved:
        return "BDW reserved bytes are not zero (and the extended-BDW bit is off)"
    if fields.length < 8:
        return f"BDW length {fields.length} cannot hold the BDW and one RDW (minimum 8)"
    if not fields.extended and fields.length > MAX_BDW_LENGTH:
        return f"BDW length {fields.length} is over the maximum of {MAX_BDW_LENGTH}"
    return None
