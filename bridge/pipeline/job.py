"""The job file: one TOML document that says where drops come from, how to read and score them, and where results go.

Relative paths in the file are relative to the job file's folder, so a job folder can be
moved as a whole. Secrets are never in the file: SSH keys are files (or the agent), and a
key's passphrase comes from the environment variable named by ``passphrase_env``.
Unknown keys are errors (a typo must not silently fall back to a default).

Places are checked when the job is loaded, not when the first file arrives: an outbox that is
the inbox (the job would take its own outputs as new drops, for ever), or a work area or
journal inside the inbox (where anyone who drops files could change them), stops the job.
Files are created 0600 and folders 0700 unless ``file_mode``/``dir_mode`` say otherwise
(TOML octal: ``file_mode = 0o640``).

See docs/batch-job.md for every key, and examples/ for complete files.
"""
from __future__ import annotations

import os
import posixpath
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from bridge.errors import JobError

__all__ = ["Endpoint", "Engine", "Job", "load_job", "READER_KEYS"]

#: reader options a job may set in [job], spelled as the CLI flags
READER_KEYS = ("record", "recfm", "lrecl", "codepage", "dialect", "rdw_endian", "rdw_adjust", "bdw",
               "float_format", "odo_placement", "variable_occurs", "record_length_field", "record_length_adjust",
               "field_codepages", "segment_field", "segment_map",
               "skip_header_bytes", "skip_trailer_bytes", "on_invalid", "threads")


@dataclass(frozen=True)
class Endpoint:
    """A drop zone: a local folder or a folder on an SFTP server."""

    kind: Literal["local", "sftp"] = "local"
    path: str = "."
    host: str | None = None
    port: int = 22
    user: str | None = None
    key_file: str | None = None
    known_hosts: str | None = None
    passphrase_env: str | None = None
    use_agent: bool = False
    timeout: float = 30.0
    retries: int = 4
    retry_delay: float = 1.0
    file_mode: int = 0o600
    dir_mode: int = 0o700

    def connection(self) -> dict[str, Any]:
        """Keyword arguments for `bridge.transport.open_dropzone`."""
        from bridge.transport import RetryPolicy

        kw: dict[str, Any] = {"kind": self.kind, "path": self.path, "file_mode": self.file_mode,
                              "dir_mode": self.dir_mode}
        if self.kind == "sftp":
            kw.update(host=self.host, port=self.port, user=self.user, key_file=self.key_file,
                      known_hosts=self.known_hosts, passphrase_env=self.passphrase_env,
                      timeout=self.timeout,
                      retry=RetryPolicy(attempts=max(1, self.retries), base_delay=self.retry_delay))
        return kw


@dataclass(frozen=True)
class Source:
    endpoint: Endpoint
    pattern: str = "*"
    ready: Literal["trigger", "stable"] = "trigger"
    trigger_suffix: str = ".trg"
    trigger_replaces_suffix: bool = False
    stable_seconds: float = 30.0
    archive: str = "archive"
    error: str = "error"


@dataclass(frozen=True)
class Target:
    endpoint: Endpoint
    name: str = "{stem}.SCORED{suffix}"
    status: bool = True
    status_name: str = "{output}.status"
    trigger: bool = False
    trigger_name: str = "{output}.trg"


@dataclass(frozen=True)
class Engine:
    """[engine]: where the scoring step runs: this process (``local``) or a Dask cluster (``dask``)."""

    kind: Literal["local", "dask"] = "local"
    scheduler: str | None = None            # a running cluster's scheduler address (tcp://host:8786)
    workers: int | None = None              # or a local cluster of this many worker processes, per file
    blocksize: int | str | None = None      # bytes per task ("256 MiB" when not given)


