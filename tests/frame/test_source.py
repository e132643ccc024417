"""Sources: paths, compressed paths, bytes and file objects give the same records."""
from __future__ import annotations

import bz2
import gzip

import pytest

from bridge.errors import FramingError
from bridge.frame import FrameOptions, read_batch

from .framefiles import Trickle, v_file

RECORDS = [b"first", b"second record", b"3"]
OPTIONS = FrameOptions(recfm="V", skip_header_bytes=2, skip_trailer_bytes=3)
DATA = b"HH" + v_file(RECORDS) + b"TTT"


@pytest.mark.parametrize("suffix, compress", [(".dat", bytes), (".gz", gzip.compress),
                                              (".bz2", bz2.compress)])
def test_plain_and_compressed_paths_read_alike(tmp_path, suffix, compress):
    path = tmp_path / f"in{suffix}"
    path.write_bytes(compress(DATA))
    batch = read_batch(str(path), OPTIONS)
    assert batch.records() == RECORDS and batch.trailer == b"TTT"


def test_a_stream_returning_a_few_bytes_per_read_gives_the_same_records():
    batch = read_batch(Trickle(DATA, step=3), OPTIONS)
    assert batch.records() == RECORDS and batch.header == b"HH" and batch.trailer == b"TTT"


def test_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.dat"
    path.write_bytes(b"\x00\x00\x09\x00abcde")
    with pytest.raises(FramingError) as err:
        read_batch(path, FrameOptions(recfm="V"))
    assert err.value.file == str(path) and str(err.value).startswith(str(path))


def test_an_unreadable_source_type_is_refused():
    with pytest.raises(TypeError, match="give a path, bytes or a binary file object"):
        read_batch(12, FrameOptions(lrecl=1))
