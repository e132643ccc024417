"""Unsigned packed decimal without a sign nibble (Micro Focus / GnuCOBOL COMP-6): two digits a byte.

A field of ``d`` digits takes ``(d + 1) // 2`` bytes; with an odd ``d`` the first nibble is a pad
that must be zero. The storage is that of a packed field of the same digits with the sign nibble
cut off, so this module moves the nibbles by one and lets `bridge.codec.packed` do the work
(digit checks, exact wide values, range refusals): one implementation of packed decimal, not two.
A digit nibble above 9 or a non-zero pad makes the value invalid; a negative value cannot be
written (there is no sign to write it with).

Reference: GnuCOBOL Programmer's Guide, USAGE COMPUTATIONAL-6; Micro Focus "COMP-6"
(OCamlPro/superbol PR #548 for the layout; Cobrix's ``COMP-3U`` is the same storage).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from bridge.codec import packed
from bridge.codec.numeric import Numbers, encode_rows
from bridge.codec.options import CodecOptions
from bridge.layout.model import Field

__all__ = ["decode", "encode", "encode_into", "length"]


def length(field: Field) -> int:
    """Bytes an unsigned packed field of ``field.digits`` digits takes."""
    return (field.digits + 1) // 2


def _as_packed(field: Field) -> Field:
    """The signed-nibble packed field whose digits are this field's nibbles (pad included)."""
    return replace(field, digits=2 * field.length, length=field.length + 1, signed=False, usage="COMP-3")


def decode(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions) -> Numbers:
    """The field at ``offset`` of every record: exact unscaled integers and an invalid mask."""
    n, size = matrix.shape[0], field.length
    src = matrix[:, offset:offset + size]
    shifted = np.empty((n, size + 1), np.uint8)
    shifted[:, 0] = src[:, 0] >> 4
    shifted[:, 1:size] = ((src[:, :size - 1] & 0x0F) << 4) | (src[:, 1:] >> 4)
    shifted[:, size] = ((src[:, size - 1] & 0x0F) << 4) | 0x0F
    numbers = packed.decode(shifted, 0, _as_packed(field), options)
    invalid = numbers.invalid
    if field.digits % 2:
        invalid = invalid | ((src[:, 0] >> 4) != 0)      # the pad nibble
    return replace(numbers, invalid=invalid, precision=max(1, field.digits))


def encode(numbers: Numbers, field: Field, options: CodecOptions, *, rows: np.ndarray | None = None,
           truncate: bool = False) -> np.ndarray:
    """The field's bytes (n, length): the digits of a packed field of the same digits, sign nibble cut.

    :raises EncodeError: as `bridge.codec.packed.encode` for an unsigned field: a null, more digits
        than the PICTURE or a negative value (unless ``truncate``), more decimal places than the scale.
    """
    as_packed = replace(field, length=field.digits // 2 + 1, signed=False, usage="COMP-3")
    data = packed.encode(numbers, as_packed, options, rows=rows, truncate=truncate)
    if field.digits % 2:      # d odd: digits then sign fill the bytes; put a pad nibble in front
        out = np.empty((data.shape[0], field.length), np.uint8)
        out[:, 0] = data[:, 0] >> 4
        out[:, 1:] = ((data[:, :-1] & 0x0F) << 4) | (data[:, 1:] >> 4)
        return out
    # d even: packed has a pad nibble in front and the sign behind; drop both
    return ((data[:, :-1] & 0x0F) << 4) | (data[:, 1:] >> 4)


def encode_into(matrix: np.ndarray, offset: int, numbers: Numbers, field: Field, options: CodecOptions,
                mask: np.ndarray | None = None, *, truncate: bool = False) -> None:
    """Encode in place into records at ``offset``, only the rows where ``mask`` is True."""
    encode_rows(encode, matrix, offset, numbers, field, options, mask, truncate=truncate)
