"""Which format decode writes and encode reads, and how CSV keeps null apart from the empty string (issue 9)."""
from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bridge.cli.main import main
from bridge.copybook import load_copybook
from bridge.errors import EncodeError
from bridge.records.api import write_records
from bridge.records.formats import choose_format, sniff_format, suffix_format
from bridge.records.sources import read_values
from tests.conftest import COPYBOOKS, FIXTURES

CUSTOMER = str(COPYBOOKS / "customer.cpy")
CUSTOMER_DAT = str(FIXTURES / "customer.cp037.dat")
TRANSACTIONS = str(COPYBOOKS / "transactions.cpy")


def run(capsys, *args) -> tuple[int, str, str]:
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


# -- choosing the format -------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "fmt"), [("out.parquet", "parquet"), ("OUT.PQ", "parquet"), ("a.csv", "csv"),
                                           ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"), ("a.csv.gz", None),
                                           ("a.txt", None), ("-", None), (None, None)])
def test_suffix_names_the_format(name, fmt) -> None:
    assert suffix_format(name) == fmt


def test_a_format_given_wins_over_no_suffix_and_jsonl_is_the_last_resort() -> None:
    assert choose_format("csv", "out.txt", option="--to") == "csv"
    assert choose_format(None, "out.txt", option="--to") == "jsonl"
    assert choose_format(None, None, option="--to") == "jsonl"


def test_a_format_that_contradicts_the_suffix_is_refused_naming_both() -> None:
    with pytest.raises(ValueError, match=r"--to csv \(CSV\) contradicts the name out.parquet, which says Parquet"):
        choose_format("csv", "out.parquet", option="--to")


def test_a_compressed_name_is_refused_rather_than_filled_with_plain_text(capsys, tmp_path) -> None:
    rc, _, err = run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "-o", tmp_path / "out.csv.gz")
    assert rc == 2 and "out.csv.gz: decoded values are not compressed" in err
    assert list(tmp_path.iterdir()) == []


def test_content_is_recognised_by_its_first_bytes() -> None:
    assert sniff_format(b"PAR1\x15\x04") == "parquet"
    assert sniff_format(b'\n{"A":1}') == "jsonl"
    assert sniff_format(b"A,B\n1,2\n") == "csv"
    assert sniff_format(b"\xc1\xc2\x00\x00\x12\x34\x5c\xff" * 4) is None


def test_decode_to_a_parquet_name_writes_parquet_without_to(capsys, tmp_path) -> None:
    out = tmp_path / "out.parquet"
    rc, _, err = run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "-o", out)
    assert rc == 0, err
    assert pq.read_table(out).num_rows == 9


def test_decode_to_a_csv_name_writes_csv_without_to(capsys, tmp_path) -> None:
    out = tmp_path / "out.csv"
    assert run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "-o", out)[0] == 0
    assert out.read_text().splitlines()[0].startswith('"CUST-ID","CUST-NAME"')


def test_decode_refuses_a_to_that_contradicts_the_output_name(capsys, tmp_path) -> None:
    rc, _, err = run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--to", "jsonl", "-o", tmp_path / "out.parquet")
    assert rc == 2
    assert "--to jsonl (JSON lines) contradicts the name out.parquet, which says Parquet" in err
    assert not (tmp_path / "out.parquet").exists()


def test_encode_refuses_a_from_that_contradicts_the_input_name(capsys, tmp_path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('"CUST-ID"\n1\n')
    rc, _, err = run(capsys, "encode", source, "-c", CUSTOMER, "--from", "parquet", "-o", tmp_path / "x.dat")
    assert rc == 2 and "--from parquet (Parquet) contradicts the name in.csv, which says CSV" in err


def test_encode_of_json_lines_named_parquet_names_the_format_it_holds(capsys, tmp_path) -> None:
    source = tmp_path / "old.parquet"
    source.write_bytes((FIXTURES / "customer.cp037.jsonl").read_bytes())
    rc, _, err = run(capsys, "encode", source, "-c", CUSTOMER, "-o", tmp_path / "x.dat")
    assert rc == 2
    assert "old.parquet is not Parquet: its content is JSON lines; rename it with a .jsonl suffix" in err
    assert "Traceback" not in err


def test_encode_of_parquet_named_jsonl_names_the_format_it_holds(capsys, tmp_path) -> None:
    parquet = tmp_path / "x.parquet"
    assert run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "-o", parquet)[0] == 0
    source = tmp_path / "x.jsonl"
    parquet.rename(source)
    rc, _, err = run(capsys, "encode", source, "-c", CUSTOMER, "-o", tmp_path / "x.dat")
    assert rc == 2 and "x.jsonl is not JSON lines: its content is Parquet" in err


