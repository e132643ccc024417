"""RECFM V/VB edges a mutation run found untested: every limit of the descriptor scan on both sides,
blocks carried across chunks and batches, where a batch ends, and the exact message and hint of
each way a header can be wrong. Files come from the construct builders in `framefiles.py` or
are written out byte by byte."""
from __future__ import annotations

import pytest

from bridge.errors import FramingError
from bridge.frame import BLOCK_EXTENDED, BLOCK_NONE, BLOCK_STANDARD, FrameOptions, iter_batches, read_batch

from .framefiles import tiny_chunks, v_file, vb_file

V = FrameOptions(recfm="V")
VB = FrameOptions(recfm="VB", bdw=True)


def _error(data: bytes, options: FrameOptions, **kw) -> FramingError:
    with pytest.raises(FramingError) as err:
        list(iter_batches(data, options, **kw))
    return err.value


def test_standard_bdw_of_32760_is_read_and_32761_is_refused():
    assert read_batch(vb_file([(False, [b"x" * 32752])]), VB).lengths.tolist() == [32752]
    err = _error(bytes.fromhex("7ff90000") + v_file([b"x" * 32753]), VB)
    assert err.reason == "BDW length 32761 is over the maximum of 32760"
    assert (err.record, err.offset) == (1, 0)


def test_extended_bdw_over_32760_is_read():
    batch = read_batch(vb_file([(True, [b"x" * 32753])]), VB)
    assert batch.lengths.tolist() == [32753] and batch.blocks.tolist() == [BLOCK_EXTENDED]


@pytest.mark.parametrize("endian", ["big", "little"])
def test_extended_bdw_length_uses_all_31_bits(endian):
    records = [b"a" * 30000, b"b" * 30000, b"c" * 10000]
    data = vb_file([(True, records), (False, [b"d"])], endian=endian)
    assert len(data) - 9 == 0x11180   # the extended BDW's length: 01 11 80 under the flag bit
    batch = read_batch(data, FrameOptions(recfm="VB", bdw=True, rdw_endian=endian))
    assert batch.records() == records + [b"d"]
    assert batch.blocks.tolist() == [BLOCK_EXTENDED, BLOCK_NONE, BLOCK_NONE, BLOCK_STANDARD]


def test_bdw_of_8_holds_one_empty_record():
    batch = read_batch(bytes.fromhex("00080000 00040000"), VB)
    assert batch.records() == [b""] and batch.blocks.tolist() == [BLOCK_STANDARD]
    assert read_batch(bytes.fromhex("80000008 00040000"), VB).blocks.tolist() == [BLOCK_EXTENDED]


@pytest.mark.parametrize("bdw", ["00070000", "80000007"])
def test_bdw_of_7_is_refused_standard_or_extended(bdw):
    err = _error(bytes.fromhex(bdw + "00040000"), VB)
    assert err.reason == "BDW length 7 cannot hold the BDW and one RDW (minimum 8)"


def test_bdw_with_only_its_third_byte_set_is_refused():
    err = _error(bytes.fromhex("000c0100") + v_file([b"abcd"]), VB)
    assert err.reason == "BDW reserved bytes are not zero (and the extended-BDW bit is off)"


@pytest.mark.parametrize("rdw", ["00050100", "00050001"])
def test_rdw_with_either_reserved_byte_set_is_refused(rdw):
    err = _error(bytes.fromhex(rdw) + b"a", V)
    assert err.reason == "RDW reserved bytes (the last two) are not zero"


def test_rdw_of_32760_is_read():
    assert read_batch(v_file([b"x" * 32756]), V).lengths.tolist() == [32756]


def test_record_of_exactly_lrecl_bytes_is_read():
    batch = read_batch(v_file([b"abcdefgh"]), FrameOptions(recfm="V", lrecl=8))
    assert batch.records() == [b"abcdefgh"]
    batch = read_batch(v_file([b"abcdefgh"], adjust=4), FrameOptions(recfm="V", lrecl=8, rdw_adjust=4))
    assert batch.records() == [b"abcdefgh"]


def test_record_one_byte_longer_than_its_block_is_refused_naming_both_sizes():
    body = v_file([b"abcd", b"efgh"])
    data = (len(body) + 3).to_bytes(2, "big") + b"\0\0" + body
    err = _error(data, VB)
    assert err.reason == "RDW says 8 bytes (record and RDW) but only 7 are left in the block its BDW announced"
    assert (err.record, err.offset, err.seen) == (2, 12, bytes.fromhex("00080000"))


def test_batch_bytes_take_as_many_records_as_fit_exactly():
    batches = list(iter_batches(v_file([b"x" * 100] * 50), V, batch_bytes=1000))
    assert [len(b) for b in batches] == [10] * 5


