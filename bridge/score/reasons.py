"""Exact reason codes: LightGBM's per-feature contributions, ranked toward the adverse outcome.

A reason code names a feature that pushed the record toward the positive (adverse) class:
its contribution to the raw score, as LightGBM's ``predict(pred_contrib=True)`` computes it
(path-dependent TreeSHAP over the training covers), is positive. The codes are the top N such
features, largest contribution first, ties broken by the feature's position in the model,
mapped through the card's table; a code that two features share is cited once; slots left
over are blank.

The decision behind this module is speed. LightGBM's own ``pred_contrib`` costs about 150
plain predictions per row and barely uses a second core. `TreeShap` computes the same numbers
another way, exact to rounding (about 1e-15 relative):

* For one leaf, TreeSHAP's contribution of a feature *i* on the leaf's path depends only on
  the leaf value, the path's zero fractions ``z`` (cover of the branch taken over cover of
  the node, multiplied over every split on the same feature: LightGBM's unwind/re-extend of
  a repeated feature) and on the set ``U`` of path features whose every split the record
  follows: ``phi_i = v * (o_i - z_i) / z_i * A(U - {i})`` with
  ``A(T) = sum over S within T of |S|!(d-|S|-1)!/d! * prod(z_j, j not in S)``.
* ``A`` is tabulated once per leaf for every subset of its ``d`` distinct path features
  (2**d values; the idea of Fast TreeSHAP v2, Yang 2021). Scoring a record is then one
  pass of split decisions per tree and ``d`` table reads per leaf, in a numba kernel
  parallel over rows (``prange``), with no Python per row.

LightGBM's split semantics are reproduced exactly: ``value <= threshold`` goes left; the
missing type of a split (None / Zero / NaN) with its default direction; NaN becomes 0.0 for
a split whose missing type is not NaN; values within 1e-35 of zero are zero (LightGBM drops
them from dense rows); categorical splits test the category's bit in the split's bitset and
send NaN and negative values right. A model this method cannot tabulate (a leaf of zero
cover, more than `MAX_PATH_FEATURES` distinct features on one path, or tables beyond
`MAX_TABLE_VALUES`) is explained by LightGBM's own ``pred_contrib`` instead, on the
selected rows only, in chunks over a thread pool (the ctypes call releases the GIL).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from numba import njit, prange

from bridge.score.model_text import ModelText, parse_model_text

__all__ = [
    "MAX_PATH_FEATURES",
    "MAX_TABLE_VALUES",
    "TreeShap",
    "rank_reasons",
    "reason_codes",
]

#: Most distinct features on one root-to-leaf path that `TreeShap` tabulates (2**d values a leaf).
MAX_PATH_FEATURES = 16
#: Most table values (float64) `TreeShap` builds for one model; beyond it, LightGBM explains.
MAX_TABLE_VALUES = 1 << 24

_ZERO_THRESHOLD = 1e-35          # LightGBM's kZeroThreshold
_CATEGORICAL = 1                 # decision_type bit: categorical split
_DEFAULT_LEFT = 2                # decision_type bit: missing values go left
_MISSING_ZERO = 1                # (decision_type >> 2) & 3
_MISSING_NAN = 2
_ROWS_PER_TASK = 256


@dataclass(frozen=True, slots=True)
class _Tree:
    split_feature: np.ndarray
    threshold: np.ndarray
    decision_type: np.ndarray
    left: np.ndarray
    right: np.ndarray
    internal_count: np.ndarray
    leaf_value: np.ndarray
    leaf_count: np.ndarray
    cat_boundaries: np.ndarray
    cat_threshold: np.ndarray


def _parse_trees(model_text: str | ModelText) -> tuple[list[str], list[_Tree]]:
    """Feature names and trees of a LightGBM text model (a single-output model only), as the one
    reader of model.txt (`bridge.score.model_text`) checked them; a `ModelText` is not read again."""
    model = model_text if isinstance(model_text, ModelText) else parse_model_text(model_text)
    if model.num_tree_per_iteration != 1:
        raise ValueError("reason codes need a single-output model (binary or regression), "
                         f"this one has {model.num_tree_per_iteration} trees per iteration")
    if any(t.linear for t in model.trees):
        raise ValueError("linear trees (linear_tree=true) have no exact reason codes here")
    trees = [_Tree(split_feature=t.split_feature, threshold=t.threshold, decision_type=t.decision_type,
                   left=t.left, right=t.right, internal_count=t.internal_count, leaf_value=t.leaf_value,
                   leaf_count=t.leaf_count, cat_boundaries=t.cat_boundaries, cat_threshold=t.cat_threshold)
             for t in model.trees]
    return list(model.feature_names), trees


@njit(cache=True)
def _factorial(k):
    f = 1.0
    for i in range(2, k + 1):
        f *= i
    return f


@njit(cache=True)
def _fill_tables(elem_start, elem_len, elem_z, table_start, leaf_value, tables):
    """A(T) * leaf value for every subset T of every leaf's path features."""
    poly = np.empty(MAX_PATH_FEATURES + 1)
    for leaf in range(elem_len.shape[0]):
        d = elem_len[leaf]
        if d == 0:
            continue
        e0 = elem_start[leaf]
        base = table_start[leaf]
        # Shapley weights k!(d-1-k)!/d!
        weights = np.empty(d)
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


