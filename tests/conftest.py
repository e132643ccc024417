"""Shared test setup: paths to the project's sample copybooks and the Cobrix corpus."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPYBOOKS = ROOT / "copybooks"
FIXTURES = ROOT / "fixtures"
SHARED = Path(os.environ.get("BRIDGE_SHARED", ROOT.parent / "shared"))
COBRIX = SHARED / "conformance" / "cobrix"

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_tool(name: str) -> str:
    """Path of an external tool; skips the test when missing, fails instead when CI=true."""
    found = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)
    if found:
        return found
    message = f"{name} is not installed (apt-get install {'gnucobol3' if name == 'cobc' else 'openssh-server'})"
    if IN_CI:
        pytest.fail(message + " and CI=true: integration tests must run in CI")
    pytest.skip(message)


def require_cobrix(path: Path = COBRIX) -> Path:
    """Path inside the Cobrix corpus; skips when it is missing, fails instead when CI=true."""
    if path.exists():
        return path
    message = f"Cobrix corpus not found at {path} (it lives in ../shared/conformance/cobrix)"
    if IN_CI:
        pytest.fail(message + " and CI=true: conformance tests must run in CI")
    pytest.skip(message)


#: module-level mark for tests that read the Cobrix corpus: skip locally, fail in CI
needs_cobrix = pytest.mark.usefixtures("cobrix_corpus")


@pytest.fixture(scope="session")
def cobrix_corpus() -> Path:
    return require_cobrix()


@pytest.fixture(scope="session")
def copybooks_dir() -> Path:
    return COPYBOOKS