@dataclass(frozen=True)
class Job:
    """A parsed, checked job file."""

    name: str
    path: Path                              # the job file
    copybook: Path
    include: tuple[Path, ...]
    model: Path
    reader: dict[str, Any]
    source: Source
    target: Target
    work_dir: Path
    journal: Path
    shadow: Path | None = None
    log_format: Literal["plain", "json"] = "plain"
    reject_invalid: bool = False            # a file with any invalid value is rejected (rc 8)
    trailer: Any = None                     # bridge.records.controls.TrailerCheck from [job.trailer]
    empty_input: Literal["warn", "ok", "reject"] = "warn"  # a 0-byte drop: RC 4, RC 0 or rejected (RC 8)
    file_mode: int = 0o600                  # work copies, journal (outputs: the endpoint's file_mode)
    dir_mode: int = 0o700
    rollout: Any = None                     # bridge.rollout.config.RolloutConfig from [rollout] (or [job] shadow)
    history: Any = None                     # bridge.rollout.config.HistoryConfig from [history] (defaults)
    engine: Engine = Engine()

    def trigger_for(self, data_name: str) -> str:
        """The trigger file name that marks ``data_name`` complete."""
        suffix = self.source.trigger_suffix
        if self.source.trigger_replaces_suffix and "." in data_name:
            return data_name.rsplit(".", 1)[0] + suffix
        return data_name + suffix

    def data_for_trigger(self, trigger_name: str, names: set[str]) -> str | None:
        """The data file a trigger belongs to, among ``names`` (None when it is not there)."""
        suffix = self.source.trigger_suffix
        if not trigger_name.endswith(suffix):
            return None
        stem = trigger_name[: -len(suffix)]
        if not self.source.trigger_replaces_suffix:
            return stem if stem in names else None
        matches = [n for n in names if "." in n and n.rsplit(".", 1)[0] == stem and n != trigger_name]
        return sorted(matches)[0] if matches else None


_JOB_KEYS = {"name", "copybook", "include", "model", "work_dir", "journal", "shadow", "log_format",
             "reject_invalid", "trailer", "empty_input", "file_mode", "dir_mode", *READER_KEYS}
EMPTY_INPUT = ("warn", "ok", "reject")
_TRAILER_KEYS = {"record", "count_field", "count_of", "total_field", "total_of"}
_ENDPOINT_KEYS = {f.name for f in fields(Endpoint)}
_SOURCE_KEYS = _ENDPOINT_KEYS | {"pattern", "ready", "trigger_suffix", "trigger_replaces_suffix",
                                 "stable_seconds", "archive", "error"}
_TARGET_KEYS = _ENDPOINT_KEYS | {"name", "status", "status_name", "trigger", "trigger_name"}
_ENGINE_KEYS = {"kind", "scheduler", "workers", "blocksize"}


