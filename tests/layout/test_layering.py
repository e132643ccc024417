"""The layout package is the model alone: it never imports the copybook compiler that builds it."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import bridge.layout

LAYOUT_DIR = Path(bridge.layout.__file__).parent


def test_importing_the_layout_package_does_not_import_the_copybook_compiler():
    code = ("import sys, bridge.layout, bridge.layout.model, bridge.layout.resolve; "
            "print(sorted(m for m in sys.modules if m.startswith('bridge.copybook')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_no_layout_module_names_the_copybook_package_in_an_import():
    offenders = []
    for path in sorted(LAYOUT_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [f"{path.name}:{node.lineno} imports {n}" for n in names
                          if n == "bridge.copybook" or n.startswith("bridge.copybook.")]
    assert offenders == [], offenders
