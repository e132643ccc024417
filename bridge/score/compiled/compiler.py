"""`compile_model`: a LightGBM text model → a `CompiledForest` that predicts as LightGBM does.

The steps: read the text (`forest`), write IR per part of the trees (`codegen`), compile the
parts to object code in worker processes (`native`), keep the objects on disk by the model's
digest (`cache`), link them into this process. A model whose compile would exceed the budget
(estimated from its number of splits before any work is done) gets the numba walk instead
(`walk`), and the log says so.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from bridge.errors import ModelCardError
from bridge.score.compiled import cache as disk
from bridge.score.compiled import native
from bridge.score.compiled.codegen import driver_ir, module_ir, scratch_size, transform_ir, vector_slots
from bridge.score.compiled.forest import Forest, read_forest
from bridge.score.compiled.walk import node_arrays, walk_raw

__all__ = ["CompiledForest", "compile_forest", "compile_model"]

log = logging.getLogger("bridge.score.compiled")

#: splits per compiled module: small enough to share among workers, large enough that the
#: fixed cost per module (a context, a target machine, an object file) stays small
PART_NODES = 4000
#: rows per block: one tree's code runs over this many rows before the next tree's; at most
#: BLOCK_ROWS, fewer for wide models, so that the block's transposed features stay in the first
#: level data cache (BLOCK_BYTES); a multiple of 64
BLOCK_ROWS = 256
BLOCK_BYTES = 32768
#: splits compiled per CPU second at target-machine opt level 0 and 1 on this project's machine
#: kind (2 vCPUs, EPYC: 127,000 splits in 12.5 CPU s at opt 0, 3,000 in 1.7 s at opt 1, all
#: steps counted); used only to decide up front whether to fall back to the walk
SPLITS_PER_SECOND = {0: 10000.0, 1: 1800.0}
#: models up to this many splits get opt level 1 (about 1.2x faster code, 10x the compile time)
OPT1_SPLITS = 5000
#: subtrees of at most this many leaves become select chains instead of branches
SELECT_LEAVES = 16
#: trees of at most this many leaves are evaluated whole, VECTOR_WIDTH rows per instruction
#: (measured: vector code wins at 31, 63 and 127 leaves, loses at 255)
VECTOR_LEAVES = 128
VECTOR_WIDTH = 4
#: deeper trees go to the array walk (the code generator recurses once per level)
MAX_DEPTH = 400
#: codegen version: part of the cache key, bumped whenever the generated code changes
CODEGEN_VERSION = "2"


class CompiledForest:
    """A compiled model: ``predict(X)`` equals LightGBM's ``Booster.predict(X)`` row for row."""

    def __init__(self, forest: Forest, *, code: "native.NativeCode | None", fallback_reason: str | None,
                 transform: "native.NativeCode", compile_seconds: float, from_cache: bool,
                 vector_leaves: int = VECTOR_LEAVES) -> None:
        self.forest = forest
        self._code = code
        self._transform = transform
        self._arrays = node_arrays(forest) if code is None else None
        self._scratch = scratch_size(forest, block_rows(forest, vector_leaves), vector_leaves)
        self.fallback_reason = fallback_reason
        self.compile_seconds = compile_seconds
        self.from_cache = from_cache

    @property
    def native(self) -> bool:
        """True for machine code of this model, False for the array walk fallback."""
        return self._code is not None

    def _raw_slice(self, X: np.ndarray, out: np.ndarray) -> None:
        n = X.shape[0]
        if n == 0:
            return
        if self._code is not None:
            scratch = np.empty(self._scratch, dtype=np.float64)
            self._code.raw(X.ctypes.data, n, out.ctypes.data, scratch.ctypes.data)
        else:
            walk_raw(self._arrays, X, out.reshape(-1), self.forest.trees_per_iteration)  # type: ignore[arg-type]

    def predict(self, X: np.ndarray, *, raw_score: bool = False, num_threads: int | None = None) -> np.ndarray:
        """LightGBM's prediction for every row of ``X``, or its raw score (see `predict_both`)."""
        prediction, raw = self.predict_both(X, num_threads=num_threads)
        return raw if raw_score else prediction

    def predict_both(self, X: np.ndarray, *, num_threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """LightGBM's prediction and its raw score from one walk of the trees.

        LightGBM's prediction for every row of ``X`` (rows x features, float64 or castable):
        shape ``(rows,)``, or ``(rows, classes)`` for a multiclass model. ``num_threads``: row
        slices scored in parallel (default: every core this process may use)."""
        f = self.forest
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != f.num_features:
            raise ModelCardError(f"the model reads {f.num_features} features; the matrix has "
                                 f"{X.shape[1] if X.ndim == 2 else X.shape}")
        n, k = X.shape[0], f.trees_per_iteration
        raw = np.zeros((n, k), dtype=np.float64)
        native.over_rows(n, lambda start, stop: self._raw_slice(X[start:stop], raw[start:stop]),
                         threads=num_threads, min_rows=4096)
        if f.average_output:
            raw /= f.num_iterations
        out = np.empty_like(raw)
        if n:
            self._transform.transform(raw.ctypes.data, n, out.ctypes.data)
        return (out[:, 0], raw[:, 0]) if k == 1 else (out, raw)


def _parts(forest: Forest, part_nodes: int) -> list[tuple[int, int]]:
    parts, first, nodes = [], 0, 0
    for i, t in enumerate(forest.trees):
        nodes += t.num_leaves
        if nodes >= part_nodes:
            parts.append((first, i + 1))
            first, nodes = i + 1, 0
    if first < len(forest.trees):
        parts.append((first, len(forest.trees)))
    return parts


def block_rows(forest: Forest, vector_leaves: int = VECTOR_LEAVES) -> int:
    """Rows per block for ``forest`` (see ``BLOCK_ROWS``)."""
    fit = BLOCK_BYTES // (8 * max(1, len(vector_slots(forest, vector_leaves))))
    return max(64, min(BLOCK_ROWS, fit // 64 * 64))


def _cache_key(forest: Forest, opt: int, vector_leaves: int) -> str:
    return (f"{forest.digest} v{CODEGEN_VERSION} opt{opt} block{block_rows(forest, vector_leaves)} "
            f"sel{SELECT_LEAVES} vec{vector_leaves}x{VECTOR_WIDTH} {native.host()}")


def compile_forest(forest: Forest, *, cache_dir: str | Path | None = None, budget_seconds: float = 60.0,
                   workers: int | None = None, opt: int | None = None, use_cache: bool = True,
                   vector_leaves: int = VECTOR_LEAVES) -> CompiledForest:
    """Machine code for ``forest``, from the cache when it is there; the numba walk when the
    compile would take longer than ``budget_seconds`` (logged as a warning). Trees of up to
    ``vector_leaves`` leaves are evaluated whole, several rows at a time (0: every tree walks)."""
    t0 = time.perf_counter()
    triple = native.triple()
    splits = sum(t.num_nodes for t in forest.trees)
    if opt is None:
        opt = 1 if splits <= OPT1_SPLITS else 0
    folder = Path(cache_dir) if cache_dir is not None else disk.default_cache_dir()
    key = _cache_key(forest, opt, vector_leaves)
    objects = disk.read_cached(folder, key) if use_cache else None
    if objects is not None:
        try:
            code = native.load_objects(objects)
            log.info("compiled model %s loaded from the cache in %.2f s", forest.digest[:12],
                     time.perf_counter() - t0)
            return CompiledForest(forest, code=code, fallback_reason=None, transform=code,
                                  compile_seconds=time.perf_counter() - t0, from_cache=True, vector_leaves=vector_leaves)
        except RuntimeError:
            log.warning("the compiled model cache for %s is damaged; compiling again", forest.digest[:12])
    transform = native.load_objects([native.compile_object(transform_ir(forest, triple)),
                                     native.compile_object(_stub_raw(triple))])
    workers = workers or native.cores()
    estimate = splits / (SPLITS_PER_SECOND[min(opt, 1)] * max(1, min(workers, 4)))
    depth = max(t.depth for t in forest.trees)
    reason = None
    if estimate > budget_seconds:
        reason = (f"compiling {len(forest.trees)} trees with {splits} splits would take about {estimate:.0f} s, "
                  f"over the budget of {budget_seconds:g} s; scoring with the array walk instead")
    elif depth > MAX_DEPTH:
        reason = (f"a tree {depth} splits deep is beyond the compiler's {MAX_DEPTH}; "
                  "scoring with the array walk instead")
    if reason is not None:
        log.warning("%s", reason)
        return CompiledForest(forest, code=None, fallback_reason=reason, transform=transform,
                              compile_seconds=time.perf_counter() - t0, from_cache=False,
                              vector_leaves=vector_leaves)
    parts = _parts(forest, PART_NODES)

    def modules():
        block = block_rows(forest, vector_leaves)
        yield driver_ir(forest, [f"p{j}_part" for j in range(len(parts))], block, triple, VECTOR_WIDTH,
                        vector_leaves)
        yield transform_ir(forest, triple)
        for j, (a, b) in enumerate(parts):
            yield module_ir(forest, a, b, f"p{j}_", triple, SELECT_LEAVES, block=block,
                            vector_leaves=vector_leaves, width=VECTOR_WIDTH)

    objects = native.compile_objects(modules(), count=len(parts) + 2, opt=opt,
                                     workers=workers if len(parts) > 1 else 1)
    code = native.load_objects(objects)
    if use_cache:
        disk.write_cached(folder, key, objects)
    seconds = time.perf_counter() - t0
    log.info("compiled model %s (%d trees, %d splits) in %.2f s", forest.digest[:12], len(forest.trees),
             splits, seconds)
    return CompiledForest(forest, code=code, fallback_reason=None, transform=code, compile_seconds=seconds,
                          from_cache=False, vector_leaves=vector_leaves)


def _stub_raw(triple: str) -> str:
    # the transform module is loaded on its own for the fallback; load_objects wants both entries
    return f'target triple = "{triple}"\ndefine void @raw(double* %X, i64 %n, double* %out, double* %scratch) {{\n  ret void\n}}\n'


def compile_model(text: str, *, num_iteration: int | None = None, **options: object) -> CompiledForest:
    """Compile a LightGBM text model (``model.txt``'s content or ``Booster.model_to_string()``);
    raises `ModelCardError` for a model the compiler does not cover."""
    return compile_forest(read_forest(text).first_iterations(num_iteration), **options)  # type: ignore[arg-type]
