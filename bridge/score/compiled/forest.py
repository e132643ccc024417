"""LightGBM's text model (``model.txt``) read into plain arrays: the compiler's input.

The compiler reads the text LightGBM writes rather than ``Booster.dump_model()``: the text
is what the disk cache is keyed by, it carries every number with 17 significant digits
(``float()`` gives back the very double LightGBM holds), and reading it needs no booster.
Everything the text format can hold is either read here or refused with one line naming
what is not covered (`ModelCardError`).

Decision semantics are LightGBM's ``include/LightGBM/tree.h``; the constants below are its.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np

from bridge.errors import ModelCardError

__all__ = ["K_ZERO", "Forest", "Tree", "read_forest"]

#: LightGBM's kZeroThreshold (``1e-35f``, a float widened to double): values with ``|x| <=``
#: this are zero to its predictor and to the ``zero_as_missing`` test.
K_ZERO = float(np.float32(1e-35))

MISSING_NONE, MISSING_ZERO, MISSING_NAN = 0, 1, 2

# objective name -> output transform the compiled code applies (see codegen.transform_ir)
_TRANSFORMS = {
    "binary": "sigmoid", "cross_entropy": "sigmoid", "xentropy": "sigmoid",
    "regression": "identity", "regression_l1": "identity", "huber": "identity", "fair": "identity",
    "quantile": "identity", "mape": "identity", "lambdarank": "identity", "rank_xendcg": "identity",
    "poisson": "exp", "gamma": "exp", "tweedie": "exp",
    "multiclass": "softmax", "multiclassova": "sigmoid",
    "cross_entropy_lambda": "log1p_exp",
}


@dataclass(frozen=True)
class Tree:
    """One tree as LightGBM stores it: node ``i`` goes to ``left[i]``/``right[i]``, a negative
    child ``~k`` is leaf ``k``."""

    num_leaves: int
    split_feature: np.ndarray        # int32 per internal node
    threshold: np.ndarray            # float64 per internal node (categorical: index into cat_boundaries)
    decision_type: np.ndarray        # int8 per internal node
    left: np.ndarray                 # int32 per internal node
    right: np.ndarray                # int32 per internal node
    leaf_value: np.ndarray           # float64 per leaf
    leaf_count: np.ndarray           # int64 per leaf (0 when absent)
    internal_count: np.ndarray       # int64 per internal node (0 when absent)
    cat_boundaries: np.ndarray       # int32
    cat_threshold: np.ndarray        # uint32 bitset words
    depth: int                       # splits on the longest path from the root
    linear: bool = False
    leaf_const: np.ndarray | None = None
    leaf_features: tuple[np.ndarray, ...] = ()     # per leaf: int32 feature indices
    leaf_coeff: tuple[np.ndarray, ...] = ()        # per leaf: float64 coefficients

    @property
    def num_nodes(self) -> int:
        return self.num_leaves - 1


@dataclass(frozen=True)
class Forest:
    """A whole model: its trees in LightGBM's order and how raw scores become predictions."""

    trees: tuple[Tree, ...]
    num_features: int
    num_class: int                   # outputs per row
    trees_per_iteration: int
    objective: str                   # LightGBM's objective name
    transform: str                   # identity, sigmoid, exp, softmax, log1p_exp
    sigmoid: float
    average_output: bool
    digest: str                      # sha256 of the model text up to its parameters

    @property
    def num_iterations(self) -> int:
        return len(self.trees) // self.trees_per_iteration

    def first_iterations(self, num_iteration: int | None) -> "Forest":
        """The same model cut to its first ``num_iteration`` iterations, as LightGBM's
        ``predict(num_iteration=...)``: ``None`` or ``<= 0`` keeps all, more than there are keeps all."""
        if num_iteration is None or num_iteration <= 0 or num_iteration >= self.num_iterations:
            return self
        keep = num_iteration * self.trees_per_iteration
        digest = hashlib.sha256(f"{self.digest}:{num_iteration}".encode()).hexdigest()
        return Forest(self.trees[:keep], self.num_features, self.num_class, self.trees_per_iteration,
                      self.objective, self.transform, self.sigmoid, self.average_output, digest)


def _refuse(what: str) -> ModelCardError:
    return ModelCardError(f"model.txt: {what}")


