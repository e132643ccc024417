"""How the CLI tests start the real command in a process of its own."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT


def console_script(name: str = "mfbridge") -> list[str] | None:
    """The installed console script ``name`` beside this interpreter, or None when not installed."""
    here = Path(sys.executable).parent
    path = here / name
    if path.exists():
        return [str(path)]
    found = shutil.which(name)
    return [found] if found and Path(found).parent == here else None


def command_line() -> list[str]:
    """The command as users start it: the `mfbridge` script, else its `bridge` alias, else ``-m bridge``."""
    return console_script("mfbridge") or console_script("bridge") or [sys.executable, "-m", "bridge"]


def run_command(*args: object, stdin: bytes | None = None, timeout: float = 120,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real command with this checkout first on the path; text output."""
    full_env = {k: v for k, v in os.environ.items() if k != "MFBRIDGE_DEBUG"}
    full_env.update({"PYTHONPATH": str(ROOT), **(env or {})})
    return subprocess.run([*command_line(), *map(str, args)], input=stdin, capture_output=True,
                          timeout=timeout, env=full_env)


@pytest.fixture
def require_mfbridge_script() -> list[str]:
    """The installed `mfbridge` script; skipped when the install predates it, failing under CI=true."""
    script = console_script("mfbridge")
    if script is None:
        message = "the mfbridge console script is not installed (pip install -e . again)"
        if IN_CI:
            pytest.fail(message + " and CI=true")
        pytest.skip(message)
    return script