def load_job(path: str | Path) -> Job:
    """Read and check a job file; raises `JobError` naming the key that is wrong."""
    path = Path(path)
    where = str(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobError("job file not found", job=where) from None
    except tomllib.TOMLDecodeError as exc:
        raise JobError(f"not valid TOML: {exc}", job=where) from None
    base = path.resolve().parent
    unknown_sections = set(doc) - {"job", "source", "target", "engine", "rollout", "history", "monitor"}
    if unknown_sections:
        raise JobError(f"unknown section(s) [{'], ['.join(sorted(unknown_sections))}]; "
                       "a job has [job], [source], [target], [engine], [rollout], [history] and [monitor]",
                       job=where)
    job = _section(doc, "job", _JOB_KEYS, where)
    src = _section(doc, "source", _SOURCE_KEYS, where)
    tgt = _section(doc, "target", _TARGET_KEYS, where, required=False)
    for key in ("name", "copybook", "model"):
        if key == "model" and isinstance(doc.get("rollout"), dict) and "champion" in doc["rollout"]:
            continue  # [rollout] champion names the model of record
        if key not in job:
            raise JobError(f"[job] needs {key} =", job=where)
    eng = _section(doc, "engine", _ENGINE_KEYS, where, required=False)
    for name, section in (("job", job), ("source", src), ("target", tgt), ("engine", eng)):
        _check_types(name, section, where)
    if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}", job["name"]):
        raise JobError(f"[job] name = {job['name']!r}: use 1-64 letters, digits, '.', '_' or '-' (it names "
                       "the job's work folder)", job=where)

    def rel(p: str | None) -> Path | None:
        if p is None:
            return None
        q = Path(p).expanduser()
        return q if q.is_absolute() else base / q

    modes = {k: _mode(job, k, where, "job") for k in ("file_mode", "dir_mode") if k in job}
    source_ep = _endpoint({**modes, **src}, where, "source", base)
    target_ep = _endpoint({**modes, **{k: v for k, v in src.items() if k in _ENDPOINT_KEYS and k != "path"}, **tgt},
                          where, "target", base) if tgt else None
    if target_ep is None or "path" not in tgt:
        raise JobError("[target] needs path = (the outbox the next JCL step reads)", job=where)
    ready = src.get("ready", "trigger")
    if ready not in ("trigger", "stable"):
        raise JobError(f"[source] ready = {ready!r} is not one of: trigger, stable", job=where)
    reader = {k: job[k] for k in READER_KEYS if k in job}
    work_dir = rel(job.get("work_dir")) or base / ".bridge" / str(job["name"])
    source = Source(endpoint=source_ep, pattern=src.get("pattern", "*"), ready=ready,
                    trigger_suffix=src.get("trigger_suffix", ".trg"),
                    trigger_replaces_suffix=bool(src.get("trigger_replaces_suffix", False)),
                    stable_seconds=float(src.get("stable_seconds", 30.0)),
                    archive=src.get("archive", "archive"), error=src.get("error", "error"))
    target = Target(endpoint=target_ep, name=tgt.get("name", "{stem}.SCORED{suffix}"),
                    status=bool(tgt.get("status", True)), status_name=tgt.get("status_name", "{output}.status"),
                    trigger=bool(tgt.get("trigger", False)), trigger_name=tgt.get("trigger_name", "{output}.trg"))
    _check_names(target, where)
    log_format = job.get("log_format", "plain")
    if log_format not in ("plain", "json"):
        raise JobError(f"[job] log_format = {log_format!r} is not one of: plain, json", job=where)
    _check_reader(reader, where)
    trailer = _trailer(job.get("trailer"), where)
    empty_input = job.get("empty_input", "warn")
    if empty_input not in EMPTY_INPUT:
        raise JobError(f"[job] empty_input = {empty_input!r} is not one of: {', '.join(EMPTY_INPUT)}", job=where)
    journal = rel(job.get("journal")) or work_dir / "journal.sqlite"
    _check_places(source, target, work_dir, journal, where)
    places: dict[str, Path | None] = {}

    def model_place(value: str | None) -> Path | None:
        # each spec resolved once: an mlflow alias is one question to the registry, not one per key
        if value not in places:
            places[value] = _model_place(value, base, "model", where)   # type: ignore[index]
        return places[value]   # type: ignore[index]

    rollout, history = _rollout_sections(doc, job, rel, model_place, journal, source, where)
    engine = _engine(eng, where)
    if engine.kind == "dask" and isinstance(doc.get("rollout"), dict) and "challenger" in doc["rollout"]:
        raise JobError("[rollout] with a challenger needs [engine] kind = \"local\": records are routed between "
                       "champion and challenger by the local scorer, not on a Dask cluster", job=where)
    return Job(name=str(job["name"]), path=path, copybook=rel(job["copybook"]),
               include=tuple(rel(p) for p in job.get("include", [])),
               model=rollout.champion if rollout is not None else model_place(job["model"]),
               reader=reader, source=source, target=target, work_dir=work_dir,
               journal=journal, shadow=model_place(job.get("shadow")),
               log_format=log_format,
               reject_invalid=bool(job.get("reject_invalid", False)), trailer=trailer, empty_input=empty_input,
               file_mode=modes.get("file_mode", 0o600), dir_mode=modes.get("dir_mode", 0o700),
               rollout=rollout, history=history, engine=engine)


