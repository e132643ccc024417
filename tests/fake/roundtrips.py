"""Helpers of the fake tests: fake a file from copybook text, read it back, check the round trip."""
from __future__ import annotations

import io

from bridge.copybook import compile_copybook
from bridge.fake import FakeSummary, fake_file
from bridge.records.api import read_table
from bridge.records.roundtrip import round_trip


def fake_bytes(text: str, n: int = 50, **options) -> tuple[bytes, FakeSummary]:
    """The bytes `fake_file` writes for the copybook ``text``, and its summary."""
    layout = compile_copybook(text)
    out = io.BytesIO()
    summary = fake_file(layout, n, out, **options)
    return out.getvalue(), summary


def read(text: str, data: bytes, **options):
    """The records of ``data`` as an Arrow table, strings untrimmed."""
    return read_table(data, compile_copybook(text), trim="none", **options)[0]


def assert_round_trips(text: str, data: bytes, n: int, **options) -> None:
    """``data`` holds ``n`` records that decode and re-encode to the same bytes."""
    result = round_trip(data, compile_copybook(text), trim="none", **options)
    assert result.records == n
    assert result.identical, (result.first_difference, result.framing_difference)
