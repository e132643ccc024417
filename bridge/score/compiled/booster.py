"""The compiled form of a loaded LightGBM booster, made once per booster and shared by threads.

This is the scorer's one entry point: `compiled_for` returns the booster's `CompiledForest`,
or None when the compiler does not cover the model or cannot run here; the scorer then keeps
LightGBM's own ``predict``, and the log says why.
"""
from __future__ import annotations

import logging
import threading
import weakref
from typing import TYPE_CHECKING

from bridge.errors import ModelCardError

if TYPE_CHECKING:
    from bridge.score.compiled.compiler import CompiledForest

__all__ = ["compiled_for", "is_compiled"]

log = logging.getLogger("bridge.score.compiled")

_lock = threading.Lock()
_compiled: "weakref.WeakKeyDictionary[object, CompiledForest | None]" = weakref.WeakKeyDictionary()


def is_compiled(booster: object) -> bool:
    """True once `compiled_for` has been called for ``booster`` (its compiled model is loaded)."""
    with _lock:
        return booster in _compiled


def compiled_for(booster: object) -> CompiledForest | None:
    """``booster``'s compiled model (compiled or loaded from the cache on first call)."""
    with _lock:
        if booster in _compiled:
            return _compiled[booster]
        # imported here: llvmlite and the code generator cost a small run more than its scoring
        from bridge.score.compiled.compiler import compile_forest, compile_model
        from bridge.score.compiled.forest import forest_of
        from bridge.score.model_text import ModelText

        try:
            text = getattr(booster, "text", None)
            if isinstance(text, ModelText):   # a TextBooster: the model read and checked once, at load
                result: CompiledForest | None = compile_forest(forest_of(text))
            else:
                result = compile_model(booster.model_to_string())  # type: ignore[attr-defined]
        except ModelCardError as exc:
            log.warning("scoring with LightGBM's predict: %s", exc)
            result = None
        except (RuntimeError, OSError) as exc:
            log.warning("scoring with LightGBM's predict: the model compiler failed here (%s)", exc)
            result = None
        _compiled[booster] = result
        return result