def test_a_record_wider_than_batch_bytes_still_makes_a_batch_of_one():
    batches = list(iter_batches(v_file([b"x" * 100] * 3), V, batch_bytes=10))
    assert [len(b) for b in batches] == [1, 1, 1]


def test_batch_bytes_bound_the_matrix_when_lrecl_sets_its_width():
    # 1000 bytes hold 10 rows of LRECL 100, however short the records are
    batches = list(iter_batches(v_file([b"x" * 10] * 30), FrameOptions(recfm="V", lrecl=100), batch_bytes=1000))
    assert [len(b) for b in batches] == [10, 10, 10]
    assert all(b.matrix.nbytes <= 1000 for b in batches)


def test_batch_bytes_below_lrecl_still_give_one_record_per_batch():
    batches = list(iter_batches(v_file([b"x" * 10] * 3), FrameOptions(recfm="V", lrecl=100), batch_bytes=50))
    assert [len(b) for b in batches] == [1, 1, 1]


def test_each_batch_measures_its_own_widest_record():
    records = [b"x" * 100] + [b"y" * 10] * 21
    batches = list(iter_batches(v_file(records), V, batch_bytes=200))
    assert [len(b) for b in batches] == [2, 20]
    assert [r for b in batches for r in b.records()] == records


@pytest.mark.parametrize("batch_records", [1, 3, 100])
def test_blocks_straddling_chunks_and_batches_are_read_whole(batch_records):
    blocks = [(n % 3 == 0, [bytes([65 + n]) * (n % 7) for _ in range(n % 4 + 1)]) for n in range(30)]
    records = [r for _, recs in blocks for r in recs]
    kinds = [k for extended, recs in blocks
             for k in [BLOCK_EXTENDED if extended else BLOCK_STANDARD] + [BLOCK_NONE] * (len(recs) - 1)]
    data = b"HD" + vb_file(blocks) + b"TRL"
    options = FrameOptions(recfm="VB", bdw=True, skip_header_bytes=2, skip_trailer_bytes=3)
    with tiny_chunks(16):
        batches = list(iter_batches(data, options, batch_records=batch_records))
    assert [r for b in batches for r in b.records()] == records
    assert [k for b in batches for k in b.blocks.tolist()] == kinds
    # a trailer found after a full last batch comes on an empty batch of its own
    assert [b.first_record for b in batches if len(b)] == list(range(0, len(records), batch_records))
    assert all(len(b) for b in batches[:-1])
    assert batches[0].header == b"HD" and all(b.header == b"" for b in batches[1:])
    assert batches[-1].trailer == b"TRL" and all(b.trailer == b"" for b in batches[:-1])


def test_file_of_whole_batches_gives_no_extra_empty_batch():
    batches = list(iter_batches(v_file([b"ab"] * 4), V, batch_records=2))
    assert [len(b) for b in batches] == [2, 2]


def test_bad_rdw_in_a_later_batch_names_its_record_and_offset():
    data = v_file([b"abc"] * 4) + bytes.fromhex("00050001") + b"x"
    err = _error(data, V, batch_records=3)
    assert (err.record, err.offset) == (5, 28)


def test_file_ending_inside_a_block_says_how_many_bytes_are_missing():
    data = vb_file([(False, [b"abc", b"def"])])[:-7]
    err = _error(data, VB)
    assert err.reason == "the file ends 7 bytes before the end of the block its last BDW announced"
    assert (err.record, err.offset) == (2, 11)


def test_bytes_too_few_for_a_bdw_after_the_last_block_are_refused():
    err = _error(vb_file([(False, [b"abc"])]) + b"\0\0", VB)
    assert err.reason == "2 bytes after the last block, too few for a BDW"
    assert (err.record, err.offset, err.seen) == (2, 11, b"\0\0")


def test_bytes_too_few_for_an_rdw_inside_a_block_are_refused():
    data = bytes.fromhex("000e0000") + v_file([b"abc"]) + b"\0\0\0"
    err = _error(data, VB)
    assert err.reason == "3 bytes after the last record, too few for an RDW"
    assert (err.record, err.offset) == (2, 11)


def test_record_cut_short_names_record_offset_and_what_is_there():
    err = _error(v_file([b"abc"]) + b"\x00\x10\x00\x00abc", V)
    assert (err.record, err.offset, err.seen) == (2, 7, bytes.fromhex("00100000"))


def test_rdw_only_file_read_with_bdw_says_the_first_bdw_reads_as_an_rdw():
    err = _error(v_file([b"C" + b"\0" * 63, b"P" * 60]), VB)
    assert err.hint == "no block descriptors (the first BDW reads as an RDW)? drop --bdw (Python: bdw=False)"