def _rollout_sections(doc: dict, job: dict, rel, model_place, journal: Path, source: "Source", where: str):
    """[rollout] (or the old [job] shadow) and [history], checked now (see bridge.rollout.config)."""
    from bridge.rollout.config import history_config, rollout_config

    rollout = rollout_config(doc.get("rollout"), model=job.get("model"), shadow=job.get("shadow"), resolve=model_place,
                             where=where)
    history = history_config(doc.get("history"), journal=journal, resolve=rel, where=where)
    if source.endpoint.kind == "local":
        for key, place in (("path", history.path), ("folder", history.folder)):
            if _inside(place, Path(source.endpoint.path)):
                raise JobError(f"[history] {key} = {str(place)!r} is inside the inbox {source.endpoint.path}, where "
                               "anyone who drops files could change it; put it outside the inbox", job=where)
    return rollout, history


def _model_place(value: str | None, base: Path, key: str, where: str) -> Path | None:
    """A model folder (relative to the job file), or an ``mlflow:`` spec resolved to its cached folder
    now, before any file is claimed: a registry that cannot give the model stops the job (RC 12)."""
    if value is None:
        return None
    from bridge.errors import BridgeError
    from bridge.mlflow import model_folder

    try:
        return model_folder(value, base)
    except BridgeError as exc:
        raise JobError(f"[job] {key} = {value!r}: {getattr(exc, 'reason', exc)}", job=where) from None


def _engine(section: dict, where: str) -> Engine:
    """[engine]: ``kind = "dask"`` needs ``scheduler`` or ``workers``, and the dask extra installed."""
    kind = section.get("kind", "local")
    if kind not in ("local", "dask"):
        raise JobError(f"[engine] kind = {kind!r} is not one of: local, dask", job=where)
    engine = Engine(kind=kind, scheduler=section.get("scheduler"), workers=section.get("workers"),
                    blocksize=section.get("blocksize"))
    if kind == "local":
        extra = sorted(k for k in ("scheduler", "workers", "blocksize") if k in section)
        if extra:
            raise JobError(f"[engine] {', '.join(extra)} go with kind = \"dask\"", job=where)
        return engine
    if (engine.scheduler is None) == (engine.workers is None):
        raise JobError("[engine] kind = \"dask\" needs either scheduler = (a running cluster's address, "
                       "e.g. \"tcp://host:8786\") or workers = (a local cluster of that many processes)", job=where)
    if engine.workers is not None and engine.workers < 1:
        raise JobError(f"[engine] workers = {engine.workers} must be at least 1", job=where)
    try:
        from bridge.dask.splits import block_bytes

        if engine.blocksize is not None:
            block_bytes(engine.blocksize)
    except JobError:
        raise
    except Exception as exc:  # noqa: BLE001 - the extra missing, or a block size that is no size: one line
        raise JobError(f"[engine] {exc}", job=where) from None
    return engine


def _mode(section: dict, key: str, where: str, name: str) -> int:
    value = section[key]
    need = 0o600 if key == "file_mode" else 0o700
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0o777 or value & need != need:
        shown = oct(value) if isinstance(value, int) and not isinstance(value, bool) else repr(value)
        example = oct(need | (0o040 if key == "file_mode" else 0o050))
        raise JobError(f"[{name}] {key} = {shown} must be an octal mode from {oct(need)} to 0o777 that lets the "
                       f"job's own user {'read and write' if key == 'file_mode' else 'enter and write'} "
                       f"(write it as TOML octal, e.g. {key} = {example})", job=where)
    return value


def _inside(path: Path, folder: Path) -> bool:
    path, folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return path == folder or folder in path.parents


