"""FrameOptions: validation lists the accepted values and names the option."""
from __future__ import annotations

import pytest

from bridge.errors import FramingError
from bridge.frame import FrameOptions


def test_recfm_is_case_insensitive():
    assert FrameOptions(recfm="vb", lrecl=10).recfm == "VB"


def test_unknown_recfm_lists_the_accepted_ones():
    with pytest.raises(FramingError, match="unknown RECFM 'U'; accepted: F, FB, V, VB, TEXT"):
        FrameOptions(recfm="U")


def test_unknown_rdw_endian_lists_big_and_little():
    with pytest.raises(FramingError, match="accepted: big, little") as err:
        FrameOptions(recfm="V", rdw_endian="middle")
    assert "--rdw-endian" in str(err.value)


def test_unknown_text_newline_lists_the_accepted_ones():
    with pytest.raises(FramingError, match="accepted: auto, lf, crlf, nl"):
        FrameOptions(recfm="TEXT", text_newline="cr")


@pytest.mark.parametrize("lrecl", [0, -5, 2.5, True])
def test_lrecl_must_be_a_positive_whole_number(lrecl):
    with pytest.raises(FramingError, match="LRECL must be a positive whole number"):
        FrameOptions(lrecl=lrecl)


def test_negative_skip_is_refused_naming_the_flag():
    with pytest.raises(FramingError, match="--skip-trailer-bytes"):
        FrameOptions(lrecl=10, skip_trailer_bytes=-1)


def test_block_descriptors_need_a_variable_recfm():
    with pytest.raises(FramingError, match="only for RECFM V/VB, not FB"):
        FrameOptions(recfm="FB", lrecl=10, bdw=True)


def test_variable_occurs_is_for_fixed_files_only():
    with pytest.raises(FramingError, match="applies to RECFM F/FB only"):
        FrameOptions(recfm="V", variable_occurs=True)


def test_text_space_is_one_byte():
    with pytest.raises(FramingError, match="0-255"):
        FrameOptions(recfm="TEXT", text_space=256)


def test_default_lrecl_fills_only_a_missing_one():
    assert FrameOptions().with_default_lrecl(80).lrecl == 80
    assert FrameOptions(lrecl=40).with_default_lrecl(80).lrecl == 40


def test_fixed_file_without_lrecl_is_refused_when_read():
    from bridge.frame import read_batch

    with pytest.raises(FramingError, match="RECFM F needs a record length; give --lrecl"):
        read_batch(b"abcd", FrameOptions())
