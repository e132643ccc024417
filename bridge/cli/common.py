"""Options and steps shared by the record commands: the copybook flags and the reader flags.

Every command that reads a file takes the same reader flags, spelled once here, and turns
them into `ReaderOptions` through the same keywords the Python API takes.
"""
from __future__ import annotations

import contextlib
import functools
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import click

__all__ = ["check_output", "check_output_folder", "copybook_options", "load_layout", "output_file",
           "reader_kwargs", "reader_options", "records_window", "refuse_output_over_input", "window_options",
           "writer_options"]

#: RECFM choices as a mainframe engineer writes them (click would list them lower-cased).
RECFM_METAVAR = "[F|FB|V|VB|TEXT]"


def copybook_options(func: Callable | None = None, *, record_flag: str = "--record") -> Callable:
    """``-c COPYBOOK``, ``-I DIR``, ``--dialect``, ``--strict``, ``--record`` (or ``record_flag``)."""
    if func is None:
        return functools.partial(copybook_options, record_flag=record_flag)
    decorators = [
        click.option("-c", "--copybook", "copybook", required=True, type=click.Path(exists=True, dir_okay=False),
                     help="Copybook that lays out the records."),
        click.option("-I", "--include", "include", multiple=True, type=click.Path(exists=True, file_okay=False),
                     help="Folder searched for COPY members (repeatable)."),
        click.option("--dialect", type=click.Choice(["ibm", "gnucobol", "microfocus"]), default="ibm",
                     show_default=True, help="Compiler whose storage rules the file follows."),
        click.option("--strict", is_flag=True, help="Treat copybook leniency warnings as errors."),
        click.option(record_flag, "record", default=None, help="The 01 record to use (default: all / the first)."),
    ]
    for deco in reversed(decorators):
        func = deco(func)
    return func


def writer_options(func: Callable) -> Callable:
    """The framing and codec flags that say how records are laid out: for commands that write (`encode`, `fake`)."""
    for deco in reversed(_layout_flags()):
        func = deco(func)
    return func


def reader_options(func: Callable) -> Callable:
    """The flags of `writer_options` and those that only reading needs: for `decode` and friends."""
    for deco in reversed(_layout_flags() + _reading_flags()):
        func = deco(func)
    return func


def _layout_flags() -> list[Callable]:
    return [
        click.option("--recfm", type=click.Choice(["F", "FB", "V", "VB", "TEXT"], case_sensitive=False),
                     default="F", show_default=True, metavar=RECFM_METAVAR,
                     help="Record format: F/FB fixed LRECL records; V/VB each record behind a 4-byte RDW; "
                          "TEXT one record per line."),
        click.option("--lrecl", type=click.IntRange(min=1), default=None,
                     help="Record length in bytes, without RDW (default: the layout's length)."),
        click.option("--bdw", is_flag=True, help="VB file keeps its block descriptor words (4 bytes before "
                                                  "each block)."),
        click.option("--codepage", default="cp037", show_default=True,
                     help="EBCDIC code page (cp037, cp1047, cp1140-cp1149, ...) or ascii/latin-1."),
        click.option("--rdw-endian", type=click.Choice(["big", "little"]), default="big", show_default=True,
                     help="Byte order of the RDW length: big (z/OS, 'll ll 00 00') or little ('00 00 ll ll')."),
        click.option("--rdw-adjust", type=int, default=0, show_default=True,
                     help="Payload = RDW length - 4 + N (4 when the RDW counts only the data)."),
        click.option("--float-format", type=click.Choice(["ibm", "ieee"]), default="ibm", show_default=True,
                     help="COMP-1/COMP-2: IBM hexadecimal floating point or IEEE 754."),
        click.option("--odo-placement", type=click.Choice(["shift", "max"]), default="shift", show_default=True,
                     help="OCCURS DEPENDING ON tables at their actual size (IBM) or always full."),
        click.option("--variable-occurs", is_flag=True,
                     help="RECFM F without RDW: each record's length follows from its own counts."),
        click.option("--field-codepage", multiple=True, metavar="FIELD=CODEPAGE",
                     help="Code page of one field, when it differs from the file's (repeatable)."),
        # writers need the segment map too: it says which REDEFINES view or 01 record a row fills
        click.option("--segment-field", default=None, help="Field whose value selects the record type."),
        click.option("--segment-map", multiple=True, metavar="VALUE=NAME",
                     help="Selector value to 01 record or REDEFINES item (repeatable)."),
    ]


