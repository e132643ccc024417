"""Which text or columnar format a file of decoded values is in: named, inferred from the suffix, checked.

`mfbridge decode` writes and `mfbridge encode` reads the same three formats. A format is chosen
once, the same way on both sides: the one given (``--to`` / ``--from``), else the one the
file's suffix names, else JSON lines. A format given that contradicts the suffix is refused
rather than obeyed, because a ``.parquet`` file holding JSON lines misleads every later
reader (it did: ``decode -o out.parquet`` used to write JSON lines, and ``encode`` of that
file ended in a traceback). Before reading, the first bytes of the file are compared with
what the format starts with (Parquet's ``PAR1`` magic, JSON's ``{``), so content that is
not what its name says is refused with the format it looks like.
"""
from __future__ import annotations

from pathlib import Path

from bridge.errors import EncodeError

__all__ = ["FORMATS", "FORMAT_NAMES", "SUFFIXES", "check_content", "choose_format", "sniff_format",
           "suffix_format"]

#: The formats `mfbridge decode --to` writes and `mfbridge encode --from` reads.
FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")

#: How messages name each format.
FORMAT_NAMES: dict[str, str] = {"jsonl": "JSON lines", "csv": "CSV", "parquet": "Parquet"}

#: file suffix -> format
SUFFIXES: dict[str, str] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
                            ".parquet": "parquet", ".pq": "parquet"}

_PARQUET_MAGIC = b"PAR1"


def suffix_format(path: str | Path | None) -> str | None:
    """The format the suffix of ``path`` names, or None (no path, ``-``, or a suffix of no format)."""
    if path is None or str(path) == "-":
        return None
    return SUFFIXES.get(Path(path).suffix.lower())


def choose_format(given: str | None, path: str | Path | None, *, option: str) -> str:
    """The format to use: ``given``, else the suffix's, else ``jsonl``.

    Raises `ValueError` with a one-line reason when ``given`` contradicts the suffix of
    ``path``, or ``path`` ends in ``.gz``/``.bz2`` (values files are neither written nor
    read compressed); ``option`` is how the caller spells the format option (``--to``).
    """
    if path is not None and Path(str(path)).suffix.lower() in (".gz", ".bz2"):
        raise ValueError(f"{Path(str(path)).name}: decoded values are not compressed; write the file without "
                         ".gz/.bz2 and compress it afterwards, or write to standard output and pipe it")
    by_suffix = suffix_format(path)
    if given is not None and by_suffix is not None and given != by_suffix:
        raise ValueError(f"{option} {given} ({FORMAT_NAMES[given]}) contradicts the name {Path(str(path)).name}, "
                         f"which says {FORMAT_NAMES[by_suffix]}: drop {option} or give the file a "
                         f"{_suffix_of(given)} suffix")
    return given or by_suffix or "jsonl"


def sniff_format(head: bytes) -> str | None:
    """The format the first bytes of a file look like: ``parquet``, ``jsonl``, ``csv``, or None (not text)."""
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return None
    if text.startswith(b"{"):
        return "jsonl"
    try:
        text[:256].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < min(len(text), 256) - 4:  # not merely a character cut by the 256-byte window
            return None
    return "csv"


def check_content(path: str | Path, fmt: str) -> None:
    """Refuse a file whose first bytes are not ``fmt``, naming the format they look like.

    Raises `EncodeError` (the file cannot be what encode was asked to read). An empty file
    passes: it holds no records in any format.
    """
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head.strip():
        return
    looks = sniff_format(head)
    name = Path(path).name
    if looks == fmt:
        return
    if fmt == "csv" and looks == "jsonl":
        return  # a CSV may begin with a brace; only Parquet and binary content are certainly not CSV
    if looks is None:
        raise EncodeError(f"{name} is not UTF-8 text (first bytes {head[:8].hex().upper()}) and cannot be read as "
                          f"{FORMAT_NAMES[fmt]}; a Parquet file needs --from parquet, a mainframe file is decoded, "
                          "not encoded")
    remedy = (f"rename it with a {_suffix_of(looks)} suffix" if suffix_format(path) is not None
              else f"give --from {looks}")
    raise EncodeError(f"{name} is not {FORMAT_NAMES[fmt]}: its content is {FORMAT_NAMES[looks]}; {remedy}")


def _suffix_of(fmt: str) -> str:
    return {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}[fmt]
