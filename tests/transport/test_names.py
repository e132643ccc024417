"""safe_name and the hidden temporary/claim names: what a drop zone accepts as a file name."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.errors import TransportError
from bridge.transport import (
    NAME_MAX,
    NameRejectedError,
    claim_name,
    claimed_original,
    drop_name,
    is_hidden,
    safe_name,
    temp_name,
)


@pytest.mark.parametrize("name", ["APPL.D261126.DAT", "APPL.D261126.DAT.trg", "scored_out-1.bin", "G0001V00",
                                  "x..y", "PAY#ROLL@1$+.DAT", "A" * 255])
def test_plain_names_are_accepted_unchanged(name: str) -> None:
    assert safe_name(name) == name


@pytest.mark.parametrize(("name", "reason"), [
    ("../etc/passwd", "contains '..' (path traversal)"),
    ("..", "not a file name"),
    (".", "not a file name"),
    ("", "not a file name"),
    ("out/../../x", "contains '..' (path traversal)"),
    ("..\\x", "contains '..' (path traversal)"),
    ("/etc/passwd", "is an absolute path"),
    ("\\\\server\\share", "is an absolute path"),
    ("inbox/APPL.DAT", "contains a path separator"),
    ("inbox\\APPL.DAT", "contains a path separator"),
    ("C:APPL.DAT", "starts with a drive prefix"),
    ("APPL\0.DAT", "contains NUL"),
    ("APPL\n.DAT", "contains control character 0x0A"),
    ("APPL\x7f.DAT", "contains control character 0x7F"),
    ("A" * 256, "is longer than 255 bytes"),
    ("\u00c9TAT.DAT", "contains '\\xc9' (U+00C9); names may hold ASCII letters, digits and . _ - # @ $ + only"),
    ("APPL\x85.DAT", "contains '\\x85' (U+0085)"),
    ("\u00c4PPL.DAT", "contains '\\xc4' (U+00C4)"),
    ("a b", "contains ' ' (U+0020)"),
    ("APPL*.DAT", "contains '*' (U+002A)"),
])
def test_names_that_could_escape_the_folder_or_confuse_it_are_rejected(name: str, reason: str) -> None:
    with pytest.raises(NameRejectedError) as caught:
        safe_name(name, where="sftp://u@h:22/outbox")
    message = str(caught.value)
    assert reason in message
    assert ascii(name) in message
    assert message.isascii()  # it goes into logs, status and .err files, which are ASCII
    assert message.startswith("sftp://u@h:22/outbox: ")
    assert isinstance(caught.value, TransportError) and not caught.value.retryable


def test_a_non_string_name_is_rejected() -> None:
    with pytest.raises(NameRejectedError, match="not a string"):
        safe_name(b"APPL.DAT")  # type: ignore[arg-type]


def test_temporary_upload_names_are_hidden_and_unique_per_upload() -> None:
    first, second = temp_name("APPL.DAT"), temp_name("APPL.DAT")
    assert first.startswith(".APPL.DAT.part-") and is_hidden(first)
    assert first != second
    assert temp_name("APPL.DAT", "tok") == ".APPL.DAT.part-tok"


def test_temporary_names_refuse_an_unsafe_base_name() -> None:
    with pytest.raises(NameRejectedError, match="path traversal"):
        temp_name("../APPL.DAT")


def test_claim_names_are_hidden_and_lead_back_to_the_original_name() -> None:
    claimed = claim_name("APPL.D261126.DAT", "host1-4711")
    assert claimed == ".APPL.D261126.DAT.claim-host1-4711"
    assert claimed_original(claimed) == "APPL.D261126.DAT"
    assert claimed_original("APPL.D261126.DAT") is None
    assert claimed_original(".APPL.DAT.part-abc") is None


@pytest.mark.parametrize("token", ["", "a/b", "a.b", "x" * 65, "tok en"])
def test_tokens_that_could_change_the_name_shape_are_rejected(token: str) -> None:
    with pytest.raises(NameRejectedError, match="token"):
        claim_name("APPL.DAT", token)


def test_a_dropped_name_is_at_most_200_bytes_so_the_suffixes_the_job_adds_fit() -> None:
    assert drop_name("A" * 200) == "A" * 200
    with pytest.raises(NameRejectedError, match="is longer than 200 bytes"):
        drop_name("A" * 201)


@pytest.mark.parametrize("length", [1, 199, 200, 235, 236, 255])
def test_claim_and_temporary_names_always_fit_in_name_max(length: int) -> None:
    name = "A" * length
    for derived in (claim_name(name, "x" * 64), temp_name(name, "y" * 64), claim_name(name, "host1-4711")):
        assert len(derived) <= NAME_MAX
        assert safe_name(derived) == derived and is_hidden(derived)


def test_two_long_names_sharing_a_prefix_get_different_claim_names() -> None:
    assert claim_name("A" * 250 + "1", "tok") != claim_name("A" * 250 + "2", "tok")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=260))
def test_any_name_is_refused_with_one_ascii_line_or_carried_through_every_derived_name(name: str) -> None:
    try:
        drop_name(name)
    except NameRejectedError as error:
        assert str(error).isascii() and "\n" not in str(error)
        return
    assert name.isascii() and len(name) <= 200
    claimed = claim_name(name, "a1b2c3d4e5f6")
    assert len(claimed) <= NAME_MAX and claimed_original(claimed) == name
    for derived in (temp_name(name), claim_name(name + ".trg", "x" * 64), temp_name(name + ".err", "y" * 64)):
        assert len(derived) <= NAME_MAX and safe_name(derived) == derived