def _reading_flags() -> list[Callable]:
    return [
        click.option("--record-length-field", default=None,
                     help="RECFM F without RDW: field holding each record's length."),
        click.option("--record-length-adjust", type=int, default=0, show_default=True,
                     help="Bytes to add to the record-length field's value."),
        click.option("--skip-header-bytes", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Bytes at the start of the file that are not records."),
        click.option("--skip-trailer-bytes", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Bytes at the end of the file that are not records."),
        click.option("--trim", type=click.Choice(["none", "right", "left", "both"]), default="right",
                     show_default=True, help="Trimming of decoded strings."),
        click.option("--on-invalid", type=click.Choice(["null", "error"]), default="null", show_default=True,
                     help="Invalid numeric data: null and counted, or stop with an error."),
    ]


def threads_option(func: Callable) -> Callable:
    """``--threads N``: the cores a command decodes (and predicts) on."""
    return click.option("--threads", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Threads that decode batches at once (for score, also the cores that predict); "
                             "the output is the same whatever N. Default: every core this process may use.")(func)


def window_options(func: Callable) -> Callable:
    """``--skip N`` and ``--limit N``: which records of the file a command works on."""
    func = click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
                        help="At most N records (default: all).")(func)
    return click.option("--skip", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
                        help="Records to pass over at the start of the file.")(func)


def records_window(reader: Any, skip: int = 0, limit: int | None = None) -> Iterator[Any]:
    """The decoded batches of records ``skip`` .. ``skip + limit - 1`` of ``reader``; reading stops after them.

    Records passed over are framed (the framing must walk them) but not decoded.
    """
    from dataclasses import replace

    import numpy as np

    end = None if limit is None else skip + limit
    if end is not None and end <= skip:
        return

    def window() -> Iterator[Any]:
        for frame in reader._frames:  # noqa: SLF001 - framed records, decoded below only where wanted
            lo, hi = frame.first_record, frame.first_record + len(frame.lengths)
            if hi <= skip:
                continue
            a, b = max(skip, lo) - lo, (hi if end is None else min(end, hi)) - lo
            if (a, b) != (0, hi - lo):
                offsets = None if frame.file_offsets is None else frame.file_offsets[a:b]
                frame = replace(frame, matrix=np.ascontiguousarray(frame.matrix[a:b]), lengths=frame.lengths[a:b],
                                first_record=lo + a, file_offsets=offsets, header=b"", trailer=b"",
                                blocks=None, line_ends=None)
            yield frame
            if end is not None and hi >= end:
                return

    yield from reader.decode_frames(window())


_READER_KEYS = ("record", "recfm", "lrecl", "bdw", "codepage", "dialect", "rdw_endian", "rdw_adjust",
                "float_format", "odo_placement", "variable_occurs", "record_length_field", "record_length_adjust",
                "segment_field", "skip_header_bytes", "skip_trailer_bytes", "trim", "on_invalid", "threads")


def reader_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """Reader keywords (as the Python API takes them) from a command's parameters."""
    kw = {k: params[k] for k in _READER_KEYS if k in params and params[k] is not None}
    if "recfm" in kw:
        kw["recfm"] = kw["recfm"].upper()
    mapping = {}
    for item in params.get("segment_map") or ():
        value, sep, name = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not VALUE=NAME", param_hint="--segment-map")
        mapping[value] = name
    if mapping:
        kw["segment_map"] = mapping
    elif params.get("segment_field"):
        # without a map the selector would be silently ignored and every record type decoded
        raise click.UsageError("--segment-field needs at least one --segment-map VALUE=NAME "
                               "(the selector value and the 01 record or REDEFINES item it selects)")
    codepages = {}
    for item in params.get("field_codepage") or ():
        name, sep, cp = item.partition("=")
        if not sep or not cp:
            raise click.BadParameter(f"{item!r} is not FIELD=CODEPAGE", param_hint="--field-codepage")
        codepages[name.strip().upper()] = cp.strip()
    if codepages:
        kw["field_codepages"] = codepages
    return kw


def check_output(ctx: click.Context | None, param: click.Parameter | None, value: Any) -> Any:
    """Click callback: an output file that cannot be written is refused before any work starts.

    A scoring run that ends on a ``--report`` in a missing folder has thrown its work away, so
    every output path is checked when the options are read: its folder exists and is writable,
    and the path is not a folder. The refusal is an `OSError` naming the path, which the
    command reports in one line with return code 12 (the file system, as documented).
    """
    if value is None or value == "-":
        return value
    _check_writable(Path(value), is_folder=False)
    return value


def check_output_folder(ctx: click.Context | None, param: click.Parameter | None, value: Any) -> Any:
    """Click callback: like `check_output`, for an output that is a folder (created if missing)."""
    if value is None:
        return value
    _check_writable(Path(value), is_folder=True)
    return value


def _check_writable(target: Path, *, is_folder: bool) -> None:
    import errno

    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir() and not is_folder:
        raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name for the output", str(target))
    if target.exists() and is_folder and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a folder; the output is a folder",
                                 str(target))
    if not parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"cannot write here: the folder {parent} does not exist",
                                str(target))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, f"cannot write here: no permission to write in the folder {parent}",
                              str(target))