def _numbers(text: str, dtype: type, key: str, count: int) -> np.ndarray:
    words = text.split()
    if len(words) != count:
        raise _refuse(f"'{key}' holds {len(words)} values where {count} are expected")
    try:
        # numpy parses with Python's correctly rounded conversion, as LightGBM's own parser
        # rounds: the same doubles
        if dtype is np.float64:
            return np.array(words, dtype=np.float64)
        values = np.array(words, dtype=np.int64)
        if values.size and (values.min() < np.iinfo(dtype).min or values.max() > np.iinfo(dtype).max):
            raise ValueError(key)
        return values.astype(dtype)
    except (ValueError, OverflowError):
        raise _refuse(f"'{key}' holds a value that is not a number") from None


def _tree(block: str, index: int, num_features: int) -> Tree:
    kv: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            kv[key.strip()] = value
    try:
        num_leaves = int(kv["num_leaves"])
    except (KeyError, ValueError):
        raise _refuse(f"tree {index} has no valid num_leaves") from None
    if not 1 <= num_leaves <= 1 << 20:
        raise _refuse(f"tree {index} has {num_leaves} leaves")
    n = num_leaves - 1
    depth = 0
    try:
        num_cat = int(kv.get("num_cat", "0") or 0)
    except ValueError:
        raise _refuse(f"tree {index} has no valid num_cat") from None
    if not 0 <= num_cat <= max(n, 0):
        raise _refuse(f"tree {index} has {num_cat} categorical splits for {n} splits")

    def get(key: str, dtype: type, count: int, default: float | None = None) -> np.ndarray:
        if key not in kv:
            if default is None and count:
                raise _refuse(f"tree {index} has no '{key}' line")
            return np.full(count, default or 0, dtype=dtype)
        return _numbers(kv[key], dtype, f"tree {index} {key}", count)

    leaf_value = get("leaf_value", np.float64, num_leaves)
    split_feature = get("split_feature", np.int32, n)
    threshold = get("threshold", np.float64, n)
    decision_type = get("decision_type", np.int16, n, 0).astype(np.int8)
    left = get("left_child", np.int32, n)
    right = get("right_child", np.int32, n)
    leaf_count = get("leaf_count", np.int64, num_leaves, 0)
    internal_count = get("internal_count", np.int64, n, 0)
    if num_cat > 0:
        cat_boundaries = get("cat_boundaries", np.int64, num_cat + 1).astype(np.int32)
        words = kv.get("cat_threshold", "").split()
        cat_threshold = _numbers(kv.get("cat_threshold", ""), np.int64, f"tree {index} cat_threshold",
                                 len(words)).astype(np.uint32)
        if (cat_boundaries[0] != 0 or np.any(np.diff(cat_boundaries) < 0)
                or cat_boundaries[-1] != len(cat_threshold)):
            raise _refuse(f"tree {index} has inconsistent cat_boundaries")
    else:
        cat_boundaries = np.zeros(1, np.int32)
        cat_threshold = np.zeros(0, np.uint32)

    if n:
        if split_feature.min() < 0 or split_feature.max() >= num_features:
            raise _refuse(f"tree {index} splits on a feature beyond max_feature_idx={num_features - 1}")
        depth = _check_shape(index, left, right, num_leaves)
        cat = (decision_type & 1).astype(bool)
        if cat.any():
            idx = threshold[cat]
            if not np.all((idx >= 0) & (idx < num_cat) & (idx == np.floor(idx))):
                raise _refuse(f"tree {index} has a categorical split with no bitset")
        if np.any(~cat & np.isnan(threshold)):
            raise _refuse(f"tree {index} has a NaN threshold")

    linear = kv.get("is_linear", "0").strip() == "1"
    leaf_const = None
    leaf_features: tuple[np.ndarray, ...] = ()
    leaf_coeff: tuple[np.ndarray, ...] = ()
    if linear:
        leaf_const = get("leaf_const", np.float64, num_leaves)
        counts = get("num_features", np.int64, num_leaves)
        if counts.min() < 0:
            raise _refuse(f"tree {index} has a negative num_features")
        total = int(counts.sum())
        feats = _numbers(kv.get("leaf_features", ""), np.int64, f"tree {index} leaf_features", total)
        coeffs = _numbers(kv.get("leaf_coeff", ""), np.float64, f"tree {index} leaf_coeff", total)
        if total and (feats.min() < 0 or feats.max() >= num_features):
            raise _refuse(f"tree {index} has a linear leaf on a feature beyond max_feature_idx")
        cuts = np.cumsum(counts)[:-1]
        leaf_features = tuple(a.astype(np.int32) for a in np.split(feats, cuts))
        leaf_coeff = tuple(np.split(coeffs, cuts))
    return Tree(num_leaves, split_feature, threshold, decision_type, left, right, leaf_value, leaf_count,
                internal_count, cat_boundaries, cat_threshold, depth, linear, leaf_const, leaf_features, leaf_coeff)


