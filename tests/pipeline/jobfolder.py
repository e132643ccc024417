"""A job on local folders for the pipeline tests, with stand-in processors.

The real processor (decode + score + patch) is exercised by the integration tests; here a
processor copies the file (or fails in a chosen way) so each test looks at the flow alone.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bridge.errors import FramingError
from bridge.pipeline.job import Job, load_job
from bridge.pipeline.run import JobRunner
from bridge.pipeline.status import Outcome
from tests.conftest import COPYBOOKS

LRECL = 117
BAD = b"BAD!"  # a file starting with these bytes is rejected by `Copier`


def job_text(**sections: dict) -> str:
    """A job file: [job], [source], [target] with local folders, overridden by ``sections`` (None drops a key)."""
    base = {
        "job": {"name": "custscore", "copybook": str(COPYBOOKS / "customer.cpy"), "model": "model"},
        "source": {"kind": "local", "path": "inbox", "pattern": "*.dat"},
        "target": {"kind": "local", "path": "outbox"},
    }
    for name, values in sections.items():
        base[name] = {**base.get(name, {}), **values}
    lines = []
    for name, values in base.items():
        lines.append(f"[{name}]")
        for key, value in values.items():
            if value is None:
                continue  # None removes a default key
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Copier:
    """A processor that copies the input; a file starting with `BAD` raises a FramingError."""

    calls: list[str] = field(default_factory=list)
    rc: int = 0

    def __call__(self, input_path: Path, output_path: Path) -> Outcome:
        data = input_path.read_bytes()
        self.calls.append(data[:16].decode("latin-1"))
        if data.startswith(BAD):
            raise FramingError("file size is not a multiple of LRECL 117", offset=234, record=3,
                               seen=data[234:238] or b"\x00", hint="check recfm and lrecl")
        shutil.copyfile(input_path, output_path)
        n = len(data) // LRECL
        return Outcome(rc=self.rc, records_in=n, scored=n, model_id="CUSTRISK", message="")


class JobFolder:
    """A job folder: job.toml, inbox/, outbox/, a stand-in model folder."""

    def __init__(self, root: Path, **sections: dict) -> None:
        self.root = root
        (root / "inbox").mkdir(exist_ok=True)
        (root / "outbox").mkdir(exist_ok=True)
        (root / "model").mkdir(exist_ok=True)
        self.path = root / "job.toml"
        self.path.write_text(job_text(**sections))

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def archive(self) -> Path:
        return self.inbox / "archive"

    @property
    def error(self) -> Path:
        return self.inbox / "error"

    def job(self) -> Job:
        return load_job(self.path)

    def runner(self, processor=None) -> JobRunner:
        return JobRunner(self.job(), processor=processor or Copier())

    def drop(self, name: str, data: bytes | None = None, *, trigger: str | None = "") -> bytes:
        """Put a data file (default: 3 records) and its trigger (``name + .trg`` unless given; None = none)."""
        data = data if data is not None else bytes(range(256))[:LRECL] * 3
        (self.inbox / name).write_bytes(data)
        if trigger is not None:
            (self.inbox / (trigger or name + ".trg")).write_bytes(b"")
        return data


def listing(folder: Path) -> list[str]:
    """Every file name in ``folder`` (hidden ones too), sorted; [] for a missing folder."""
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
