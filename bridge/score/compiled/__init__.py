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
* **Small trees as vector code, several rows per instruction** (`codegen.vector_tree_ir`):
  a tree of up to 128 leaves (``VECTOR_LEAVES``) is evaluated whole, four rows at a time in AVX2
  registers: every split is one vector compare of a feature of four rows (the block is
  transposed first, only the features such trees read) and the leaf is chosen bottom up by one
  select per split, with no branch to mispredict. Computing all 30 splits of a 31-leaf tree
  costs less than the 5-18 mispredictable branches a row meets on its path: on the demo model
  (100 trees of 31 leaves, up to 18 deep) 2.9-3.2 M rows/s per core against 1.2 M for the
  branchy code, 11x LightGBM on one thread against 3.1x
  (``bench/bench_compiled.py --rows 400000 --only demo``). Measured on one thread against the
  branchy code, same runs: 9.7x LightGBM against 4.5x for 200 trees of 63 leaves, 4.7-5.2x
  against 3.5x for 127 leaves, but 4.1x against 5.0x for 255 leaves (at four times the compile
  time), so larger trees, linear trees and trees with a categorical bitset of more than two
  words keep the branchy code. Eight rows per instruction (two AVX2 registers) measured no
  better than four.
* **Branchy code for the other trees, small subtrees as select chains**: subtrees of up to 16
  leaves are evaluated without branches (all their compares, then selects), trading a few cheap
  instructions for branch mispredictions.
* **Trees over blocks of rows**: up to 256 rows (fewer when the transposed block would not fit
  the first-level cache) go through one tree before the next tree starts, so a tree's code stays
  in the instruction cache and the block's rows in the data cache; each tree adds its leaf to
  the row's sum tree after tree, in LightGBM's order, so the sum is LightGBM's.
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
multiclassova and cross_entropy_lambda, and a model without an objective (a custom one: the raw score).
Refused by name: ``reg_sqrt``. The trees come from the model file check (`bridge.score.model_text`).
"""
import importlib
from typing import Any

# loaded on first use: a small scoring run uses `walk.SmallWalk` and never needs llvmlite
_EXPORTS = {"CompiledForest": "compiler", "Forest": "forest", "compile_forest": "compiler",
            "compile_model": "compiler", "forest_of": "forest", "read_forest": "forest"}

__all__ = ["CompiledForest", "Forest", "compile_forest", "compile_model", "forest_of", "read_forest"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'bridge.score.compiled' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"bridge.score.compiled.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value
