"""The package's exceptions: one root, one subclass per stage, facts kept as attributes.

Every message is built from the attributes, so tests, the CLI and the `.err` reports
of the batch job all read the same facts. Only the CLI turns a `BridgeError` into a
message and a return code; anything else that escapes is a bug and stays a traceback.

    BridgeError
    ├── CopybookError        file, line, column            (a copybook that cannot be compiled)
    ├── LayoutError          field                          (a layout asked for something it lacks)
    ├── FramingError         offset, seen, expected, hint   (RECFM/LRECL/RDW/BDW do not fit the bytes)
    ├── InvalidDataError     record, offset, field, data    (bad numeric data with on_invalid="error")
    ├── EncodeError          row, field, value, picture     (a value that does not fit its PICTURE;
    │                                                        row 0-based, the message says "record row+1")
    ├── ModelCardError       field                          (a model card that does not fit the copybook)
    │   └── ModelFileError   model, tree, key               (a model.txt that is damaged or not covered)
    ├── TransportError       where                          (SFTP or file system trouble, retryable or not)
    ├── ModelSourceError     spec                           (a model registry that cannot give the model: RC 12)
    └── JobError             job                            (a job file or a run that cannot go on)

This module imports nothing from the rest of `bridge`.
"""
from __future__ import annotations

__all__ = [
    "BridgeError",
    "CopybookError",
    "CopybookWarning",
    "EncodeError",
    "FramingError",
    "InvalidDataError",
    "JobError",
    "LayoutError",
    "ModelCardError",
    "ModelFileError",
    "ModelSourceError",
    "TransportError",
]


class BridgeError(Exception):
    """Root of every error the package raises on purpose."""

    #: JCL-style return code the CLI exits with for this error.
    return_code: int = 8

    def __reduce__(self):
        # Dask sends errors from its workers as pickles. Exception's own reduce calls
        # ``cls(*args)``, which runs __init__ again on the finished message (and fails for a
        # subclass whose __init__ takes other arguments); rebuilding from the message and the
        # attributes gives back the very error: same text, file, record, offset, field.
        return _rebuild, (type(self), self.args, dict(self.__dict__))


class CopybookError(BridgeError):
    """A copybook that cannot be compiled; printed as ``FILE:LINE:COLUMN: message``."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.reason = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self.location_prefix() + message)

    def location_prefix(self) -> str:
        parts = [self.file or "<copybook>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts) + ": "


class CopybookWarning(UserWarning):
    """Something beyond IBM's limits that the compiler accepted (``--strict`` makes it an error)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.reason = message
        self.file = file
        self.line = line
        self.column = column
        loc = ":".join(str(p) for p in (file or "<copybook>", line, column) if p is not None)
        super().__init__(f"{loc}: warning: {message}")


class LayoutError(BridgeError):
    """A layout was asked for a record or field it does not have, or cannot serve a request."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class FramingError(BridgeError):
    """The file's bytes do not fit the framing (RECFM, LRECL, RDW/BDW) it was read with."""

    def __init__(self, message: str, *, file: str | None = None, offset: int | None = None,
                 record: int | None = None, seen: bytes | None = None,
                 hint: str | None = None) -> None:
        self.reason = message
        self.file = file
        self.offset = offset
        self.record = record
        self.seen = seen
        self.hint = hint
        text = message
        where = []
        if file:
            where.append(file)
        if record is not None:
            where.append(f"record {record}")
        if offset is not None:
            where.append(f"byte offset {offset}")
        if where:
            text = f"{', '.join(where)}: {text}"
        if seen is not None:
            text += f" (bytes seen: {seen.hex(' ').upper()})"
        if hint:
            text += f"; {hint}"
        super().__init__(text)


class InvalidDataError(BridgeError):
    """A field holds bytes that are not a valid value of its type (with ``on_invalid="error"``)."""

    def __init__(self, message: str, *, file: str | None = None, record: int | None = None,
                 offset: int | None = None, field: str | None = None,
                 data: bytes | None = None) -> None:
        self.reason = message
        self.file = file
        self.record = record
        self.offset = offset
        self.field = field
        self.data = data
        where = []
        if file:
            where.append(file)
        if record is not None:
            where.append(f"record {record}")
        if offset is not None:
            where.append(f"byte offset {offset}")
        if field:
            where.append(f"field {field}")
        text = f"{', '.join(where)}: {message}" if where else message
        if data is not None:
            text += f" (hex {data.hex().upper()})"
        super().__init__(text)


class EncodeError(BridgeError):
    """A value cannot be written into its field without losing information."""

    def __init__(self, message: str, *, row: int | None = None, field: str | None = None,
                 value: object = None, picture: str | None = None) -> None:
        self.reason = message
        self.row = row
        self.field = field
        self.value = value
        self.picture = picture
        where = []
        if row is not None:  # ``row`` is the 0-based table row; messages count records from 1
            where.append(f"record {row + 1}")
        if field:
            where.append(f"field {field}" + (f" PIC {picture}" if picture else ""))
        text = f"{', '.join(where)}: {message}" if where else message
        super().__init__(text)


class ModelCardError(BridgeError):
    """A model card that is malformed or does not fit the copybook; raised before any record is read."""

    def __init__(self, message: str, *, card: str | None = None, field: str | None = None) -> None:
        self.reason = message
        self.card = card
        self.field = field
        super().__init__(f"{card}: {message}" if card else message)


class ModelFileError(ModelCardError):
    """A LightGBM ``model.txt`` refused before LightGBM reads it: damaged, truncated or not covered."""

    def __init__(self, message: str, *, model: str | None = None, tree: int | None = None,
                 key: str | None = None) -> None:
        self.model = model
        self.tree = tree
        self.key = key
        where = [model or "model.txt"]
        if tree is not None:
            where.append(f"tree {tree}")
        if key:
            where.append(f"key {key}")
        super().__init__(f"{', '.join(where)}: {message}")
        self.reason = message


class ModelSourceError(BridgeError):
    """A model named in a registry (``mlflow:models:/NAME@ALIAS``) that cannot be found or fetched.

    The model store is the run's environment, like a missing folder: return code 12.
    """

    return_code = 12

    def __init__(self, message: str, *, spec: str | None = None) -> None:
        self.reason = message
        self.spec = spec
        super().__init__(f"{spec}: {message}" if spec else message)


class TransportError(BridgeError):
    """Moving a file failed (SFTP or local); ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, where: str | None = None, retryable: bool = False) -> None:
        self.reason = message
        self.where = where
        self.retryable = retryable
        super().__init__(f"{where}: {message}" if where else message)


class JobError(BridgeError):
    """A job file that cannot be used, or a run that cannot go on."""

    def __init__(self, message: str, *, job: str | None = None) -> None:
        self.reason = message
        self.job = job
        super().__init__(f"{job}: {message}" if job else message)


def _rebuild(cls: type, args: tuple, attributes: dict) -> BaseException:
    """A `BridgeError` of class ``cls`` with message ``args`` and ``attributes``, without calling __init__."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(attributes)
    return error