def test_rdw_too_short_for_a_bdw_says_drop_bdw():
    err = _error(v_file([b"abc"]), VB)
    assert err.reason == "BDW length 7 cannot hold the BDW and one RDW (minimum 8)"
    assert err.hint == ("no block descriptors? drop --bdw (Python: bdw=False; RDWs only, as after most "
                        "SFTP transfers)")


def test_little_endian_bdw_read_as_big_says_try_little():
    data = vb_file([(False, [b"abc"])], endian="little")
    err = _error(data, FrameOptions(recfm="VB", bdw=True))
    assert err.hint == "little-endian BDW? try --rdw-endian little"


def test_garbage_where_the_first_bdw_should_be_names_recfm_and_header():
    err = _error(bytes.fromhex("01020304") + v_file([b"abc"]), VB)
    assert err.hint == "check --recfm and --skip-header-bytes"


def test_garbage_after_the_last_block_names_endian_and_trailer():
    err = _error(vb_file([(False, [b"abc"])]) + bytes.fromhex("01020304"), VB)
    assert (err.record, err.hint) == (2, "check --rdw-endian and --skip-trailer-bytes")


def test_extended_bdw_read_as_an_rdw_suggests_bdw():
    err = _error(bytes.fromhex("8000000c") + v_file([b"abcd"]), V)
    assert err.reason == "RDW reserved bytes (the last two) are not zero"
    assert err.hint == "block descriptors before the records? try --bdw (Python: bdw=True; RECFM VB with BDWs)"


def test_garbage_before_the_first_rdw_names_recfm_endian_adjust_and_header():
    err = _error(b"\xff" * 8 + v_file([b"abc"]), V)
    assert err.hint == ("check --recfm, --rdw-endian and --rdw-adjust, or --skip-header-bytes for a "
                        "header before the first record")


def test_garbage_after_the_last_record_names_endian_adjust_and_trailer():
    err = _error(v_file([b"abc"]) + b"\xff" * 8, V)
    assert (err.record, err.offset) == (2, 7)
    assert err.hint == "check --rdw-endian, --rdw-adjust and --skip-trailer-bytes"


def test_data_length_rdw_in_a_later_record_suggests_rdw_adjust_4():
    data = v_file([b"abc"]) + v_file([b"A" * 20, b"B" * 20], adjust=4)
    err = _error(data, V)
    assert err.record == 3 and err.hint == "RDW counts only the data? try --rdw-adjust 4"


def test_rdw_of_length_3_suggests_rdw_adjust_4():
    err = _error(b"\x00\x03\x00\x00abc", V)
    assert err.hint == "RDW counts only the data? try --rdw-adjust 4"


def test_record_cut_short_by_the_end_of_the_file_does_not_blame_lrecl():
    err = _error(v_file([b"abc"]) + b"\x00\x10\x00\x00abc", FrameOptions(recfm="V", lrecl=100))
    assert err.reason == "RDW announces a record of 12 bytes but the file ends 3 bytes after it"
    assert err.hint == "check --rdw-endian, --rdw-adjust and --skip-trailer-bytes"


def test_rdw_adjust_4_is_not_suggested_when_the_record_it_reads_would_not_fit():
    # read with --rdw-adjust 0, the second data-length RDW sits 4 bytes after the bad one; its
    # 20-byte record needs 48 bytes in all, one more than the file has
    data = v_file([b"A" * 20, b"B" * 20], adjust=4)
    assert _error(data, V).hint == "RDW counts only the data? try --rdw-adjust 4"
    err = _error(data[:-1], V)
    assert (err.record, err.offset) == (2, 20)
    assert err.hint == "check --rdw-endian, --rdw-adjust and --skip-trailer-bytes"


def test_little_endian_reserved_bytes_are_checked_at_odd_offsets_too():
    # the second RDW starts at byte 7; its second reserved byte (byte 8) is set
    err = _error(v_file([b"abc"], "little") + bytes.fromhex("00010500") + b"x",
                 FrameOptions(recfm="V", rdw_endian="little"))
    assert (err.reason, err.record, err.offset) == ("RDW reserved bytes (the first two) are not zero", 2, 7)
    # the second BDW starts at byte 11, the first block being 11 bytes
    data = vb_file([(False, [b"abc"])], endian="little") + bytes.fromhex("00010c00") + v_file([b"abcd"], "little")
    err = _error(data, FrameOptions(recfm="VB", bdw=True, rdw_endian="little"))
    assert (err.reason, err.record, err.offset) == (
        "BDW reserved bytes are not zero (and the extended-BDW bit is off)", 2, 11)
