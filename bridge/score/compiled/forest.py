"""LightGBM's text model (``model.txt``) as the compiler's input: a `Forest` of checked trees.

There is one reader of the text format, `bridge.score.model_text`: it checks every size, key,
count and index of the (possibly hostile) file and reads the trees into typed arrays once. A
`Forest` is built from its result (`forest_of`) without reading the text again; `read_forest`
does both for a text. What is added here is what the compiler needs beyond the file: the
output transform of the objective, and a digest of the text as the key of the disk cache.
A model the file check accepts but the compiler does not cover (``reg_sqrt``) is refused by
name (`ModelCardError`); a damaged one by the file check (`ModelFileError`, a `ModelCardError`).

The compiler reads the text LightGBM writes rather than ``Booster.dump_model()``: the text is
what the disk cache is keyed by, it carries every number with 17 significant digits (a
correctly rounded conversion, Arrow's as Python's, gives back the very double LightGBM holds),
and reading it needs no booster.

Decision semantics are LightGBM's ``include/LightGBM/tree.h``; the constants below are its.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from bridge.errors import ModelCardError
from bridge.score.model_text import ModelText, Tree, parse_model_text

__all__ = ["K_ZERO", "Forest", "Tree", "forest_of", "read_forest"]

#: LightGBM's kZeroThreshold (``1e-35f``, a float widened to double): values with ``|x| <=``
#: this are zero to its predictor and to the ``zero_as_missing`` test.
K_ZERO = float(np.float32(1e-35))

MISSING_NONE, MISSING_ZERO, MISSING_NAN = 0, 1, 2

# objective name -> output transform the compiled code applies (see codegen.transform_ir);
# every objective the file check accepts (model_text.OBJECTIVES) is here
_TRANSFORMS = {
    "binary": "sigmoid", "cross_entropy": "sigmoid",
    "regression": "identity", "regression_l1": "identity", "huber": "identity", "fair": "identity",
    "quantile": "identity", "mape": "identity", "lambdarank": "identity", "rank_xendcg": "identity",
    "poisson": "exp", "gamma": "exp", "tweedie": "exp",
    "multiclass": "softmax", "multiclassova": "sigmoid",
    "cross_entropy_lambda": "log1p_exp",
}


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
    digest: str                      # sha256 of the checked header and trees (ModelText.lightgbm_text)

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


def forest_of(model: ModelText) -> Forest:
    """The `Forest` of a checked model: its trees as they are (no copy, no second reading of the
    text); raises `ModelCardError` for a model the compiler does not cover."""
    # a model without an objective line (a custom objective) predicts its raw score
    objective = model.objective or "regression"
    if objective not in _TRANSFORMS:
        raise ModelCardError(f"{model.source}: objective '{objective}' is not covered by the compiler; "
                             f"covered: {', '.join(sorted(_TRANSFORMS))}")
    if "sqrt" in model.objective_params:
        raise ModelCardError(f"{model.source}: objective '{objective} sqrt' (reg_sqrt) is not covered by "
                             "the compiler")
    sigmoid = 1.0 if objective == "cross_entropy" else float(model.objective_params.get("sigmoid", "1"))
    # what LightGBM is given (header and trees), not what follows: the training parameters and
    # feature importances change no prediction, so they do not change the compiled code either
    return Forest(model.trees, model.num_features, model.num_class, model.num_tree_per_iteration, objective,
                  _TRANSFORMS[objective], sigmoid, model.average_output, model.digest())


def read_forest(text: str) -> Forest:
    """The `Forest` of a LightGBM text model (``model.txt``'s content or
    ``Booster.model_to_string()``); raises `ModelFileError` for a damaged model and
    `ModelCardError` for one that uses what the compiler does not cover."""
    return forest_of(parse_model_text(text))
