"""bridge.errors: every error survives pickling (Dask sends a worker's errors to the client that way)."""
from __future__ import annotations

import inspect
import pickle
from decimal import Decimal

import pytest

import bridge.transport.base  # noqa: F401  (defines TransportError subclasses)
from bridge.errors import BridgeError, FramingError, TransportError

#: a value for every keyword an error's __init__ takes; a new keyword must be added here
SAMPLES = {
    "file": "CUST.D261202.dat", "line": 12, "column": 8, "offset": 4096, "record": 42, "seen": b"\x00\x10\xff\xff",
    "hint": "little-endian RDW? try --rdw-endian little", "field": "BALANCE", "data": b"\xab\x0c", "row": 7,
    "value": Decimal("123456.78"), "picture": "S9(5)V99", "card": "card.toml", "model": "model.txt", "tree": 3,
    "key": "leaf_value", "where": "sftp://host/inbox", "retryable": True, "job": "nightly.toml",
    "spec": "mlflow:models:/credit-risk@champion",
}


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("bridge."):
            found.append(sub)
        found.extend(_subclasses(sub))
    return sorted(set(found), key=lambda c: c.__qualname__)


def _example(cls: type) -> BridgeError:
    params = inspect.signature(cls.__init__).parameters
    keywords = [name for name, p in params.items() if p.kind is p.KEYWORD_ONLY]
    unknown = [name for name in keywords if name not in SAMPLES]
    assert not unknown, f"{cls.__name__} takes {unknown}: add a sample value to SAMPLES"
    return cls("the message", **{name: SAMPLES[name] for name in keywords})


@pytest.mark.parametrize("cls", _subclasses(BridgeError), ids=lambda c: c.__name__)
def test_every_error_keeps_its_class_message_and_attributes_through_pickle(cls) -> None:
    error = _example(cls)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls
    assert str(back) == str(error)
    assert back.args == error.args
    assert vars(back) == vars(error)
    assert back.return_code == error.return_code


def test_a_framing_error_from_a_worker_still_names_file_record_and_offset() -> None:
    error = FramingError("RDW length 0 is below the minimum of 4", file="CUST.dat", offset=81920, record=1001,
                         seen=b"\x00\x00\x00\x00")
    back = pickle.loads(pickle.dumps(error))
    assert (back.file, back.record, back.offset, back.seen) == ("CUST.dat", 1001, 81920, b"\x00\x00\x00\x00")
    assert back.reason == "RDW length 0 is below the minimum of 4"
    assert str(back) == ("CUST.dat, record 1001, byte offset 81920: RDW length 0 is below the minimum of 4 "
                         "(bytes seen: 00 00 00 00)")


def test_an_error_with_a_note_keeps_the_note_through_pickle() -> None:
    error = TransportError("connection reset", where="sftp://host/inbox", retryable=True)
    error.add_note("while fetching CUST.dat")
    back = pickle.loads(pickle.dumps(error))
    assert back.__notes__ == ["while fetching CUST.dat"]
    assert back.retryable is True