def _check_places(source: "Source", target: "Target", work_dir: Path, journal: Path, where: str) -> None:
    """Refuse places that make the job feed on itself or let a dropper reach its private files."""
    src, tgt = source.endpoint, target.endpoint
    same_server = (src.kind == tgt.kind == "local"
                   or (src.kind == tgt.kind == "sftp"
                       and (src.host, src.port, src.user) == (tgt.host, tgt.port, tgt.user)))
    if same_server:
        norm = os.path.realpath if src.kind == "local" else posixpath.normpath
        if norm(src.path) == norm(tgt.path):
            raise JobError(f"[target] path = {tgt.path!r} is the inbox: the job would take its own outputs as new "
                           "drops and score them again, for ever; give the outbox a folder of its own", job=where)
    if src.kind != "local":
        return
    inbox = Path(src.path)
    for key, folder in (("archive", source.archive), ("error", source.error)):
        if Path(inbox, folder).resolve() == inbox.resolve():
            raise JobError(f"[source] {key} = {folder!r} is the inbox itself; use a folder of its own", job=where)
    for key, path in (("work_dir", work_dir), ("journal", journal)):
        if _inside(path, inbox):
            raise JobError(f"[job] {key} = {str(path)!r} is inside the inbox {src.path}, where anyone who drops "
                           "files could change it; put it outside the inbox", job=where)


def _check_reader(reader: dict[str, Any], where: str) -> None:
    """Reader options are checked when the job is loaded, not when the first file arrives: a typo
    must stop the job (RC 12) rather than send every drop to the error folder."""
    from bridge.codec.codepage import codepage
    from bridge.errors import BridgeError
    from bridge.records.options import ReaderOptions

    try:
        options = ReaderOptions.from_kwargs(**reader)
        codepage(options.codepage)
        for cp in options.field_codepages.values():
            codepage(cp)
    except BridgeError as exc:
        raise JobError(f"[job] {exc}", job=where) from None
    if options.lrecl is not None and options.lrecl < 1:
        raise JobError(f"[job] lrecl = {options.lrecl} must be at least 1", job=where)


def _trailer(section: Any, where: str):
    """[job.trailer]: the control totals a file's trailer must match (see bridge.records.controls)."""
    if section is None:
        return None
    from bridge.records.controls import TrailerCheck

    if not isinstance(section, dict):
        raise JobError("[job.trailer] must be a table", job=where)
    unknown = sorted(set(section) - _TRAILER_KEYS)
    if unknown:
        raise JobError(f"unknown key(s) in [job.trailer]: {', '.join(unknown)}; accepted: "
                       f"{', '.join(sorted(_TRAILER_KEYS))}", job=where)
    for key in ("record", "count_field"):
        if not isinstance(section.get(key), str):
            raise JobError(f"[job.trailer] needs {key} = (a string in quotes)", job=where)
    if bool(section.get("total_field")) != bool(section.get("total_of")):
        raise JobError("[job.trailer] total_field and total_of go together (the trailer's total and the field "
                       "it sums)", job=where)
    return TrailerCheck.from_dict(section)