def _check_shape(index: int, left: np.ndarray, right: np.ndarray, num_leaves: int) -> int:
    """Every node and leaf reached exactly once from the root (a damaged file must not make the
    compiler loop or read outside its arrays); returns the depth in splits."""
    n = num_leaves - 1
    children = np.concatenate([left, right])
    nodes = children[children >= 0]
    leaves = ~children[children < 0]
    if (len(nodes) != n - 1 or len(leaves) != num_leaves or nodes.min(initial=1) < 1
            or nodes.max(initial=0) >= n or leaves.max(initial=0) >= num_leaves
            or len(np.unique(nodes)) != n - 1 or len(np.unique(leaves)) != num_leaves):
        raise _refuse(f"tree {index} is not a tree (its children do not cover its nodes and leaves once)")
    # every node but the root has one parent, so the nodes reached level by level from the root
    # are all of them exactly when there is no cycle; the number of levels is the depth
    seen, depth, frontier = 0, 0, np.zeros(1, dtype=np.int64)
    while frontier.size and depth <= n:
        seen += frontier.size
        depth += 1
        children = np.concatenate([left[frontier], right[frontier]])
        frontier = children[children >= 0]
    if seen != n or frontier.size:
        raise _refuse(f"tree {index} has nodes not reached from its root, or a cycle")
    return depth


def read_forest(text: str) -> Forest:
    """The `Forest` of a LightGBM text model; raises `ModelCardError` for a damaged model or
    one that uses what the compiler does not cover."""
    head, sep, rest = text.partition("\nTree=")
    if not text.startswith("tree") or not sep:
        raise _refuse("is not a LightGBM text model (no 'tree' header or no trees)")
    header: dict[str, str] = {}
    for line in head.splitlines():
        key, eq, value = line.partition("=")
        header[key.strip()] = value.strip() if eq else ""
    try:
        num_class = int(header.get("num_class", "1"))
        per_iteration = int(header.get("num_tree_per_iteration", str(num_class)))
        num_features = int(header["max_feature_idx"]) + 1
    except (KeyError, ValueError):
        raise _refuse("has no valid num_class / num_tree_per_iteration / max_feature_idx") from None
    if num_class < 1 or per_iteration < 1 or num_features < 1 or num_features > 1 << 24:
        raise _refuse(f"declares {num_class} classes, {per_iteration} trees per iteration, "
                      f"{num_features} features")
    objective_line = header.get("objective", "regression").split()
    objective = objective_line[0] if objective_line else "regression"
    options = dict(w.split(":", 1) for w in objective_line[1:] if ":" in w)
    if objective not in _TRANSFORMS:
        raise _refuse(f"objective '{objective}' is not covered by the compiler; "
                      f"covered: {', '.join(sorted(_TRANSFORMS))}")
    if "sqrt" in objective_line[1:]:
        raise _refuse(f"objective '{objective} sqrt' (reg_sqrt) is not covered by the compiler")
    transform = _TRANSFORMS[objective]
    if objective in ("multiclass", "multiclassova") and per_iteration != num_class:
        raise _refuse(f"{objective} with {per_iteration} trees per iteration for {num_class} classes")
    if objective not in ("multiclass", "multiclassova") and per_iteration != 1:
        raise _refuse(f"{per_iteration} trees per iteration for objective {objective}")
    try:
        sigmoid = float(options.get("sigmoid", "1"))
    except ValueError:
        raise _refuse("has a sigmoid that is not a number") from None
    if objective in ("cross_entropy", "xentropy"):
        sigmoid = 1.0

    body, _, _ = ("Tree=" + rest).partition("end of trees")
    blocks = [b for b in body.split("Tree=") if b.strip()]
    trees = tuple(_tree(b, i, num_features) for i, b in enumerate(blocks))
    if not trees or len(trees) % per_iteration:
        raise _refuse(f"holds {len(trees)} trees, not a whole number of iterations of {per_iteration}")
    if "\nend of trees" not in text:
        raise _refuse("is truncated (no 'end of trees' line)")
    model_part = text.split("\nparameters:", 1)[0]
    digest = hashlib.sha256(model_part.encode("utf-8", "surrogatepass")).hexdigest()
    average = "average_output" in header
    if not all(math.isfinite(v) for t in trees for v in (t.leaf_value.min(), t.leaf_value.max())):
        raise _refuse("has a leaf value that is not finite")
    return Forest(trees, num_features, num_class, per_iteration, objective, transform, sigmoid,
                  average, digest)
