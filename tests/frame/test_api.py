"""The public surface of bridge.frame."""
from __future__ import annotations

import bridge.frame as frame


def test_all_lists_every_public_name_sorted():
    public = {n for n in dir(frame) if not n.startswith("_") and n.isidentifier()}
    modules = {"batch", "fixed", "options", "rdw", "reader", "source", "text", "variable", "writer",
               "annotations"}
    assert set(frame.__all__) == public - modules
    assert list(frame.__all__) == sorted(frame.__all__)
