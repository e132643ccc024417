"""The Cobrix corpus's variable-length files, read with our options and written back exactly.

Cobrix's defaults differ from ours: its RDWs are little-endian unless is_rdw_big_endian=true,
and do not count themselves unless is_rdw_part_of_record_length=true; its rdw_adjustment is
added to the RDW value (so -4 there is our default 0, and our 4 is its default).
"""
from __future__ import annotations

import io

import numpy as np
import pytest

from bridge.errors import FramingError
from bridge.frame import FrameOptions, iter_batches, read_batch, write_batches
from tests.conftest import COBRIX, require_cobrix

T05 = COBRIX / "t05_vrl_ebcdic_multiseg" / "data"
CASES = {
    "t05_le_rdw": (T05 / "le_rdw" / "COMP.DETAILS.SEP30.DATA.dat",
                   dict(rdw_endian="little", rdw_adjust=4), 1000),
    "t05_be_rdw": (T05 / "be_rdw" / "COMP.DETAILS.FEB02.DATA.RDW.BE.dat", dict(rdw_adjust=4), 1000),
    "t14_rdw_includes_header": (COBRIX / "t14_rdw_includes_header" / "data" / "COMP.DETAILS.JUL02.DATA.dat",
                                dict(rdw_endian="little"), 100),
    "t04_ascii": (COBRIX / "t04_vrl_ascii_multiseg_hier" / "data" / "test4" / "COMP.DETAILS.SEP30.DATA.dat",
                  dict(rdw_endian="little", rdw_adjust=4), 1000),
    "t13b_header_trailer": (COBRIX / "t13b_vrl_be_file_header_footer" / "data" / "COMP.DETAILS.JUN02.DATA.RDW.BE.dat",
                            dict(rdw_adjust=4, skip_header_bytes=100, skip_trailer_bytes=120), 20),
}


def _case(name):
    path, options, count = CASES[name]
    require_cobrix(path)
    return path, FrameOptions(recfm="V", **options), count


@pytest.mark.parametrize("name", sorted(CASES))
def test_cobrix_variable_file_gives_company_and_contact_records(name):
    path, options, count = _case(name)
    batch = read_batch(path, options)
    assert len(batch) == count
    # segment C (company) records are 64 bytes, P (contact) records 60
    kinds = batch.matrix[:, 0]
    company = kinds == (ord("C") if name == "t04_ascii" else 0xC3)
    assert set(batch.lengths[company].tolist()) == {64}
    assert set(batch.lengths[~company].tolist()) == {60}
    assert company.sum() > 0 and (~company).sum() > 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_cobrix_variable_file_round_trips_byte_for_byte(name):
    path, options, _ = _case(name)
    out = io.BytesIO()
    write_batches(out, iter_batches(path, options, batch_records=33), options)
    assert out.getvalue() == path.read_bytes()


def test_t13b_header_and_trailer_are_carried():
    path, options, _ = _case("t13b_header_trailer")
    batch = read_batch(path, options)
    assert batch.header == b"\x01" * 100 and batch.trailer == b"\x02" * 120
    assert batch.file_offsets[0] == 104


def test_t14_rdw_counts_itself_so_adjust_4_is_refused():
    path, _, _ = _case("t14_rdw_includes_header")
    with pytest.raises(FramingError, match="try --rdw-adjust 0"):
        read_batch(path, FrameOptions(recfm="V", rdw_endian="little", rdw_adjust=4))


def test_t05_little_endian_file_read_as_ibm_suggests_rdw_endian_little():
    path, _, _ = _case("t05_le_rdw")
    with pytest.raises(FramingError) as err:
        read_batch(path, FrameOptions(recfm="V"))
    assert err.value.offset == 0 and err.value.seen == bytes.fromhex("00004000")
    assert "try --rdw-endian little" in str(err.value)


def test_t05_rdws_count_only_the_data():
    path, _, _ = _case("t05_be_rdw")
    with pytest.raises(FramingError, match="try --rdw-adjust 4") as err:
        read_batch(path, FrameOptions(recfm="V"))
    assert err.value.offset == 64
    assert np.frombuffer(path.read_bytes()[:4], np.uint8).tolist() == [0, 64, 0, 0]