#: the type each key must have (the reader options are checked by the reader itself)
_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str, "copybook": str, "include": list, "model": str, "work_dir": str, "journal": str, "shadow": str,
    "log_format": str, "reject_invalid": bool, "kind": str, "path": str, "host": str, "port": int, "user": str,
    "key_file": str, "known_hosts": str, "passphrase_env": str, "use_agent": bool, "timeout": (int, float),
    "retries": int, "retry_delay": (int, float), "pattern": str, "ready": str, "trigger_suffix": str,
    "trigger_replaces_suffix": bool, "stable_seconds": (int, float), "archive": str, "error": str,
    "status": bool, "status_name": str, "trigger": bool, "trigger_name": str, "trailer": dict,
    "empty_input": str, "scheduler": str, "workers": int, "blocksize": (str, int),
    # reader options
    "record": str, "recfm": str, "lrecl": int, "codepage": str, "dialect": str, "rdw_endian": str,
    "rdw_adjust": int, "bdw": bool, "float_format": str, "odo_placement": str, "variable_occurs": bool,
    "record_length_field": str, "record_length_adjust": int, "field_codepages": dict, "segment_field": str,
    "segment_map": dict, "skip_header_bytes": int, "skip_trailer_bytes": int, "on_invalid": str,
    "threads": int,
}
_TYPE_WORDS = {str: "a string in quotes", int: "a whole number", bool: "true or false", list: "a list [...]",
               dict: "a table ([job.trailer])",
               (int, float): "a number", (str, int): "a size, e.g. \"256 MiB\", or a number of bytes"}


def _check_types(name: str, section: dict, where: str) -> None:
    for key, value in section.items():
        want = _TYPES.get(key)
        if want is None:
            continue
        wrong = not isinstance(value, want) or (isinstance(value, bool) and want is not bool)
        if wrong:
            raise JobError(f"[{name}] {key} = {value!r} must be {_TYPE_WORDS[want]}", job=where)


def _check_names(target: "Target", where: str) -> None:
    """Name patterns must give plain file names: no folders, so nothing lands outside the outbox."""
    from bridge.pipeline.status import output_name

    sample = "CUSTEXT.D261126.G0042.dat"
    for key, pattern in (("name", target.name), ("status_name", target.status_name),
                         ("trigger_name", target.trigger_name)):
        if "/" in pattern or "\\" in pattern or pattern in ("", ".", ".."):
            raise JobError(f"[target] {key} = {pattern!r} would write outside the outbox; a name pattern "
                           "makes a plain file name (no '/', '\\' or '..')", job=where)
        try:
            output_name(pattern, sample, generation=1, output=None if key == "name" else sample, key=key)
        except JobError as exc:
            raise JobError(exc.reason, job=where) from None


def _section(doc: dict, name: str, allowed: set[str], where: str, *, required: bool = True) -> dict:
    section = doc.get(name)
    if section is None:
        if required:
            raise JobError(f"missing section [{name}]", job=where)
        return {}
    if not isinstance(section, dict):
        raise JobError(f"[{name}] must be a table", job=where)
    for key in ("password", "passphrase"):  # before the unknown keys: say why, not just "unknown"
        if key in section:
            raise JobError(f"[{name}] {key} = is not allowed: secrets never go in the job file; use key_file "
                           "with passphrase_env, or the SSH agent", job=where)
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise JobError(f"unknown key(s) in [{name}]: {', '.join(unknown)}; accepted: {', '.join(sorted(allowed))}",
                       job=where)
    return section


def _endpoint(section: dict, where: str, name: str, base: Path) -> Endpoint:
    kind = section.get("kind", "local")
    if kind not in ("local", "sftp"):
        raise JobError(f"[{name}] kind = {kind!r} is not one of: local, sftp", job=where)
    values = {k: section[k] for k in _ENDPOINT_KEYS if k in section}
    for key in ("file_mode", "dir_mode"):
        if key in values:
            values[key] = _mode(values, key, where, name)
    if kind == "local":
        p = Path(str(values.get("path", "."))).expanduser()
        values["path"] = str(p if p.is_absolute() else base / p)
    else:
        for key in ("host", "user", "known_hosts"):
            if not values.get(key):
                raise JobError(f"[{name}] kind = 'sftp' needs {key} =", job=where)
        for key in ("key_file", "known_hosts"):
            if values.get(key):
                p = Path(values[key]).expanduser()
                values[key] = str(p if p.is_absolute() else base / p)
        if not values.get("key_file") and not values.get("use_agent"):
            raise JobError(f"[{name}] kind = 'sftp' needs key_file = (or use_agent = true)", job=where)
    return Endpoint(**values)
