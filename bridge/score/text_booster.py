"""A LightGBM booster that imports LightGBM only when LightGBM itself is needed.

Importing LightGBM costs seconds of CPU in every process (it imports scipy.sparse, and
scikit-learn, pandas and Dask when they are installed), more than the whole of a small
scoring run. Scoring mostly does not need it: the card check reads the model's feature names
and outputs per iteration, predictions come from the compiled model (`bridge.score.compiled`,
loaded from its disk cache), and reason codes from `bridge.score.reasons` read the model text.
`TextBooster` answers those from the checked model text (`bridge.score.model_text`) and builds
the real ``lightgbm.Booster`` on the first call of anything else (LightGBM's own ``predict``
where the compiler does not cover a model, ``pred_contrib`` for the reason-code fallback).

Decision: ``model_to_string()`` gives the text LightGBM was given (header and trees) rather
than LightGBM's re-serialisation of it; for a model read from a file the two hold the same
trees (a loaded booster has no best iteration to cut at), they differ only in the trailing
``feature_importances`` and ``pandas_categorical`` blocks that neither the compiler nor the
reason codes read.
"""
from __future__ import annotations

import threading
from typing import Any

from bridge.errors import ModelFileError
from bridge.score.model_text import ModelText

__all__ = ["TextBooster"]


class TextBooster:
    """The booster of a checked ``model.txt``, with LightGBM loaded on first real use."""

    def __init__(self, text: ModelText) -> None:
        self.text = text
        self._booster: Any = None
        self._lock = threading.Lock()

    def feature_name(self) -> list[str]:
        return list(self.text.feature_names)

    def num_model_per_iteration(self) -> int:
        return self.text.num_tree_per_iteration

    def num_trees(self) -> int:
        return len(self.text.trees)

    def num_feature(self) -> int:
        return self.text.num_features

    def model_to_string(self) -> str:
        return self.text.lightgbm_text()

    @property
    def lightgbm(self) -> Any:
        """The real ``lightgbm.Booster`` (built on first use); raises `ModelFileError` when
        LightGBM refuses the model."""
        with self._lock:
            if self._booster is None:
                import lightgbm as lgb

                try:
                    self._booster = lgb.Booster(model_str=self.text.lightgbm_text())
                except lgb.basic.LightGBMError as exc:
                    raise ModelFileError(f"LightGBM cannot read it: {str(exc)[:200]}",
                                         model=self.text.source) from None
            return self._booster

    def __getstate__(self) -> dict[str, Any]:
        # pickled as its text, as LightGBM pickles a booster as its model string
        return {"text": self.text}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["text"])  # type: ignore[misc]

    def __getattr__(self, name: str) -> Any:
        # only reached for what the text cannot answer (predict, dump_model, ...)
        if name.startswith("_") or name in ("text", "lightgbm"):
            raise AttributeError(name)
        return getattr(self.lightgbm, name)
