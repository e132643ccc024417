"""Walks over the trees' node arrays: the numba fallback, and the numpy walk of small batches.

The fallback (`walk_raw`) is used where generating machine code for a model would exceed the
compile budget (or LLVM is unable to). It follows LightGBM's ``Tree::GetLeaf`` decision by
decision, so its results are the compiled code's and LightGBM's; it is about as fast as
LightGBM's own ``predict`` per core and, like the compiled code, runs row slices in threads.
numba is loaded on its first call (`bridge.codec.jit`), not when this module is imported.

`SmallWalk` predicts a batch of at most `SMALL_ROWS` rows in numpy, from the checked model
text the scorer already holds. Decision: a ten-record run should not pay for the compiled
model (llvmlite, a second parse of the model text, linking: about 0.1 s) or numba (0.4 s and
more); a numpy walk moves every row down every tree at once, one level per step, so its cost
is a few dozen numpy calls per level of the deepest tree, milliseconds for a few hundred rows.
It makes the same decisions as `_leaf`, adds the leaves in LightGBM's order (a sequential
``cumsum``, not numpy's pairwise ``sum``) and applies the output transform with the C library's
``exp`` and ``log1p`` (Python's `math`), as the compiled code does: its numbers are the compiled
model's to the bit, held so by tests/score/test_small_walk.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bridge.codec.jit import njit
from bridge.score.compiled.forest import _TRANSFORMS, K_ZERO, Forest
from bridge.score.model_text import ModelText

__all__ = ["SMALL_ROWS", "SMALL_VISITS", "NodeArrays", "SmallWalk", "node_arrays", "walk_raw"]

#: Batches of at most this many rows are predicted by `SmallWalk` while the compiled model is not
#: loaded. bench/bench_startup.py --small-paths (2026-12-02, 2 busy cores): the demo model's walk
#: takes 1 ms for 10 rows, 8 ms for 256, 36 ms for 1,024, 150 ms for 2,048; loading the compiled
#: model costs a process 50 ms (numba already loaded by a decode of more than 64 records, which
#: brings llvmlite) to 100 ms and more (not).
SMALL_ROWS = 1024
#: ... and while rows x trees is at most this (the walk's work grows with both): 1,024 rows of the
#: demo model's 100 trees, 204 rows of a 500-tree model
SMALL_VISITS = 1024 * 100


@dataclass(frozen=True)
class NodeArrays:
    root: np.ndarray          # int32 per tree: its first node, or ~leaf for a one-leaf tree
    feature: np.ndarray       # int32 per node
    threshold: np.ndarray     # float64 per node
    dtype: np.ndarray         # int8 per node: LightGBM's decision_type
    left: np.ndarray          # int32 per node: node index, or ~leaf index (global)
    right: np.ndarray
    cat_start: np.ndarray     # int32 per node: first bitset word
    cat_words: np.ndarray     # int32 per node: number of bitset words
    bits: np.ndarray          # uint32
    leaf_value: np.ndarray    # float64 per leaf
    leaf_linear: np.ndarray   # bool per leaf
    leaf_const: np.ndarray    # float64 per leaf
    coef_start: np.ndarray    # int32 per leaf
    coef_count: np.ndarray    # int32 per leaf
    coef_feature: np.ndarray  # int32
    coef: np.ndarray          # float64
    out_class: np.ndarray     # int32 per tree


def node_arrays(forest: Forest) -> NodeArrays:
    """All trees' nodes and leaves in global arrays."""
    roots, feats, thr, dts, lefts, rights, cstart, cwords, bits = [], [], [], [], [], [], [], [], []
    lv, llin, lconst, cfs, cfc, cff, cf = [], [], [], [], [], [], []
    node_base = leaf_base = word_base = coef_base = 0
    for t in forest.trees:
        n = t.num_nodes
        roots.append(node_base if n else ~leaf_base)
        feats.append(t.split_feature)
        thr.append(t.threshold)
        dts.append(t.decision_type)
        for children, out in ((t.left, lefts), (t.right, rights)):
            out.append(np.where(children >= 0, children + node_base, ~(~children + leaf_base)).astype(np.int32))
        cat_idx = np.where(t.decision_type & 1, t.threshold, 0).astype(np.int64)
        # numerical nodes read index 0 (and 1): pad for a tree without categorical splits
        bounds = np.concatenate([t.cat_boundaries, t.cat_boundaries[-1:]])
        cstart.append((bounds[cat_idx] + word_base).astype(np.int32))
        cwords.append((bounds[cat_idx + 1] - bounds[cat_idx]).astype(np.int32))
        bits.append(t.cat_threshold)
        lv.append(t.leaf_value)
        llin.append(np.full(t.num_leaves, t.linear))
        if t.linear:
            lconst.append(t.leaf_const)
            counts = np.array([len(f) for f in t.leaf_features], np.int32)
            cfc.append(counts)
            cfs.append((np.concatenate([[0], np.cumsum(counts)[:-1]]) + coef_base).astype(np.int32))
            cff.extend(t.leaf_features)
            cf.extend(t.leaf_coeff)
            coef_base += int(counts.sum())
        else:
            lconst.append(np.zeros(t.num_leaves))
            cfc.append(np.zeros(t.num_leaves, np.int32))
            cfs.append(np.zeros(t.num_leaves, np.int32))
        node_base += n
        leaf_base += t.num_leaves
        word_base += len(t.cat_threshold)

    def cat(parts: list, dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    k = forest.trees_per_iteration
    return NodeArrays(np.array(roots, np.int32), cat(feats, np.int32), cat(thr, np.float64), cat(dts, np.int8),
                      cat(lefts, np.int32), cat(rights, np.int32), cat(cstart, np.int32), cat(cwords, np.int32),
                      cat(bits, np.uint32), cat(lv, np.float64), cat(llin, np.bool_), cat(lconst, np.float64),
                      cat(cfs, np.int32), cat(cfc, np.int32), cat(cff, np.int32), cat(cf, np.float64),
                      (np.arange(len(forest.trees)) % k).astype(np.int32))


@njit(cache=True, nogil=True)
def _leaf(x, a_root, a_feature, a_threshold, a_dtype, a_left, a_right, a_cstart, a_cwords, a_bits):  # pragma: no cover - compiled
    node = a_root
    while node >= 0:
        v = x[a_feature[node]]
        if abs(v) <= K_ZERO:
            v = 0.0                      # LightGBM's predictor drops |x| <= kZero as zero
        dt = a_dtype[node]
        if dt & 1:
            left = False
            if v == v and v > -1.0 and v < 2147483648.0:
                i = int(v)
                if i < a_cwords[node] * 32:
                    left = (a_bits[a_cstart[node] + (i >> 5)] >> np.uint32(i & 31)) & np.uint32(1) == 1
        else:
            missing = (dt >> 2) & 3
            if v != v and missing != 2:
                v = 0.0
            if (missing == 1 and v == 0.0) or (missing == 2 and v != v):
                left = (dt & 2) != 0
            else:
                left = v <= a_threshold[node]
        node = a_left[node] if left else a_right[node]
    return ~node


@njit(cache=True, nogil=True)
def _walk(X, out, k, root, feature, threshold, dtype, left, right, cstart, cwords, bits, leaf_value, leaf_linear,
          leaf_const, coef_start, coef_count, coef_feature, coef, out_class):  # pragma: no cover - compiled
    n = X.shape[0]
    block = 64
    for s in range(0, n, block):
        e = min(n, s + block)
        for t in range(root.shape[0]):
            c = out_class[t]
            for r in range(s, e):
                x = X[r]
                leaf = _leaf(x, root[t], feature, threshold, dtype, left, right, cstart, cwords, bits)
                value = leaf_value[leaf]
                if leaf_linear[leaf]:
                    acc = leaf_const[leaf]
                    nan = False
                    for j in range(coef_start[leaf], coef_start[leaf] + coef_count[leaf]):
                        v = x[coef_feature[j]]
                        if v != v:
                            nan = True
                            break
                        if abs(v) <= K_ZERO:
                            v = 0.0
                        acc += coef[j] * v
                    if not nan:
                        value = acc
                out[r * k + c] += value


def walk_raw(arrays: NodeArrays, X: np.ndarray, out: np.ndarray, k: int) -> None:
    """Add every tree's output to ``out`` (flat, rows x k), rows in blocks, trees in order."""
    a = arrays
    _walk(X, out, k, a.root, a.feature, a.threshold, a.dtype, a.left, a.right, a.cat_start, a.cat_words, a.bits,
          a.leaf_value, a.leaf_linear, a.leaf_const, a.coef_start, a.coef_count, a.coef_feature, a.coef, a.out_class)


class SmallWalk:
    """LightGBM's prediction for a few rows, in numpy, from a checked model text (see the module
    docstring). `of` returns None for a model the compiler does not cover either."""

    def __init__(self, text: ModelText) -> None:
        k = text.num_tree_per_iteration
        params = text.objective_params
        self.transform = _TRANSFORMS[text.objective or ""]
        self.sigmoid = 1.0 if text.objective == "cross_entropy" else float(params.get("sigmoid", "1"))
        self.classes = k
        self.num_features = text.num_features
        self.average = text.num_iterations if text.average_output else 0
        roots, feats, thr, dts, lefts, rights, cstart, cwords, bits = [], [], [], [], [], [], [], [], []
        values, linear, consts, coef_feature, coef = [], [], [], [], []
        node_base = leaf_base = word_base = 0
        for t in text.trees:
            n = t.num_leaves - 1
            roots.append(node_base if n else ~leaf_base)
            feats.append(t.split_feature)
            thr.append(t.threshold)
            dts.append(t.decision_type)
            for children, out in ((t.left, lefts), (t.right, rights)):
                out.append(np.where(children >= 0, children + node_base, ~(~children + leaf_base)))
            bounds = t.cat_boundaries if len(t.cat_boundaries) else np.zeros(1, np.int32)
            index = np.where(t.decision_type & 1, t.threshold, 0).astype(np.int64)
            bounds = np.concatenate([bounds, bounds[-1:]])  # numerical nodes read words 0 and 1
            cstart.append(bounds[index] + word_base)
            cwords.append(bounds[index + 1] - bounds[index])
            bits.append(t.cat_threshold)
            values.append(t.leaf_value)
            linear.append(np.full(t.num_leaves, t.linear))
            consts.append(t.leaf_const if t.linear else np.zeros(t.num_leaves))
            coef_feature.extend(t.leaf_features if t.linear else [np.zeros(0, np.int64)] * t.num_leaves)
            coef.extend(t.leaf_coeff if t.linear else [np.zeros(0)] * t.num_leaves)
            node_base += n
            leaf_base += t.num_leaves
            word_base += len(t.cat_threshold)

        def cat(parts: list, dtype: type) -> np.ndarray:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

        self.root = np.array(roots, dtype=np.int64)
        self.feature, self.threshold = cat(feats, np.int64), cat(thr, np.float64)
        self.dtype = cat(dts, np.int64)
        self.left, self.right = cat(lefts, np.int64), cat(rights, np.int64)
        self.cat_start, self.cat_words = cat(cstart, np.int64), cat(cwords, np.int64)
        self.bits = np.concatenate([cat(bits, np.uint32), np.zeros(1, np.uint32)])  # never empty
        self.leaf_value = cat(values, np.float64)
        self.linear = cat(linear, np.bool_)
        self.leaf_const = cat(consts, np.float64)
        width = max([len(c) for c in coef] + [0])
        self.coef_count = np.array([len(c) for c in coef], dtype=np.int64)
        self.coef_feature = np.zeros((len(coef), width), dtype=np.int64)
        self.coef = np.zeros((len(coef), width), dtype=np.float64)
        for i, (f, c) in enumerate(zip(coef_feature, coef)):
            if len(c):
                self.coef_feature[i, :len(c)] = f
                self.coef[i, :len(c)] = c

    @classmethod
    def of(cls, text: ModelText) -> "SmallWalk | None":
        """The walk of ``text``'s trees, or None when its objective is one the compiler refuses."""
        if text.objective not in _TRANSFORMS or "sqrt" in text.objective_params:
            return None
        return cls(text)

    def leaves(self, X: np.ndarray) -> np.ndarray:
        """The leaf (global index) each row reaches in each tree: ``(rows, trees)``."""
        n = X.shape[0]
        node = np.repeat(self.root[None, :], n, axis=0)
        row = np.repeat(np.arange(n)[:, None], len(self.root), axis=1)
        live = np.flatnonzero(node >= 0)
        while live.size:
            at = node.reshape(-1)[live]
            v = X[row.reshape(-1)[live], self.feature[at]]
            v = np.where(np.abs(v) <= K_ZERO, 0.0, v)      # LightGBM's predictor reads these as zero
            dt = self.dtype[at]
            missing = (dt >> 2) & 3
            nan = np.isnan(v)
            w = np.where(nan & (missing != 2), 0.0, v)
            default = ((missing == 1) & (w == 0.0)) | ((missing == 2) & nan)
            with np.errstate(invalid="ignore"):
                left = np.where(default, (dt & 2) != 0, w <= self.threshold[at])
                # categorical: the category's bit in the split's bitset; NaN, negatives and
                # categories past the bitset go right
                ok = ~nan & (v > -1.0) & (v < 2147483648.0)
            category = np.where(ok, v, 0.0).astype(np.int64)    # truncation toward zero, as C++
            ok &= category < self.cat_words[at] * 32
            word = np.where(ok, self.cat_start[at] + (category >> 5), 0)
            bit = (self.bits[word] >> (category & 31).astype(np.uint32)) & np.uint32(1)
            left = np.where((dt & 1) != 0, ok & (bit == 1), left)
            node.reshape(-1)[live] = np.where(left, self.left[at], self.right[at])
            live = live[node.reshape(-1)[live] >= 0]
        return ~node

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Raw scores ``(rows, classes)``: each tree's leaf added in LightGBM's order."""
        with np.errstate(invalid="ignore", over="ignore"):   # infinities add as the compiled code adds them
            return self._raw(X)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        n = X.shape[0]
        leaf = self.leaves(X)
        value = self.leaf_value[leaf]
        linear = self.linear[leaf]
        if linear.any():
            acc = self.leaf_const[leaf]
            nan = np.zeros(leaf.shape, dtype=bool)
            rows = np.arange(n)[:, None]
            for j in range(self.coef.shape[1]):
                used = linear & (j < self.coef_count[leaf])
                v = X[rows, self.coef_feature[leaf, j]]
                nan |= used & np.isnan(v)
                v = np.where(np.abs(v) <= K_ZERO, 0.0, v)
                acc = np.where(used, acc + self.coef[leaf, j] * v, acc)
            value = np.where(linear & ~nan, acc, value)
        k = self.classes
        raw = np.empty((n, k), dtype=np.float64)
        for c in range(k):
            # from 0.0, tree after tree: cumsum is sequential where sum is pairwise
            column = np.concatenate([np.zeros((n, 1)), value[:, c::k]], axis=1)
            raw[:, c] = np.cumsum(column, axis=1)[:, -1]
        if self.average:
            raw /= self.average
        return raw

    def predict_both(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """LightGBM's prediction and raw score, as `CompiledForest.predict_both` gives them."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        raw = self.raw(X)
        out = np.array([self._transformed(row) for row in raw.tolist()], dtype=np.float64).reshape(raw.shape)
        return (out[:, 0], raw[:, 0]) if self.classes == 1 else (out, raw)

    def _transformed(self, row: list[float]) -> list[float]:
        # the compiled transform's operations, one by one, with the C library's exp and log1p
        kind = self.transform
        if kind == "softmax":
            top = row[0]
            for x in row[1:]:
                top = x if top < x else top
            e = [_exp(x - top) for x in row]
            total = 0.0
            for v in e:
                total += v
            return [_divide(v, total) for v in e]
        if kind == "identity":
            return row
        if kind == "sigmoid":
            return [1.0 / (1.0 + _exp(-self.sigmoid * v)) for v in row]
        if kind == "exp":
            return [_exp(v) for v in row]
        return [math.log1p(_exp(v)) for v in row]   # log1p_exp


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:    # the C library returns infinity here; Python raises
        return math.inf


def _divide(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:   # IEEE division, as the compiled code divides
        return math.nan if a == 0.0 or a != a else math.copysign(math.inf, a) * math.copysign(1.0, b)
