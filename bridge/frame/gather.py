"""The copy of record spans into a batch's matrix: one ``memcpy`` per record.

A record of V/VB data is a few hundred bytes at an offset of its own; numba compiles a slice
assignment between two arrays to a loop of byte stores, which ran at a third of a ``memcpy``
(12 ms against 4 ms for the 27 MB of the vb-odo bench file). The decision: an intrinsic
that emits LLVM's ``memcpy`` on the arrays' data, called once per record. This module imports
numba at its top, so `bridge.frame.batch` imports it only when a batch is gathered (see
`bridge.codec.jit` on why numba is kept out of imports).
"""
from __future__ import annotations

from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["gather_spans"]


@intrinsic
def _copy(typingctx, dst, d, src, s, n):  # pragma: no cover - compiled
    """``n`` bytes from byte ``s`` of ``src``'s data to byte ``d`` of ``dst``'s (no overlap)."""
    def codegen(context, builder, sig, args):
        target = context.make_array(sig.args[0])(context, builder, args[0])
        source = context.make_array(sig.args[2])(context, builder, args[2])
        cgutils.raw_memcpy(builder, builder.gep(target.data, [args[1]]),
                           builder.gep(source.data, [args[3]]), args[4], 1)
        return context.get_dummy_value()

    if not all(isinstance(t, types.Integer) for t in (d, s, n)):
        return None
    return types.void(dst, d, src, s, n), codegen


@njit(cache=True, nogil=True)
def gather_spans(src, starts, lengths, out, pad):  # pragma: no cover - compiled
    """Copy record i, ``src[starts[i]: starts[i] + lengths[i]]``, into ``out[i]`` and pad the rest.

    ``src`` is a 1-D uint8 array, ``out`` a C-contiguous (at least in its rows) uint8 matrix
    with a row per record; the caller has checked that every span lies within ``src`` and fits
    a row (compiled code has no bounds check)."""
    pitch = out.strides[0]
    for i in range(starts.shape[0]):
        n = lengths[i]
        _copy(out, i * pitch, src, starts[i], n)
        out[i, n:] = pad
