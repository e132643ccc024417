"""RDW and BDW limits byte by byte: every boundary IBM sets, on both sides, with hand-made headers.

The property tests in `test_rdw.py` hold the scan kernel against these functions with random
headers, which almost never land on a limit; these pin the limits themselves (a mutation run
found an RDW maximum of 32,761 or an extended BDW limit of 2**31 passing every test).
"""
from __future__ import annotations

import pytest

from bridge.errors import FramingError
from bridge.frame.rdw import bdw_problem, build_bdw, build_rdw, parse_bdw, parse_rdw, rdw_problem


def test_largest_record_an_rdw_holds_is_32756_data_bytes():
    assert build_rdw(32756) == bytes.fromhex("7ff80000")


def test_record_one_byte_too_long_for_an_rdw_states_length_and_range():
    with pytest.raises(FramingError) as err:
        build_rdw(32757)
    assert str(err.value) == ("a record of 32757 bytes does not fit an RDW (length 32761, allowed 0..32760); "
                              "check --rdw-adjust and --lrecl")


def test_empty_record_with_rdw_adjust_4_gets_an_rdw_of_length_zero():
    assert build_rdw(0, adjust=4) == bytes(4)


def test_rdw_that_would_hold_a_negative_length_is_refused_with_the_bridge_error():
    with pytest.raises(FramingError, match=r"length -1, allowed 0\.\.32760"):
        build_rdw(0, adjust=5)


def test_rdw_reads_its_first_four_bytes_only():
    assert parse_rdw(bytes.fromhex("000a0000c1c2c3c4c5c6")).length == 10
    assert parse_rdw(bytes.fromhex("00000a00c1c2c3c4c5c6"), "little").length == 10


def test_smallest_bdw_holds_itself_and_one_empty_record():
    assert build_bdw(8) == bytes.fromhex("00080000")
    assert build_bdw(8, extended=True) == bytes.fromhex("80000008")


def test_bdw_under_8_bytes_is_refused_naming_the_range():
    with pytest.raises(FramingError, match=r"^a block of 7 bytes does not fit a BDW \(allowed 8\.\.32760\)$"):
        build_bdw(7)


def test_largest_standard_bdw_is_32760():
    assert build_bdw(32760) == bytes.fromhex("7ff80000")
    with pytest.raises(FramingError, match=r"^a block of 32761 bytes does not fit a BDW"):
        build_bdw(32761)


def test_largest_extended_bdw_is_2_to_the_31_minus_1():
    assert build_bdw(2**31 - 1, extended=True) == bytes.fromhex("ffffffff")
    assert build_bdw(2**31 - 1, "little", extended=True) == bytes.fromhex("ffffffff")


def test_extended_bdw_of_2_to_the_31_is_refused_naming_the_extended_range():
    with pytest.raises(FramingError) as err:
        build_bdw(2**31, extended=True)
    assert str(err.value) == "a block of 2147483648 bytes does not fit an extended BDW (allowed 8..2147483647)"


def test_extended_bdw_reads_31_bits_of_length_and_no_reserved_bytes():
    fields = parse_bdw(bytes.fromhex("80012345"))
    assert (fields.extended, fields.length, fields.reserved) == (True, 0x12345, None)
    fields = parse_bdw(bytes.fromhex("45230180"), "little")
    assert (fields.extended, fields.length, fields.reserved) == (True, 0x12345, None)


def test_rdw_problem_with_three_bytes_left_says_so():
    assert rdw_problem(b"\x00\x08\x00", "big", 0, None) == (
        "3 bytes left after the last record, too few for an RDW")


def test_little_endian_rdw_problem_names_the_first_two_reserved_bytes():
    assert rdw_problem(bytes.fromhex("01000800"), "little", 0, None) == (
        "RDW reserved bytes (the first two) are not zero")
    assert rdw_problem(bytes.fromhex("00080100"), "big", 0, None) == (
        "RDW reserved bytes (the last two) are not zero")


def test_rdw_of_an_empty_record_is_acceptable():
    assert rdw_problem(bytes.fromhex("00040000"), "big", 0, None) is None
    assert rdw_problem(bytes.fromhex("00000000"), "big", 4, None) is None


def test_rdw_shorter_than_itself_names_the_adjust_only_when_one_is_set():
    assert rdw_problem(bytes.fromhex("00030000"), "big", 0, None) == (
        "RDW length 3 is shorter than the RDW itself")
    assert rdw_problem(bytes.fromhex("00000000"), "big", 3, None) == (
        "RDW length 0 is shorter than the RDW itself after --rdw-adjust 3")


def test_rdw_length_32760_is_acceptable_and_32761_is_over_the_maximum():
    assert rdw_problem(bytes.fromhex("7ff80000"), "big", 0, None) is None
    assert rdw_problem(bytes.fromhex("7ff90000"), "big", 0, None) == (
        "RDW length 32761 is over the maximum of 32760")


def test_record_of_up_to_lrecl_bytes_is_acceptable_and_one_more_is_not():
    assert rdw_problem(bytes.fromhex("00090000"), "big", 0, 10) is None
    assert rdw_problem(bytes.fromhex("000e0000"), "big", 0, 10) is None
    assert rdw_problem(bytes.fromhex("000f0000"), "big", 0, 10) == "record of 11 bytes is longer than LRECL 10"
    assert rdw_problem(bytes.fromhex("000b0000"), "big", 4, 10) == "record of 11 bytes is longer than LRECL 10"


def test_bdw_problem_with_three_bytes_left_says_so():
    assert bdw_problem(b"\x00\x08\x00", "big") == "3 bytes left after the last block, too few for a BDW"


def test_extended_bdw_may_have_any_low_bytes():
    assert bdw_problem(bytes.fromhex("80010001"), "big") is None
    assert bdw_problem(bytes.fromhex("01000180"), "little") is None


def test_standard_bdw_with_reserved_bytes_set_is_a_problem():
    assert bdw_problem(bytes.fromhex("00080001"), "big") == (
        "BDW reserved bytes are not zero (and the extended-BDW bit is off)")


def test_bdw_of_8_is_acceptable_and_7_is_not_standard_or_extended():
    assert bdw_problem(bytes.fromhex("00080000"), "big") is None
    assert bdw_problem(bytes.fromhex("80000008"), "big") is None
    assert bdw_problem(bytes.fromhex("00070000"), "big") == (
        "BDW length 7 cannot hold the BDW and one RDW (minimum 8)")
    assert bdw_problem(bytes.fromhex("80000007"), "big") == (
        "BDW length 7 cannot hold the BDW and one RDW (minimum 8)")


def test_standard_bdw_over_32760_is_a_problem_but_an_extended_one_is_not():
    assert bdw_problem(bytes.fromhex("7ff80000"), "big") is None
    assert bdw_problem(bytes.fromhex("7ff90000"), "big") == "BDW length 32761 is over the maximum of 32760"
    assert bdw_problem(bytes.fromhex("80007ff9"), "big") is None