def refuse_output_over_input(data: str, output: str | None) -> None:
    """A usage error when OUTPUT names the input file: writing would destroy what is being read."""
    if output is None or output == "-":
        return
    src, dst = Path(data), Path(output)
    same = dst.exists() and src.exists() and os.path.samefile(src, dst)
    if same or src.resolve() == dst.resolve():
        raise click.UsageError(f"-o {output} is the input file {data}: writing it would destroy the input; "
                               "give another output file")


@contextlib.contextmanager
def output_file(path: str | None) -> Iterator[str | None]:
    """A temporary name beside ``path`` that becomes ``path`` only when the block succeeds.

    A failed run (bad data, wrong option, Ctrl-C) leaves no empty or half-written file that
    a later step could take for a result, and an existing file is kept until the new one is
    complete. The temporary name ends with the real name, so suffixes such as ``.gz`` still
    choose the compression.
    """
    if path is None or path == "-":
        yield path
        return
    target = Path(path)
    _check_writable(target, is_folder=False)
    temp = target.with_name(f".bridge-tmp-{os.getpid()}-{target.name}")
    try:
        # created owner-only before anything is written: outputs hold customer data
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        yield str(temp)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError) and exc.filename == str(temp):
            # the user knows the file by the name they gave, not by the temporary one
            raise OSError(exc.errno, exc.strerror, path) from exc
        raise
    if temp.exists():
        os.chmod(temp, 0o600)   # a writer that replaced the file gave it the umask's mode
        os.replace(temp, target)


def load_layout(copybook: str, include: tuple[str, ...] = (), dialect: str = "ibm", strict: bool = False):
    """Compile the copybook, printing its warnings on standard error in FILE:LINE:COLUMN form."""
    from bridge.copybook import load_copybook

    layout = load_copybook(copybook, include_dirs=include, dialect=dialect, strict=strict)
    for warning in layout.warnings:
        click.echo(warning, err=True)
    return layout


def with_layout(func: Callable) -> Callable:
    """Decorator: compile the copybook from the common flags and pass ``layout=``."""
    @functools.wraps(func)
    def wrapper(**params: Any) -> Any:
        layout = load_layout(params["copybook"], params.get("include", ()), params.get("dialect", "ibm"),
                             params.get("strict", False))
        return func(layout=layout, **params)
    return wrapper


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
