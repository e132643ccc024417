"""The text summary on standard output: the sentences a team acts on, in a few lines."""
from __future__ import annotations

from bridge.profile import ProfileOptions, profile_file, summary_text


def test_the_summary_names_the_problem_fields_with_their_fills(accounts_file, account_layout):
    text = summary_text(profile_file(accounts_file, account_layout,
                                     profile=ProfileOptions(key="ACCT-ID", label="FLAG")))
    lines = text.splitlines()
    assert lines[0] == "accounts.dat: 200 records, 1 record type(s)"
    assert "  2 records are exact duplicates of an earlier record." in lines
    assert "  key ACCT-ID: 1 values repeat (2 extra records)." in lines
    amount = next(line for line in lines if line.lstrip().startswith("AMOUNT"))
    assert "invalid         4" in amount and "no value         6" in amount
    assert "(spaces 3, low-values 2, high-values 1)" in amount
    date = next(line for line in lines if line.lstrip().startswith("OPEN-DATE"))
    assert "(spaces 1, zeros 4, nines 2)" in date
    assert any(line.startswith("  Leakage warning: ACCT-STATUS") for line in lines)


def test_figure_ids_stay_unique_when_field_names_slug_alike(tmp_path):
    from bridge.copybook import load_copybook
    from bridge.profile.page import profile_figures

    path = tmp_path / "alike.cpy"
    path.write_text("""\
       01  R.
           05  X    PIC 9(3) OCCURS 2 TIMES.
           05  X-1  PIC 9(3).
""")
    layout = load_copybook(str(path))
    result = profile_file("123456789".encode("cp037"), layout)
    ids = [f.id for f in profile_figures(result)]
    assert len(ids) == len(set(ids)) == 5
    assert [f["id"] for f in result["figures"]] == ids


def test_type_codes_missing_from_the_segment_map_are_named(accounts_file, account_layout):
    text = summary_text(profile_file(accounts_file, account_layout, segment_field="DETAIL-TYPE",
                                     segment_map={"A": "DETAIL"}))
    assert "50 records have a --segment-field value that is not in --segment-map" in text
    assert "'N' (50)" in text