@njit(cache=True, parallel=True, nogil=True)
def _contributions(X, node_start, node_count, node_order, split_feature, split_slot, threshold,
                   decision_type, cat_lo, cat_hi, cat_bits, left, right,
                   leaf_start, leaf_count, elem_start, elem_len, elem_feature, elem_slot, elem_c1,
                   table_start, tables, max_nodes, max_leaves, out):
    n = X.shape[0]
    n_tasks = (n + _ROWS_PER_TASK - 1) // _ROWS_PER_TASK
    for task in prange(n_tasks):
        # failed[k]: tree-local feature slots whose split this row does not follow on the way to
        # node k (internal nodes first, then leaves); a leaf's U is the complement on its path.
        failed = np.empty(max_nodes + max_leaves, dtype=np.int64)
        r0 = task * _ROWS_PER_TASK
        r1 = min(n, r0 + _ROWS_PER_TASK)
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


class TreeShap:
    """LightGBM's ``pred_contrib`` for a single-output model, tabulated for fast exact evaluation.

    ``TreeShap.from_booster(booster).contributions(X)`` returns an ``(n, n_features + 1)``
    array equal (to rounding) to ``booster.predict(X, pred_contrib=True)``: raw-score
    contributions, the expected value in the last column, each row summing to the raw score.
    """

    def __init__(self, model_text: str | ModelText, booster: object | None = None) -> None:
        self.feature_names, trees = _parse_trees(model_text)
        self.n_features = len(self.feature_names)
        self._booster = booster
        self.fallback_reason: str | None = None
        self._build(trees)

    @classmethod
    def from_booster(cls, booster: object) -> "TreeShap":
        """Tables for the trees ``booster.predict`` uses (its best iteration when it has one)."""
        text = getattr(booster, "text", None)    # a TextBooster's checked model: not read again
        if not isinstance(text, ModelText):
            text = booster.model_to_string()  # type: ignore[attr-defined]
        return cls(text, booster)

    # -- construction -------------------------------------------------------------------
    def _build(self, trees: list[_Tree]) -> None:
        max_nodes = max([len(t.split_feature) for t in trees] + [1])
        max_leaves = max([len(t.leaf_value) for t in trees] + [1])
        node_start, node_count, leaf_start, leaf_count = [], [], [], []
        order_all, feats, slots, thr, dtypes, lefts, rights = [], [], [], [], [], [], []
        cat_lo, cat_hi, cat_bits = [], [], []
        elem_start, elem_len, elem_feature, elem_slot, elem_z, elem_c1 = [], [], [], [], [], []
        leaf_values: list[float] = []
        bias = 0.0
        n_nodes = n_leaves = n_bits = 0
        for tree in trees:
            n_internal = len(tree.split_feature)
            node_start.append(n_nodes)
            node_count.append(n_internal)
            leaf_start.append(n_leaves)
            leaf_count.append(len(tree.leaf_value))
            n_leaves += len(tree.leaf_value)
            if n_internal == 0:
                bias += float(tree.leaf_value[0])
                elem_start.append(len(elem_feature))
                elem_len.append(0)
                leaf_values.append(0.0)
                continue
            n_nodes += n_internal
            bias += float(np.sum(tree.leaf_count / tree.internal_count[0] * tree.leaf_value))
            used = sorted({int(f) for f in tree.split_feature})
            if len(used) > 63:
                self.fallback_reason = f"a tree splits on {len(used)} distinct features (tabulated up to 63)"
            slot_of = {f: i for i, f in enumerate(used)}
            # Breadth-first order (a parent before its children) and every leaf's path.
            paths: dict[int, list[tuple[int, bool]]] = {}
            queue: list[tuple[int, list[tuple[int, bool]]]] = [(0, [])]
            for node, path in queue:
                order_all.append(node)
                for child, go_right in ((tree.left[node], False), (tree.right[node], True)):
                    step = path + [(node, go_right)]
                    if child < 0:
                        paths[~child] = step
                    else:
                        queue.append((int(child), step))
            for k in range(n_internal):
                f = int(tree.split_feature[k])
                feats.append(f)
                slots.append(min(slot_of[f], 62))
                thr.append(tree.threshold[k])
                dtypes.append(tree.decision_type[k])
                lefts.append(int(tree.left[k]) if tree.left[k] >= 0 else max_nodes + ~int(tree.left[k]))
                rights.append(int(tree.right[k]) if tree.right[k] >= 0 else max_nodes + ~int(tree.right[k]))
                if tree.decision_type[k] & _CATEGORICAL:
                    ci = int(tree.threshold[k])
                    cat_lo.append(n_bits + int(tree.cat_boundaries[ci]))
                    cat_hi.append(n_bits + int(tree.cat_boundaries[ci + 1]))
                else:
                    cat_lo.append(0)
                    cat_hi.append(0)
            cat_bits.extend(tree.cat_threshold.tolist())
            n_bits += len(tree.cat_threshold)
            for leaf in range(len(tree.leaf_value)):
                zs: dict[int, float] = {}      # feature -> zero fraction, in path order
                for node, go_right in paths[leaf]:
                    f = int(tree.split_feature[node])
                    child = tree.right[node] if go_right else tree.left[node]
                    cover = tree.leaf_count[~child] if child < 0 else tree.internal_count[child]
                    if cover <= 0 or tree.internal_count[node] <= 0:
                        self.fallback_reason = "a branch has zero training cover"
                        cover = 0.0
                    zs[f] = zs.get(f, 1.0) * (cover / tree.internal_count[node] if cover else 0.0)
                if len(zs) > MAX_PATH_FEATURES:
                    self.fallback_reason = (f"a path uses {len(zs)} distinct features "
                                            f"(tabulated up to {MAX_PATH_FEATURES})")
                elem_start.append(len(elem_feature))
                elem_len.append(len(zs))
                for f, z in zs.items():
                    elem_feature.append(f)
                    elem_slot.append(min(slot_of[f], 62))
                    elem_z.append(z)
                    elem_c1.append((1.0 - z) / z if z > 0 else 0.0)
                leaf_values.append(float(tree.leaf_value[leaf]))

        self.bias = bias
        lens = np.array(elem_len, dtype=np.int64)
        sizes = np.where(lens > 0, np.left_shift(1, np.minimum(lens, 62)), 0)
        if int(sizes.sum()) > MAX_TABLE_VALUES and self.fallback_reason is None:
            self.fallback_reason = f"its tables would hold {int(sizes.sum())} values (limit {MAX_TABLE_VALUES})"
        self._arrays: tuple | None = None
        if self.fallback_reason is not None:
            if self._booster is None:
                raise ValueError(f"cannot tabulate this model ({self.fallback_reason}) "
                                 "and no booster to fall back on")
            return

        def i64(values: list) -> np.ndarray:
            return np.asarray(values, dtype=np.int64)

        table_start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        tables = np.empty(int(sizes.sum()), dtype=np.float64)
        _fill_tables(i64(elem_start), lens, np.asarray(elem_z, dtype=np.float64), table_start,
                     np.asarray(leaf_values, dtype=np.float64), tables)
        self._arrays = (
            i64(node_start), i64(node_count), i64(order_all), i64(feats), i64(slots),
            np.asarray(thr, dtype=np.float64), i64(dtypes), i64(cat_lo), i64(cat_hi),
            np.asarray(cat_bits, dtype=np.uint32), i64(lefts), i64(rights),
            i64(leaf_start), i64(leaf_count), i64(elem_start), lens, i64(elem_feature),
            i64(elem_slot), np.asarray(elem_c1, dtype=np.float64), table_start, tables,
            max_nodes, max_leaves,
        )

    # -- evaluation ---------------------------------------------------------------------
    @property
    def uses_lightgbm(self) -> bool:
        """True when this model is explained by LightGBM's ``pred_contrib`` (see `fallback_reason`)."""
        return self._arrays is None

    def contributions(self, X: np.ndarray, *, num_threads: int | None = None) -> np.ndarray:
        """Per-feature raw-score contributions of each row of ``X`` (float64), bias last."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected a (rows, {self.n_features}) matrix, got shape {X.shape}")
        if self._arrays is None:
            return _lightgbm_contributions(self._booster, X, num_threads)
        out = np.zeros((X.shape[0], self.n_features + 1), dtype=np.float64)
        if X.shape[0]:
            _contributions(X, *self._arrays, out)
        out[:, -1] = self.bias
        return out


def _lightgbm_contributions(booster: object, X: np.ndarray, num_threads: int | None) -> np.ndarray:
    workers = num_threads or os.cpu_count() or 1
    chunks = np.array_split(np.arange(X.shape[0]), max(1, min(workers * 4, X.shape[0] // 64 or 1)))

    def run(idx: np.ndarray) -> np.ndarray:
        return booster.predict(X[idx], pred_contrib=True, num_threads=1)  # type: ignore[attr-defined]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(run, chunks))
    return np.vstack(parts) if parts else np.zeros((0, X.shape[1] + 1))


def rank_reasons(contrib: np.ndarray, feature_codes: Sequence[str], n: int) -> np.ndarray:
    """Top-``n`` reason codes per row from a contributions matrix.

    ``contrib`` is ``(rows, n_features)`` (a trailing bias column is ignored when it has one
    more column than ``feature_codes``). ``feature_codes[j]`` is the code of feature ``j``, or
    ``""`` for a feature that is never cited. Only positive contributions count; the order is
    contribution descending, then feature position; a code already cited in the row is
    skipped. Returns a ``(rows, n)`` array of str, ``""`` in unused slots.
    """
    m = len(feature_codes)
    phi = np.asarray(contrib, dtype=np.float64)[:, :m]
    rows = phi.shape[0]
    codes = sorted({c for c in feature_codes if c})
    code_id = np.array([codes.index(c) if c else -1 for c in feature_codes], dtype=np.int64)
    width = max([len(c) for c in codes] + [1])
    result = np.full((rows, n), "", dtype=f"<U{width}")
    if rows == 0 or n == 0 or not codes:
        return result
    order = np.argsort(-phi, axis=1, kind="stable")
    ranked = np.take_along_axis(phi, order, axis=1)
    chosen = np.full((rows, n), -1, dtype=np.int64)
    filled = np.zeros(rows, dtype=np.int64)
    all_rows = np.arange(rows)
    code_table = np.array(codes + [""])
    for k in range(m):
        cid = code_id[order[:, k]]
        ok = (ranked[:, k] > 0.0) & (cid >= 0) & (filled < n)
        ok &= ~np.any(chosen == cid[:, None], axis=1)
        if not ok.any():
            continue
        chosen[all_rows[ok], filled[ok]] = cid[ok]
        filled += ok
    result[:] = code_table[chosen]
    return result


def reason_codes(booster_or_shap: object, X: np.ndarray, rows_mask: np.ndarray | None,
                 table: Mapping[str, str], n: int, *, default: str | None = None,
                 feature_names: Sequence[str] | None = None,
                 num_threads: int | None = None) -> np.ndarray:
    """Top-``n`` reason codes for the rows of ``X`` that ``rows_mask`` selects (all when None).

    ``table`` maps feature name to code; a feature missing from it gets ``default`` (or is
    never cited when ``default`` is None or empty). Contributions are computed only for the
    selected rows. Returns ``(len(X), n)`` str, all ``""`` for rows not selected.
    """
    shap = booster_or_shap if isinstance(booster_or_shap, TreeShap) else TreeShap.from_booster(booster_or_shap)
    names = list(feature_names) if feature_names is not None else shap.feature_names
    feature_codes = [table.get(name, default or "") or "" for name in names]
    X = np.asarray(X, dtype=np.float64)
    selected = np.arange(X.shape[0]) if rows_mask is None else np.flatnonzero(rows_mask)
    width = max([len(c) for c in feature_codes] + [1])
    out = np.full((X.shape[0], n), "", dtype=f"<U{width}")
    if len(selected):
        contrib = shap.contributions(X[selected], num_threads=num_threads)
        out[selected] = rank_reasons(contrib, feature_codes, n)
    return out
