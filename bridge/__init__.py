"""mainframe-bridge: COBOL copybook layouts, EBCDIC record codecs and LightGBM scoring for z/OS batch flows.

The public API, loaded on first use so that ``import bridge`` (and the CLI) stays fast:

* `load_copybook` / `compile_copybook` → `Layout`
* `read_records`, `iter_batches`, `read_table`, `write_records`, `patch_records`
* `ReaderOptions`, `CodecOptions`, `FrameOptions`
* the error tree: `BridgeError` and its subclasses
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "BridgeError": "bridge.errors",
    "CodecOptions": "bridge.codec.options",
    "CopybookError": "bridge.errors",
    "EncodeError": "bridge.errors",
    "Field": "bridge.layout.model",
    "FrameOptions": "bridge.frame",
    "FramingError": "bridge.errors",
    "InvalidDataError": "bridge.errors",
    "JobError": "bridge.errors",
    "Kind": "bridge.layout.model",
    "Layout": "bridge.layout.model",
    "LayoutError": "bridge.errors",
    "ModelCardError": "bridge.errors",
    "ModelSourceError": "bridge.errors",
    "ReaderOptions": "bridge.records.options",
    "Record": "bridge.layout.model",
    "TransportError": "bridge.errors",
    "compile_copybook": "bridge.copybook",
    "iter_batches": "bridge.records.api",
    "load_copybook": "bridge.copybook",
    "patch_records": "bridge.records.api",
    "read_records": "bridge.records.api",
    "read_table": "bridge.records.api",
    "write_records": "bridge.records.api",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bridge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
