"""The compiled kernels of `bridge.score.reasons`: TreeSHAP's tables and their evaluation.

Kept apart so that `reasons` loads them only when a batch is big enough to need them (see
`reasons.SMALL_ROWS`). Both have native forms (`bridge.codec.native`: no numba in a process
that finds them built): they allocate nothing (scratch comes from the caller) and cannot
raise, and the rows are shared out between threads here rather than by numba's ``prange``. The
mathematics is described in `bridge.score.reasons`.
"""
from __future__ import annotations

import numpy as np

from bridge.codec.jit import njit
from bridge.score.reasons import MAX_PATH_FEATURES

_ROWS_PER_TASK = 256


@njit(cache=True, inline="always")
def _factorial(k):
    f = 1.0
    for i in range(2, k + 1):
        f *= i
    return f


def fill_tables(elem_start, elem_len, elem_z, table_start, leaf_value, tables) -> None:
    """A(T) * leaf value for every subset T of every leaf's path features, into ``tables``."""
    _fill_tables(elem_start, elem_len, elem_z, table_start, leaf_value, tables,
                 np.empty(MAX_PATH_FEATURES + 1), np.empty(MAX_PATH_FEATURES + 1))


# numpy's error model: the one division is by a factorial, never 0 (and the kernel cannot raise)
@njit(cache=True, nogil=True, native=True, error_model="numpy")
def _fill_tables(elem_start, elem_len, elem_z, table_start, leaf_value, tables, poly, weights):
    for leaf in range(elem_len.shape[0]):
        d = elem_len[leaf]
        if d == 0:
            continue
        e0 = elem_start[leaf]
        base = table_start[leaf]
        # Shapley weights k!(d-1-k)!/d!
        for k in range(d):
            weights[k] = _factorial(k) * _factorial(d - 1 - k) / _factorial(d)
        full = (1 << d) - 1
        for subset in range(1 << d):
            if subset == full:
                tables[base + subset] = 0.0
                continue
            poly[0] = 1.0
            size = 0
            for j in range(d):
                z = elem_z[e0 + j]
                if subset & (1 << j):
                    # multiply by (z + t)
                    poly[size + 1] = poly[size]
                    for k in range(size, 0, -1):
                        poly[k] = poly[k] * z + poly[k - 1]
                    poly[0] = poly[0] * z
                    size += 1
                else:
                    for k in range(size + 1):
                        poly[k] = poly[k] * z
            total = 0.0
            for k in range(size + 1):
                total += poly[k] * weights[k]
            tables[base + subset] = total * leaf_value[leaf]


@njit(cache=True, inline="always")
def _goes_right(x, dtype, threshold, cat_lo, cat_hi, cat_bits):
    if dtype & 1:
        if np.isnan(x):
            return True
        # C++ static_cast<int>: truncation toward zero, so -0.5 is category 0
        if x <= -1.0 or x >= 2147483648.0:
            return True
        ival = np.int64(x)
        word = ival >> 5
        if word >= cat_hi - cat_lo:
            return True
        return ((cat_bits[cat_lo + word] >> np.uint32(ival & 31)) & np.uint32(1)) == 0
    missing = (dtype >> 2) & 3
    if np.isnan(x) and missing != 2:
        x = 0.0
    if (missing == 1 and -1e-35 <= x <= 1e-35) or (missing == 2 and np.isnan(x)):
        return (dtype & 2) == 0
    return not (x <= threshold)


def contributions(X, arrays: tuple, out, num_threads: int | None = None) -> None:
    """Add each row's contributions to ``out`` (rows of ``X``; ``arrays``: the tables' arguments,
    ending with the largest node and leaf counts), the rows shared out between threads."""
    from bridge.score.compiled.native import over_rows

    max_nodes, max_leaves = arrays[-2:]

    def run(start: int, stop: int) -> None:
        failed = np.empty(max_nodes + max_leaves, dtype=np.int64)
        _contributions(start, stop, X, *arrays, failed, out)

    over_rows(X.shape[0], run, threads=num_threads, align=_ROWS_PER_TASK)


@njit(cache=True, nogil=True, native=True)
def _contributions(r_begin, r_end, X, node_start, node_count, node_order, split_feature, split_slot, threshold,
                   decision_type, cat_lo, cat_hi, cat_bits, left, right,
                   leaf_start, leaf_count, elem_start, elem_len, elem_feature, elem_slot, elem_c1,
                   table_start, tables, max_nodes, max_leaves, failed, out):
    # failed[k]: tree-local feature slots whose split this row does not follow on the way to
    # node k (internal nodes first, then leaves); a leaf's U is the complement on its path.
    for r0 in range(r_begin, r_end, _ROWS_PER_TASK):
        r1 = min(r_end, r0 + _ROWS_PER_TASK)
        # tree outer, rows inner: one tree's arrays and tables stay in cache for the block
        for t in range(node_start.shape[0]):
            n0 = node_start[t]
            l0 = leaf_start[t]
            for r in range(r0, r1):
                failed[0] = 0
                for j in range(node_count[t]):
                    g = n0 + node_order[n0 + j]
                    x = X[r, split_feature[g]]
                    if -1e-35 <= x <= 1e-35:
                        x = 0.0
                    go_right = np.int64(_goes_right(x, decision_type[g], threshold[g],
                                                    cat_lo[g], cat_hi[g], cat_bits))
                    here = failed[g - n0]
                    bit = np.int64(1) << split_slot[g]
                    failed[left[g]] = here | (bit * go_right)
                    failed[right[g]] = here | (bit * (1 - go_right))
                for leaf in range(l0, l0 + leaf_count[t]):
                    d = elem_len[leaf]
                    if d == 0:
                        continue
                    missed = failed[max_nodes + leaf - l0]
                    e0 = elem_start[leaf]
                    ones = np.int64(0)
                    for i in range(d):
                        ones |= (((missed >> elem_slot[e0 + i]) & 1) ^ 1) << i
                    tb = table_start[leaf]
                    # branch-free on purpose: whether a row follows a split is a coin flip
                    for i in range(d):
                        on = (ones >> i) & 1
                        value = tables[tb + (ones & ~(np.int64(1) << i))]
                        coef = elem_c1[e0 + i] * on - (1 - on)
                        out[r, elem_feature[e0 + i]] += coef * value