def test_encode_with_from_reads_a_file_whose_name_says_nothing(capsys, tmp_path) -> None:
    csv = tmp_path / "values.csv"
    assert run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "-o", csv)[0] == 0
    source = csv.rename(tmp_path / "values.txt")
    rc, _, err = run(capsys, "encode", source, "-c", CUSTOMER, "--from", "csv", "-o", tmp_path / "x.dat")
    assert rc == 0 and "9 records encoded" in err


# -- CSV: null and the empty string, broken files --------------------------------------------------

def test_csv_writes_null_as_an_empty_cell_and_the_empty_string_quoted(capsys, tmp_path) -> None:
    out = tmp_path / "txn.csv"
    assert run(capsys, "decode", FIXTURES / "transactions.vb.dat", "-c", TRANSACTIONS, "--recfm", "V", "-o", out)[0] == 0
    header, second = out.read_text().splitlines()[0:3:2]
    cells = dict(zip(header.replace('"', "").split(","), second.split(",")))
    assert cells["TXN-CNT"] == "0"
    assert cells["TXN-TYPE(1)"] == ""            # past the ODO count: null
    assert cells["STMT-FLAGS"] == '"NONE"'


def test_csv_reads_an_empty_cell_as_null_and_a_quoted_empty_cell_as_the_empty_string(tmp_path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('"CUST-ID","CUST-NAME","RISK-SEG","BALANCE"\n1,,"",\n')
    table = read_values(str(source), "csv", load_copybook(CUSTOMER))
    assert table.to_pylist() == [{"CUST-ID": 1, "CUST-NAME": None, "RISK-SEG": "", "BALANCE": None}]


def test_csv_keeps_text_that_looks_like_a_null_marker(tmp_path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('"CUST-ID","CUST-NAME"\n1,"NULL"\n2,"nan"\n')
    table = read_values(str(source), "csv", load_copybook(CUSTOMER))
    assert table.column("CUST-NAME").to_pylist() == ["NULL", "nan"]


def test_csv_with_an_unclosed_quote_is_refused_with_its_line(tmp_path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('"CUST-ID","CUST-NAME"\n1,"ALICE"\n2,"BOB\n3,"CAROL"\n4,"DAVE"\n')
    with pytest.raises(EncodeError, match=r'in.csv line 3: a quoted cell opens here and is never closed'):
        read_values(str(source), "csv", load_copybook(CUSTOMER))


def test_csv_with_a_doubled_quote_inside_a_cell_is_not_taken_for_an_unclosed_one(tmp_path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('"CUST-ID","CUST-NAME"\n1,"SAY ""HI"""\n')
    table = read_values(str(source), "csv", load_copybook(CUSTOMER))
    assert table.column("CUST-NAME").to_pylist() == ['SAY "HI"']


def test_csv_row_with_too_many_cells_names_its_line(tmp_path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('"CUST-ID","CUST-NAME"\n1,"A"\n2,"B",3\n')
    with pytest.raises(EncodeError, match=r"in.csv is not CSV as decode writes it: .*Row #3: Expected 2 columns, got 3"):
        read_values(str(source), "csv", load_copybook(CUSTOMER))


def test_csv_cell_that_is_not_a_number_names_its_record_line_and_field(tmp_path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('"CUST-ID","BALANCE"\n1,2.50\n2,12O.00\n')
    with pytest.raises(EncodeError) as info:
        read_values(str(source), "csv", load_copybook(CUSTOMER))
    assert str(info.value) == "record 2, field BALANCE: line 3: '12O.00' is not a number"


def test_csv_decimal_with_too_many_places_is_refused_or_rounded_half_up(tmp_path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('"CUST-ID","BALANCE"\n1,2.345\n2,-2.675\n3,7\n')
    with pytest.raises(EncodeError, match=r"record 1, field BALANCE: line 2: 2.345 has more than the 2 decimal "
                                          r"places of the PICTURE; use --round"):
        read_values(str(source), "csv", load_copybook(CUSTOMER))
    table = read_values(str(source), "csv", load_copybook(CUSTOMER), rounding="half-up")
    assert [str(v) for v in table.column("BALANCE").to_pylist()] == ["2.35", "-2.68", "7.00"]


# -- record numbers count from 1 -----------------------------------------------------------------

def test_encode_errors_count_records_from_one(capsys, tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"CUST-ID": 1}\n{"CUST-ID": 2}\n{"CUST-ID": 3, "RISK-SEG": "TOO LONG"}\n')
    rc, _, err = run(capsys, "encode", source, "-c", CUSTOMER, "-o", tmp_path / "x.dat")
    assert rc == 8 and "record 3, field RISK-SEG" in err


def test_jsonl_errors_name_the_record_and_the_line_it_is_on(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"CUST-ID": 1}\n\n{"CUST-ID": "two"}\n')
    with pytest.raises(EncodeError) as info:
        read_values(str(source), None, load_copybook(CUSTOMER))
    assert str(info.value) == "record 2, field CUST-ID: line 3: 'two' is not a whole number"
    assert info.value.row == 1


def test_jsonl_reads_a_comp_2_value_back_as_the_double_it_was(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"POL-NUMBER": "P1", "POL-LOSS-RATIO": 322.936717}\n')
    table = read_values(str(source), None, load_copybook(COPYBOOKS / "policy.cpy"))
    assert table.column("POL-LOSS-RATIO").to_pylist() == [322.936717]


def test_csv_round_trips_tiny_decimals_that_arrow_writes_with_an_exponent(capsys, tmp_path) -> None:
    copybook = tmp_path / "rate.cpy"
    copybook.write_text("       01  RATE-REC.\n           05  RATE  PIC SV9(12) COMP-3.\n")
    layout = load_copybook(copybook)
    values = [Decimal("0.000000000001"), Decimal("-0.000000100000"), Decimal("0E-12"), Decimal("0.999999999999")]
    data = tmp_path / "RATE.dat"
    write_records(pa.table({"RATE": pa.array(values, pa.decimal128(12, 12))}), data, layout)
    assert run(capsys, "decode", data, "-c", copybook, "-o", tmp_path / "rate.csv")[0] == 0
    rc, _, err = run(capsys, "encode", tmp_path / "rate.csv", "-c", copybook, "-o", tmp_path / "again.dat")
    assert rc == 0, err
    assert (tmp_path / "again.dat").read_bytes() == data.read_bytes()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_every_output_file_is_readable_by_its_owner_only(capsys, tmp_path, suffix) -> None:
    out = tmp_path / f"out{suffix}"
    assert run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "-o", out)[0] == 0
    assert out.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_a_decode_error_leaves_no_output_file(capsys, tmp_path, suffix) -> None:
    out = tmp_path / f"out{suffix}"
    rc, _, err = run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--on-invalid", "error", "-o", out)
    assert rc == 8 and "record 9" in err and "BIRTH-DATE" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN"])
def test_jsonl_infinity_or_nan_for_an_integer_is_refused_in_one_line(tmp_path, number) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(f'{{"CUST-ID": {number}}}\n')
    with pytest.raises(EncodeError, match=r"record 1, field CUST-ID: line 1: -?(inf|nan) is not a number"):
        read_values(str(source), None, load_copybook(CUSTOMER))


def test_jsonl_integer_beyond_64_bits_is_refused_without_printing_every_digit(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"CUST-ID": 1e999}\n')
    with pytest.raises(EncodeError) as info:
        read_values(str(source), None, load_copybook(CUSTOMER))
    assert str(info.value) == "record 1, field CUST-ID: line 1: 1E+999 has more digits than any field holds"
