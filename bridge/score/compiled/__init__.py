"""A compiler from LightGBM text models to native code, exact to LightGBM's ``predict``.

``compile_model(text).predict(X)`` gives what ``lgb.Booster(model_str=text).predict(X)`` gives,
row for row (raw scores and transformed predictions, bit for bit on every test so far; the
promise is 1e-12), several times faster, with no C compiler: the code is LLVM IR written here
and compiled by llvmlite, which numba already brings.

Design, and why (measured with bench/bench_compiled.py and the experiments named below):

* **Code per tree, numbers as constants** (`codegen`). Each split is a load, one compare
  against a hex double constant and a branch; a generic walk over node arrays (tried in numba,
  branchy and branch-free over a fixed depth) ran at 0.9-1.2x LightGBM, the generated code at
  2.5-3.7x in the same runs: the node loads and the decision-type decoding per node are what
  specialisation removes.
* **Missing values for free**: LightGBM's three missing modes and ``default_left`` fold into
  the choice of ordered or unordered compare; only thresholds inside LightGBM's zero band
  (``|t| < 1e-35``) and some ``zero_as_missing`` splits need an explicit ``|x| <= kZero`` test.
  Values LightGBM's predictor reads as zero (``|x| <= 1e-35``) are treated so wherever it matters.
* **Small subtrees as select chains**: subtrees of up to 16 leaves are evaluated without
  branches (all their compares, then selects), trading a few cheap instructions for branch
  mispredictions. On the loaded machine of 2026-12-02 limits of 1 to 16 leaves could not be
  told apart (runs of the same setting varied by 2x); whole 31-leaf trees as selects were
  clearly slower at opt level 0 (1.0x LightGBM). Re-measure on a quiet machine.
* **Trees over blocks of rows**: 64 rows go through one tree before the next tree starts, so a
  tree's code stays in the instruction cache and the block's rows in the data cache; the leaf is
  added to the row's sum tree after tree, in LightGBM's order, so the sum is LightGBM's.
* **Compile time by design** (`native`): no IR optimisation passes (the code is already
  minimal), target-machine opt level 1 only for models up to 5,000 splits (on the demo model
  opt 1 ran at 3.3-4.4x LightGBM against 1.8-2.8x for opt 0, at about 7x the compile CPU), opt
  0 above; the trees are cut into modules
  of about 4,000 splits compiled in worker interpreters, one per core (llvmlite serialises LLVM
  calls inside a process).
* **Cached** (`cache`): object code on disk keyed by the model text's digest, codegen version
  and host CPU; loading it is linking (milliseconds). Damaged entries are rebuilt.
* **Fallback** (`walk`): where the compile would exceed its budget, an exact numba walk,
  announced in the log; where the compiler does not cover a model (`ModelCardError` naming
  what), the scorer keeps LightGBM's own ``predict``.
* **Threads**: row slices in a thread pool; the ctypes call releases the GIL.

Covered: numerical splits with every missing mode, categorical bitsets, linear trees, one-leaf
trees, ``num_iteration``, early-stopped models, ``average_output`` (random forests), objectives
binary, cross-entropy, regression family, poisson/gamma/tweedie, multiclass (softmax),
multiclassova and cross_entropy_lambda. Refused by name: ``reg_sqrt`` and custom objectives.
"""
import importlib
from typing import Any

# loaded on first use: a small scoring run uses `walk.SmallWalk` and never needs llvmlite
_EXPORTS = {"CompiledForest": "compiler", "Forest": "forest", "compile_forest": "compiler",
            "compile_model": "compiler", "read_forest": "forest"}

__all__ = ["CompiledForest", "Forest", "compile_forest", "compile_model", "read_forest"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'bridge.score.compiled' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"bridge.score.compiled.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value
