"""Rdw and Bdw: the construct structures parse and build IBM's headers and their reversed form."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.errors import FramingError
from bridge.frame import Bdw, Rdw, build_bdw, build_rdw, parse_bdw, parse_rdw
from bridge.frame.rdw import bdw_problem, rdw_problem
from bridge.frame.variable import BAD_BDW, BAD_RDW, BATCH_FULL, NEED_MORE, scan_descriptors


def test_ibm_rdw_counts_its_own_four_bytes():
    assert build_rdw(60) == bytes.fromhex("00400000")
    assert Rdw.parse(bytes.fromhex("00400000")).length == 64


def test_little_endian_rdw_is_the_four_bytes_reversed():
    assert build_rdw(60, "little") == bytes.fromhex("00004000")
    assert parse_rdw(bytes.fromhex("00004000"), "little").length == 64


def test_rdw_adjust_4_writes_the_data_length_only():
    assert build_rdw(64, "big", adjust=4) == bytes.fromhex("00400000")


def test_standard_bdw_round_trips():
    raw = build_bdw(27998)
    assert raw == (27998).to_bytes(2, "big") + b"\0\0"
    fields = Bdw.parse(raw)
    assert (fields.extended, fields.length, fields.reserved) == (False, 27998, 0)


def test_extended_bdw_has_the_high_bit_and_a_31_bit_length():
    raw = build_bdw(1_000_000, extended=True)
    assert raw == (0x80000000 | 1_000_000).to_bytes(4, "big")
    fields = parse_bdw(raw)
    assert fields.extended and fields.length == 1_000_000


def test_little_endian_extended_bdw_carries_the_flag_in_its_last_byte():
    raw = build_bdw(70000, "little", extended=True)
    assert raw[3] & 0x80
    assert parse_bdw(raw, "little").length == 70000


def test_standard_bdw_over_32760_is_refused():
    with pytest.raises(FramingError, match="does not fit a BDW"):
        build_bdw(40000)


def test_record_too_long_for_an_rdw_is_refused():
    with pytest.raises(FramingError, match="does not fit an RDW"):
        build_rdw(32757)


def test_rdw_problem_names_nonzero_reserved_bytes():
    assert "reserved bytes (the last two) are not zero" in rdw_problem(b"\x00\x08\x00\x01", "big", 0, None)


def test_rdw_that_counts_less_than_itself_is_a_problem():
    assert "shorter than the RDW itself" in rdw_problem(b"\x00\x03\x00\x00", "big", 0, None)


def test_bdw_too_short_for_one_rdw_is_a_problem():
    assert "minimum 8" in bdw_problem(b"\x00\x04\x00\x00", "big")


def _scan(raw: bytes, little: bool, adjust: int, use_bdw: bool):
    buf = np.frombuffer(raw, dtype=np.uint8)
    cap = 64
    starts = np.zeros(cap, np.int64)
    lengths = np.zeros(cap, np.int32)
    blocks = np.zeros(cap, np.int8)
    out = scan_descriptors(buf, 0, len(buf), little, adjust, -1, use_bdw, 0, 0, 0, cap, 1 << 40, 0,
                           starts, lengths, blocks)
    return out, starts, lengths


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(min_size=4, max_size=4), endian=st.sampled_from(["big", "little"]),
       adjust=st.sampled_from([0, 4]))
def test_scan_kernel_accepts_exactly_the_rdws_construct_accepts(raw, endian, adjust):
    problem = rdw_problem(raw, endian, adjust, None)
    payload = parse_rdw(raw, endian).length - 4 + adjust
    body = raw + bytes(max(payload, 0))
    (status, pos, n, *_), starts, lengths = _scan(body, endian == "little", adjust, False)
    if problem is None:
        assert (status, n, lengths[0]) == (NEED_MORE, 1, payload)
    else:
        assert (status, n) == (BAD_RDW, 0)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(min_size=4, max_size=4), endian=st.sampled_from(["big", "little"]))
def test_scan_kernel_accepts_exactly_the_bdws_construct_accepts(raw, endian):
    problem = bdw_problem(raw, endian)
    (status, pos, n, block_left, kind, _), _, _ = _scan(raw, endian == "little", 0, True)
    if problem is None:
        fields = parse_bdw(raw, endian)
        assert (status, pos, block_left, kind) == (NEED_MORE, 4, fields.length - 4,
                                                   2 if fields.extended else 1)
    else:
        assert status == BAD_BDW


def test_scan_kernel_stops_when_the_batch_is_full():
    raw = b"".join(build_rdw(3) + b"abc" for _ in range(5))
    buf = np.frombuffer(raw, dtype=np.uint8)
    arrays = np.zeros(2, np.int64), np.zeros(2, np.int32), np.zeros(2, np.int8)
    status, pos, n, *_ = scan_descriptors(buf, 0, len(buf), False, 0, -1, False, 0, 0, 0, 2,
                                          1 << 40, 0, *arrays)
    assert (status, pos, n) == (BATCH_FULL, 14, 2)
