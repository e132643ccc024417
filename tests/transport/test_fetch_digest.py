"""The SHA-256 a drop zone takes while fetching is the file's SHA-256 (local zones)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from bridge.transport import LocalDropZone


@pytest.mark.parametrize("size", [0, 1, (1 << 20) + 3])
def test_a_local_fetch_hashes_exactly_the_bytes_it_copies(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    zone = LocalDropZone(tmp_path / "inbox", create=True)
    (tmp_path / "inbox" / "IN.DAT").write_bytes(data)
    fetched = zone.fetch_sha256("IN.DAT", tmp_path / "copy.dat")
    assert fetched.sha256 == hashlib.sha256(data).hexdigest()
    assert fetched.entry.size == size
    assert (tmp_path / "copy.dat").read_bytes() == data


def test_a_local_zone_opens_another_folder_as_its_own_zone(tmp_path: Path) -> None:
    zone = LocalDropZone(tmp_path, create=True)
    other = zone.open_folder(str(tmp_path / "archive"), create=True)
    assert other.location == str(tmp_path / "archive")
    assert other.list() == []
