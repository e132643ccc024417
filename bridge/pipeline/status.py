"""What the mainframe reads back: the status file, the output name, and the `.err` report of a rejected file.

The status file is short ``KEY=VALUE`` lines of plain ASCII, one fact a line, in a fixed
order, so a REXX or COBOL step (or `grep RC=` in a BPXBATCH script) can test it:

    RC=0000
    INPUT=CUSTEXT.D261126.G0042.dat
    OUTPUT=CUSTEXT.D261126.G0042.SCORED.dat
    RECORDS-IN=0000120000
    SCORED=0000119998
    REJECTED=0000000002
    MODEL-ID=CUSTRISK
    MESSAGE=2 records not scored (invalid features)

Return codes follow the JCL convention: 0 all records scored; 4 the file was scored but some
records were not (their status field says why) or the file was a duplicate already scored;
8 the file was rejected (framing, invalid data, trailer counts) and moved to the error
folder with an `.err` report; 12 the job could not process it (model or configuration).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from bridge.errors import BridgeError, FramingError, InvalidDataError, JobError

__all__ = ["Outcome", "error_report", "output_name", "status_text"]

RC_OK, RC_WARNING, RC_REJECTED, RC_SEVERE = 0, 4, 8, 12

#: the longest MESSAGE= value; a longer message is cut at a word boundary and ends with "..."
MESSAGE_WIDTH = 200


@dataclass
class Outcome:
    """The result of processing one input file."""

    rc: int
    records_in: int = 0
    scored: int = 0
    rejected: int = 0
    model_id: str = ""
    message: str = ""
    report: dict | None = None


def status_text(input_name: str, output: str | None, outcome: Outcome) -> bytes:
    """The status file's bytes (ASCII, LF line ends)."""
    message = _shortened(re.sub(r"[^\x20-\x7E]", "?", " ".join(outcome.message.split())), MESSAGE_WIDTH)
    lines = [
        f"RC={outcome.rc:04d}",
        f"INPUT={input_name}",
        f"OUTPUT={output or ''}",
        f"RECORDS-IN={outcome.records_in:010d}",
        f"SCORED={outcome.scored:010d}",
        f"REJECTED={outcome.rejected:010d}",
        f"MODEL-ID={outcome.model_id}",
        f"MESSAGE={message}",
    ]
    # names are ASCII (transport.safe_name); a row journalled before that rule still gets a status
    return ("\n".join(lines) + "\n").encode("ascii", "backslashreplace")


def _shortened(text: str, width: int) -> str:
    """`text` cut at the last word boundary that leaves room for "...", never inside a word."""
    if len(text) <= width:
        return text
    cut = text[: width - 3]
    if text[width - 3] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "..."


def output_name(pattern: str, input_name: str, *, generation: int, now: float | None = None,
                output: str | None = None, key: str = "name") -> str:
    """The output file name from the job's pattern.

    Tokens: ``{name}`` (the input's full name), ``{stem}`` (without its last suffix),
    ``{suffix}`` (the last suffix with its dot, or empty), ``{date}`` (``D`` + YYMMDD, an MVS
    qualifier), ``{time}`` (``T`` + HHMMSS), ``{gen}`` (``G0001V00``, the job's output count);
    for the status and trigger names also ``{output}`` (the output's name). ``key`` names the
    job file key in error messages.
    """
    stem, dot, ext = input_name.rpartition(".")
    if not dot:
        stem, ext = input_name, ""
    t = datetime.fromtimestamp(now if now is not None else time.time(), tz=timezone.utc)
    tokens = dict(name=input_name, stem=stem, suffix=f".{ext}" if ext else "", date=t.strftime("D%y%m%d"),
                  time=t.strftime("T%H%M%S"), gen=f"G{generation % 10000:04d}V00")
    if output is not None:
        tokens["output"] = output
    try:
        return pattern.format(**tokens)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        known = ", ".join("{" + k + "}" for k in tokens)
        raise JobError(f"[target] {key} = {pattern!r}: unknown token or bad braces ({exc}); "
                       f"tokens are {known}") from None


def error_report(input_name: str, size: int, error: BaseException) -> str:
    """The readable `.err` report of a rejected file: what was wrong and where."""
    lines = [
        f"mfbridge: input {input_name} rejected",
        f"file size: {size} bytes",
        f"error: {type(error).__name__}",
        f"message: {error}",
    ]
    if isinstance(error, (FramingError, InvalidDataError)):
        if error.record is not None:
            lines.append(f"record number: {error.record}")
        if error.offset is not None:
            lines.append(f"byte offset: {error.offset}")
    if isinstance(error, InvalidDataError):
        if error.field:
            lines.append(f"field: {error.field}")
        if error.data is not None:
            lines.append(f"bytes (hex): {error.data.hex(' ').upper()}")
    if isinstance(error, FramingError):
        if error.seen is not None:
            lines.append(f"bytes seen (hex): {error.seen.hex(' ').upper()}")
        if error.hint:
            lines.append(f"check: {error.hint}")
    if isinstance(error, BridgeError) and not isinstance(error, (FramingError, InvalidDataError)):
        lines.append("check: the job file, the copybook and the model card")
    return "\n".join(lines) + "\n"
