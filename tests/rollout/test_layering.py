"""Rollout sits above score and below pipeline: it never imports the pipeline, transports, CLI or monitor."""
from __future__ import annotations

import ast
from pathlib import Path

import bridge.rollout

ROLLOUT_DIR = Path(bridge.rollout.__file__).parent
ABOVE = ("bridge.pipeline", "bridge.transport", "bridge.cli", "bridge.monitor", "bridge.dask", "click", "paramiko")


def test_no_rollout_module_imports_a_layer_above_it():
    offenders = []
    for path in sorted(ROLLOUT_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [f"{path.name}:{node.lineno} imports {n}" for n in names
                          if any(n == top or n.startswith(top + ".") for top in ABOVE)]
    assert offenders == [], offenders
