"""The compiled form of a loaded LightGBM booster, made once per booster and shared by threads.

This is the scorer's one entry point: `compiled_for` returns the booster's `CompiledForest`,
or None when the compiler does not cover the model or cannot run here; the scorer then keeps
LightGBM's own ``predict``, and the log says why.
"""
from __future__ import annotations

import logging
import threading
import weakref

from bridge.errors import ModelCardError
from bridge.score.compiled.compiler import CompiledForest, compile_forest, compile_model
from bridge.score.compiled.forest import forest_of
from bridge.score.model_text import ModelText

__all__ = ["compiled_for"]

log = logging.getLogger("bridge.score.compiled")

_lock = threading.Lock()
_compiled: "weakref.WeakKeyDictionary[object, CompiledForest | None]" = weakref.WeakKeyDictionary()


def compiled_for(booster: object) -> CompiledForest | None:
    """``booster``'s compiled model (compiled or loaded from the cache on first call)."""
    with _lock:
        if booster in _compiled:
            return _compiled[booster]
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
