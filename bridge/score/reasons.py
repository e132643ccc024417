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
  pass of split decisions per tree and ``d`` table reads per leaf, in a compiled kernel
  over blocks of rows shared out between threads, with no Python per row.

LightGBM's split semantics are reproduced exactly: ``value <= threshold`` goes left; the
missing type of a split (None / Zero / NaN) with its default direction; NaN becomes 0.0 for
a split whose missing type is not NaN; values within 1e-35 of zero are zero (LightGBM drops
them from dense rows); categorical splits test the category's bit in the split's bitset and
send NaN and negative values right. A model this method cannot tabulate (a leaf of zero
cover, more than `MAX_PATH_FEATURES` distinct features on one path, or tables beyond
`MAX_TABLE_VALUES`) is explained by LightGBM's own ``pred_contrib`` instead, on the
selected rows only, in chunks over a thread pool (the ctypes call releases the GIL).

Small batches (at most `SMALL_ROWS` rows, while the tables are not built) are explained in
numpy instead (`_small_contributions`): loading the kernels (their native forms, or numba)
and filling the tables cost a process more than explaining a few rows in numpy.
The numpy path performs the kernel's floating-point operations in the kernel's order, so its
numbers are the kernel's to the bit; which path ran depends on the row count only. The
kernels live in `bridge.score.shap_kernels`, imported on the first big batch. A model read by
`Model.load` is explained from its checked text (`bridge.score.model_text`), not parsed again.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from bridge.score.model_text import ModelText

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
#: batches of at most this many rows are explained in numpy (`_small_contributions`) while the
#: model's tables are not built: numba's import and the tables cost more than a few rows in numpy
SMALL_ROWS = 64
#: most float64 values of one numpy step of the small path (rows x path elements x path length)
_SMALL_CELLS = 1 << 21


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
        self._structure: tuple | None = None
        self._arrays: tuple | None = None
        self._plan: dict | None = None
        self._lock = threading.Lock()
        if self.fallback_reason is not None:
            if self._booster is None:
                raise ValueError(f"cannot tabulate this model ({self.fallback_reason}) "
                                 "and no booster to fall back on")
            return

        def i64(values: list) -> np.ndarray:
            return np.asarray(values, dtype=np.int64)

        # the kernel's arguments but the tables, which are built on the first big batch
        self._structure = (
            i64(node_start), i64(node_count), i64(order_all), i64(feats), i64(slots),
            np.asarray(thr, dtype=np.float64), i64(dtypes), i64(cat_lo), i64(cat_hi),
            np.asarray(cat_bits, dtype=np.uint32), i64(lefts), i64(rights),
            i64(leaf_start), i64(leaf_count), i64(elem_start), lens, i64(elem_feature),
            i64(elem_slot), np.asarray(elem_c1, dtype=np.float64),
        )
        self._sizes = sizes
        self._elem_z = np.asarray(elem_z, dtype=np.float64)
        self._leaf_values = np.asarray(leaf_values, dtype=np.float64)
        self._max = (max_nodes, max_leaves)

    def _tables(self) -> tuple:
        """The compiled kernel's arguments with every leaf's table (filled on first use)."""
        with self._lock:
            if self._arrays is None:
                from bridge.score.shap_kernels import fill_tables

                structure = self._structure
                assert structure is not None
                table_start = np.concatenate([[0], np.cumsum(self._sizes)[:-1]]).astype(np.int64)
                tables = np.empty(int(self._sizes.sum()), dtype=np.float64)
                fill_tables(structure[14], structure[15], self._elem_z, table_start, self._leaf_values, tables)
                self._arrays = (*structure, table_start, tables, *self._max)
            return self._arrays

    # -- evaluation ---------------------------------------------------------------------
    @property
    def uses_lightgbm(self) -> bool:
        """True when this model is explained by LightGBM's ``pred_contrib`` (see `fallback_reason`)."""
        return self._structure is None

    def contributions(self, X: np.ndarray, *, num_threads: int | None = None, small: bool | None = None
                      ) -> np.ndarray:
        """Per-feature raw-score contributions of each row of ``X`` (float64), bias last.

        A batch of at most `SMALL_ROWS` rows is computed in numpy while the tables are not built
        (``small``: force one path or the other; the numbers are the same)."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected a (rows, {self.n_features}) matrix, got shape {X.shape}")
        if self._structure is None:
            return _lightgbm_contributions(self._booster, X, num_threads)
        out = np.zeros((X.shape[0], self.n_features + 1), dtype=np.float64)
        if small is None:
            small = X.shape[0] <= SMALL_ROWS and self._arrays is None
        if X.shape[0] and small:
            if self._plan is None:
                self._plan = _small_plan(self._structure, self._sizes, self._max[0])
            _small_contributions(X, self._structure, self._plan, self._elem_z, self._leaf_values, self._max[0], out)
        elif X.shape[0]:
            from bridge.score.shap_kernels import contributions

            contributions(X, self._tables(), out, num_threads)
        out[:, -1] = self.bias
        return out


def _small_plan(structure: tuple, sizes: np.ndarray, max_nodes: int) -> dict[str, np.ndarray]:
    """What `_small_contributions` reads that does not depend on the rows: per path element, its
    leaf, tree and position; per leaf, where its table would start."""
    (node_start, node_count, node_order, *_, leaf_start, leaf_count, elem_start, elem_len, elem_feature,
     elem_slot, elem_c1) = structure
    n_elems = len(elem_feature)
    elem_leaf = np.repeat(np.arange(len(elem_len)), elem_len)
    tree = np.repeat(np.arange(len(node_start)), leaf_count)[elem_leaf]
    firsts = elem_start[elem_len > 0]
    features = np.unique(elem_feature)
    return {
        "elem_leaf": elem_leaf, "elem_i": np.arange(n_elems) - elem_start[elem_leaf], "tree": tree,
        "leaf_slot": max_nodes + elem_leaf - leaf_start[tree], "firsts": firsts,
        "leaf_first": np.searchsorted(firsts, elem_start[elem_leaf]),
        "table_start": np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64),
        "features": features, "by_feature": [np.flatnonzero(elem_feature == f) for f in features.tolist()],
        "levels": [np.flatnonzero(node_count > j) for j in range(int(node_count.max(initial=0)))],
        "bits": np.concatenate([structure[9], np.zeros(1, np.uint32)]),
    }


def _small_contributions(X: np.ndarray, structure: tuple, plan: dict, elem_z: np.ndarray,
                         leaf_values: np.ndarray, max_nodes: int, out: np.ndarray) -> None:
    """The compiled kernel's contributions for a few rows, in numpy and without the tables.

    The same operations in the same order as `shap_kernels._contributions` reading the tables
    of `shap_kernels._fill_tables`, so the same numbers to the bit (tests/score/test_reasons.py
    holds them so): each table value the rows need, ``A(U - {i}) * leaf value``, is computed
    once by the table's own polynomial product, all rows, leaves and path features at once, and
    each feature's terms are added in the kernel's order (a sequential ``cumsum``)."""
    (node_start, node_count, node_order, split_feature, split_slot, threshold, decision_type, cat_lo, cat_hi,
     cat_bits, left, right, leaf_start, leaf_count, elem_start, elem_len, elem_feature, elem_slot,
     elem_c1) = structure
    n, trees = X.shape[0], len(node_start)
    # failed[r, t, k]: the path-feature slots whose split row r does not follow on its way to node k
    # of tree t (internal nodes, then leaves at max_nodes + leaf), as the kernel's `failed`
    failed = np.zeros((n, trees, max_nodes + int(leaf_count.max(initial=1))), dtype=np.int64)
    for j, t in enumerate(plan["levels"]):
        g = node_start[t] + node_order[node_start[t] + j]
        x = X[:, split_feature[g]]
        x = np.where((x >= -_ZERO_THRESHOLD) & (x <= _ZERO_THRESHOLD), 0.0, x)
        go_right = _goes_right(x, decision_type[g], threshold[g], cat_lo[g], cat_hi[g], plan["bits"]).astype(np.int64)
        here = failed[:, t, g - node_start[t]]
        bit = np.left_shift(1, split_slot[g])
        failed[:, t, left[g]] = here | (bit * go_right)
        failed[:, t, right[g]] = here | (bit * (1 - go_right))
    if not len(elem_feature):
        return
    elem_leaf, elem_i = plan["elem_leaf"], plan["elem_i"]
    missed = failed[:, plan["tree"], plan["leaf_slot"]]
    follows = (((missed >> elem_slot) & 1) ^ 1) << elem_i
    ones = np.bitwise_or.reduceat(follows, plan["firsts"], axis=1)[:, plan["leaf_first"]]
    on = (ones >> elem_i) & 1
    subset = ones & ~np.left_shift(1, elem_i)
    # each table value the rows need, once: its place in the kernel's tables marks it
    place = plan["table_start"][elem_leaf] + subset
    mark = np.zeros(int(plan["table_start"][-1]) + (1 << int(elem_len[-1])) if len(elem_len) else 0, dtype=bool)
    mark[place] = True
    needed = np.flatnonzero(mark)
    position = np.empty(len(mark), dtype=np.int64)
    position[needed] = np.arange(len(needed))
    index = position[place]
    leaf = np.empty(len(needed), dtype=np.int64)
    leaf[index] = elem_leaf
    values = _table_values(leaf, needed - plan["table_start"][leaf], elem_start, elem_len, elem_z, leaf_values)
    flag = on.astype(np.float64)
    terms = (elem_c1 * flag - (1.0 - flag)) * values[index]    # the kernel's (c1 * on - (1 - on)) * value
    for f, columns in zip(plan["features"].tolist(), plan["by_feature"]):
        out[:, f] = np.cumsum(np.concatenate([np.zeros((n, 1)), terms[:, columns]], axis=1), axis=1)[:, -1]


def _table_values(leaf: np.ndarray, subset: np.ndarray, elem_start: np.ndarray, elem_len: np.ndarray,
                  elem_z: np.ndarray, leaf_values: np.ndarray) -> np.ndarray:
    """``tables[table_start[leaf] + subset]`` of `shap_kernels._fill_tables` for each pair, by the
    same operations: the polynomial of the zero fractions, its Shapley-weighted sum, the leaf value."""
    d = elem_len[leaf]
    depth = int(d.max(initial=0))
    out = np.empty(len(leaf))
    for r0 in range(0, len(leaf), _SMALL_CELLS // (depth + 1)):
        part = slice(r0, r0 + _SMALL_CELLS // (depth + 1))
        dd, first, bits = d[part], elem_start[leaf[part]], subset[part]
        poly = np.zeros((depth + 1, len(dd)))      # coefficient by pair: contiguous rows
        poly[0] = 1.0
        for k in range(depth):
            valid = k < dd
            z = np.where(valid, elem_z[np.minimum(first + k, len(elem_z) - 1)], 1.0)
            inside = valid & ((bits >> k) & 1).astype(bool)
            top = k + 2                             # after k factors at most k + 1 coefficients are set
            # z is 1.0 past a leaf's path (x * 1.0 is x), and adding 0.0 leaves a coefficient as it
            # is (they are never -0.0): times z, plus the shifted coefficients where (z + t) multiplies
            times = poly[:top] * z
            times[1:] += np.where(inside, poly[:top - 1], 0.0)   # poly[i] * z + poly[i - 1]
            poly[:top] = times
        weights = np.zeros((depth + 1, len(dd)))
        for size in np.unique(dd).tolist():
            column = [_factorial(k) * _factorial(size - 1 - k) / _factorial(size) for k in range(size)]
            weights[:size, dd == size] = np.array(column)[:, None]
        total = np.zeros(len(dd))
        for k in range(depth + 1):
            total = total + poly[k] * weights[k]
        out[part] = total * leaf_values[leaf[part]]
    return out


def _goes_right(x: np.ndarray, dtype: np.ndarray, threshold: np.ndarray, cat_lo: np.ndarray, cat_hi: np.ndarray,
                bits: np.ndarray) -> np.ndarray:
    """`shap_kernels._goes_right` for arrays: LightGBM's decision at each split."""
    nan = np.isnan(x)
    missing = (dtype >> 2) & 3
    w = np.where(nan & (missing != _MISSING_NAN), 0.0, x)
    default = (((missing == _MISSING_ZERO) & (w >= -_ZERO_THRESHOLD) & (w <= _ZERO_THRESHOLD))
               | ((missing == _MISSING_NAN) & np.isnan(w)))
    with np.errstate(invalid="ignore"):
        numeric = np.where(default, (dtype & _DEFAULT_LEFT) == 0, ~(w <= threshold))
        outside = nan | (x <= -1.0) | (x >= 2147483648.0)
    category = np.where(outside, 0.0, x).astype(np.int64)       # truncation toward zero, as C++
    word = category >> 5
    outside |= word >= cat_hi - cat_lo
    found = (bits[np.where(outside, 0, cat_lo + word)] >> (category & 31).astype(np.uint32)) & np.uint32(1)
    return np.where((dtype & _CATEGORICAL) != 0, outside | (found == 0), numeric)


def _factorial(k: int) -> float:
    f = 1.0
    for i in range(2, k + 1):
        f *= i
    return f


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
