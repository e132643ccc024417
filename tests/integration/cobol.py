"""The GnuCOBOL rig: compile COBOL programs with cobc once per test session, run them with DD files.

GnuCOBOL stands in for the mainframe job in the integration tests: its programs write extracts
the bridge must decode and read back what the bridge wrote. The decisions behind the rig:

* Programs compile with ``IBM_FLAGS`` (``-std=ibm``): 2-4-8 byte binary, big-endian COMP,
  TRUNC(BIN)-like truncation, SYNC honoured, and GnuCOBOL's ASCII sign convention for zoned
  numbers (positive plain digits, negative last digit ``p``-``y``). ``EBCDIC_SIGN_FLAGS`` adds
  ``-fsign=EBCDIC`` for the IBM-style ``{A-I}J-R`` overpunch; a reader must be compiled with
  the same sign flag as the writer (nothing detects a mismatch). COMP-5 stays little-endian.
* Files are named the mainframe way: ``SELECT .. ASSIGN TO "CUSTOUT"`` in the program and
  ``DD_CUSTOUT=/path`` in the environment (`CobolProgram.run` sets them). Under ``-std=ibm``
  an ``ASSIGN TO data-item`` is taken as an external name and silently writes ``./ITEM``, so
  the programs here only use literal names.
* Executables are cached by the hash of the source, the copybooks it can COPY, the flags and
  the cobc version, in one temporary directory per session that is removed at exit: the tree
  stays clean and a program is compiled once however many tests use it.
"""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from tests.conftest import ROOT, require_tool

__all__ = [
    "COBOL_SOURCES",
    "EBCDIC_SIGN_FLAGS",
    "IBM_FLAGS",
    "CobolCompileError",
    "CobolProgram",
    "CobolRunError",
    "build_dir",
]

COBOL_SOURCES = Path(__file__).resolve().parent / "cobol"
"""The COBOL programs of the rig (interop writers and readers)."""

IBM_FLAGS: tuple[str, ...] = ("-std=ibm",)
"""IBM-like storage: binary 2-4-8 bytes big-endian, SYNC, no binary truncation, ASCII zoned signs."""

EBCDIC_SIGN_FLAGS: tuple[str, ...] = IBM_FLAGS + ("-fsign=EBCDIC",)
"""As `IBM_FLAGS`, with zoned signs as IBM overpunch characters (``{ A-I`` positive, ``} J-R`` negative)."""

_session_dir: Path | None = None


class CobolCompileError(AssertionError):
    """cobc refused a program; the message carries cobc's own diagnostics."""


class CobolRunError(AssertionError):
    """A compiled program ended with a non-zero return code."""


def build_dir() -> Path:
    """The session's directory for compiled programs (created on first use, removed at exit)."""
    global _session_dir
    if _session_dir is None:
        _session_dir = Path(tempfile.mkdtemp(prefix="bridge-cobc-"))
        atexit.register(shutil.rmtree, _session_dir, True)
    return _session_dir


@dataclass(frozen=True)
class CobolProgram:
    """A compiled, runnable COBOL program."""

    executable: Path
    source: Path
    flags: tuple[str, ...]

    @classmethod
    def compile(
        cls,
        source: str | Path,
        copy_dirs: Iterable[str | Path] = (),
        flags: Sequence[str] = IBM_FLAGS,
        *,
        into: Path | None = None,
    ) -> "CobolProgram":
        """Compile ``source`` (a path, or a name under `COBOL_SOURCES`) into an executable.

        ``copy_dirs`` are searched for COPY members (``cobc -I``); the project's ``copybooks/``
        is always searched last. Compiling the same source, copybooks and flags again returns
        the cached executable. Raises `CobolCompileError` with cobc's messages on failure.
        """
        cobc = require_tool("cobc")
        src = Path(source)
        if not src.is_absolute() and not src.exists():
            src = COBOL_SOURCES / src
        src = src.resolve()
        dirs = [Path(d).resolve() for d in copy_dirs] + [ROOT / "copybooks"]
        flags = tuple(flags)
        key = _cache_key(cobc, src, dirs, flags)
        out_dir = (into or build_dir()) / key
        exe = out_dir / src.stem
        if not exe.exists():
            out_dir.mkdir(parents=True, exist_ok=True)
            cmd = [cobc, "-x", *flags, *(f"-I{d}" for d in dirs), "-o", str(exe), str(src)]
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=out_dir)
            if done.returncode != 0 or not exe.exists():
                raise CobolCompileError(
                    f"cobc could not compile {src.name} (exit {done.returncode}):\n"
                    f"  {' '.join(cmd)}\n{done.stderr}{done.stdout}"
                )
        return cls(executable=exe, source=src, flags=flags)

    def run(
        self,
        *,
        dd: Mapping[str, str | Path] | None = None,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        stdin: str | None = None,
        check: bool = True,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        """Run the program with ``DD_<name>=<path>`` for every entry of ``dd``; stdout/stderr captured as text.

        ``args`` become the command line (``ACCEPT .. FROM COMMAND-LINE``). With ``check`` a
        non-zero return code raises `CobolRunError` showing both output streams.
        """
        environment = dict(os.environ)
        environment.update(env or {})
        for name, path in (dd or {}).items():
            environment[f"DD_{name.upper()}"] = str(path)
        done = subprocess.run(
            [str(self.executable), *args],
            capture_output=True,
            text=True,
            env=environment,
            input=stdin,
            timeout=timeout,
            cwd=self.executable.parent,
        )
        if check and done.returncode != 0:
            raise CobolRunError(
                f"{self.source.name} ended with return code {done.returncode}\n"
                f"--- stdout\n{done.stdout}--- stderr\n{done.stderr}"
            )
        return done


def _cache_key(cobc: str, source: Path, copy_dirs: list[Path], flags: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    digest.update(_cobc_version(cobc).encode())
    digest.update("\0".join(flags).encode())
    digest.update(source.read_bytes())
    for directory in copy_dirs:
        digest.update(str(directory).encode())
        if directory.is_dir():
            for member in sorted(p for p in directory.iterdir() if p.is_file()):
                digest.update(member.name.encode())
                digest.update(member.read_bytes())
    return digest.hexdigest()[:16]


_versions: dict[str, str] = {}


def _cobc_version(cobc: str) -> str:
    if cobc not in _versions:
        done = subprocess.run([cobc, "--version"], capture_output=True, text=True)
        _versions[cobc] = done.stdout.splitlines()[0] if done.stdout else "unknown"
    return _versions[cobc]
