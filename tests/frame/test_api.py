"""The public surface of bridge.frame."""
from __future__ import annotations

import pkgutil

import bridge.frame as frame


def test_all_lists_every_public_name_sorted():
    public = {n for n in dir(frame) if not n.startswith("_") and n.isidentifier()}
    # submodules appear as attributes once anything has imported them: not public names
    modules = {m.name for m in pkgutil.iter_modules(frame.__path__)} | {"annotations"}
    assert set(frame.__all__) == public - modules
    assert list(frame.__all__) == sorted(frame.__all__)
