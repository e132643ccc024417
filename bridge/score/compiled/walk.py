"""The fallback: a numba walk over the trees' node arrays, exact and compiled once per install.

Used where generating machine code for a model would exceed the compile budget (or LLVM is
unable to). The walk follows LightGBM's ``Tree::GetLeaf`` decision by decision, so its
results are the compiled code's and LightGBM's; it is about as fast as LightGBM's own
``predict`` per core and, like the compiled code, runs row slices in threads.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from bridge.score.compiled.forest import K_ZERO, Forest

__all__ = ["NodeArrays", "node_arrays", "walk_raw"]


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
