"""The CLI as its users meet it: broken inputs, wrong options, and what the messages and return codes say.

Each test is one behaviour a mainframe engineer, a data scientist or an operator relies on.
Tests marked ``xfail(strict=True)`` pin behaviour that belongs to modules outside
`bridge.cli` and is still wrong; the reason says what should happen.
"""
from __future__ import annotations

import gzip
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.cli.main import main
from tests.conftest import COPYBOOKS, FIXTURES, ROOT

CUSTOMER = str(COPYBOOKS / "customer.cpy")
TRANSACTIONS = str(COPYBOOKS / "transactions.cpy")
PAYMENTS = str(COPYBOOKS / "payments.cpy")
MODEL = str(ROOT / "models" / "customer-risk")
CUSTOMER_DAT = FIXTURES / "customer.cp037.dat"       # 9 records of 117 bytes, record 9 with invalid data
TXN_VB = FIXTURES / "transactions.vb.dat"            # 4 RDW records, TXN-CNT 3, 0, 50, 1


def run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def cust(tmp_path) -> Path:
    path = tmp_path / "CUST.dat"
    shutil.copy(CUSTOMER_DAT, path)
    return path


def _odo_count(tmp_path, count: int) -> Path:
    data = bytearray(TXN_VB.read_bytes())
    data[4 + 23:4 + 25] = struct.pack(">h", count)  # TXN-CNT of record 1, behind its RDW
    path = tmp_path / "TXN.dat"
    path.write_bytes(bytes(data))
    return path


# -- output files: never destroy the input, never leave a partial result -------------------------

def test_score_refuses_to_write_over_its_own_input(capsys, cust):
    before = cust.read_bytes()
    rc, _, err = run(capsys, "score", cust, "-c", CUSTOMER, "--model", MODEL, "-o", cust)
    assert rc == 2
    assert "is the input file" in err and "would destroy the input" in err
    assert cust.read_bytes() == before


def test_decode_refuses_to_write_over_its_own_input(capsys, cust):
    before = cust.read_bytes()
    rc, _, err = run(capsys, "decode", cust, "-c", CUSTOMER, "-o", cust.parent / "." / cust.name)
    assert rc == 2 and "would destroy the input" in err
    assert cust.read_bytes() == before


def test_a_score_that_fails_on_framing_leaves_no_output_file(capsys, tmp_path):
    short = tmp_path / "SHORT.dat"
    short.write_bytes(CUSTOMER_DAT.read_bytes()[:1000])
    out = tmp_path / "SCORED.dat"
    rc, _, err = run(capsys, "score", short, "-c", CUSTOMER, "--model", MODEL, "-o", out)
    assert rc == 8 and "not a multiple of the record length 117" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SHORT.dat"]


def test_a_failed_encode_keeps_the_previous_output_file(capsys, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"CUST-ID": 1, "CUST-NAME": "' + "X" * 40 + '"}\n')
    out = tmp_path / "OUT.dat"
    out.write_bytes(b"previous generation")
    rc, _, err = run(capsys, "encode", source, "-c", CUSTOMER, "-o", out)
    assert rc == 8 and "CUST-NAME" in err
    assert out.read_bytes() == b"previous generation"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OUT.dat", "in.jsonl"]


def test_an_output_in_a_missing_folder_exits_12_as_documented_not_a_traceback(capsys, tmp_path):
    rc, _, err = run(capsys, "fake", "-c", CUSTOMER, "-n", "1", "-o", tmp_path / "nope" / "x.dat")
    assert rc == 12 and f"the folder {tmp_path / 'nope'} does not exist" in err


# -- compressed and broken inputs ------------------------------------------------------------------

def test_a_truncated_gz_input_says_truncated_instead_of_aborted(capsys, tmp_path):
    whole = gzip.compress(CUSTOMER_DAT.read_bytes())
    path = tmp_path / "CUST.dat.gz"
    path.write_bytes(whole[: len(whole) // 2])
    rc, _, err = run(capsys, "decode", path, "-c", CUSTOMER)
    assert rc == 8
    assert "truncated" in err and "Aborted" not in err


def test_a_file_named_gz_that_is_not_gzip_gets_a_message_not_a_traceback(capsys, tmp_path):
    path = tmp_path / "CUST.dat.gz"
    shutil.copy(CUSTOMER_DAT, path)
    rc, _, err = run(capsys, "decode", path, "-c", CUSTOMER)
    assert rc == 8 and "not valid compressed data" in err


def test_a_fixed_file_with_a_trailing_fragment_names_sizes_and_options(capsys, tmp_path):
    path = tmp_path / "SHORT.dat"
    path.write_bytes(CUSTOMER_DAT.read_bytes()[:1000])
    rc, out, err = run(capsys, "decode", path, "-c", CUSTOMER)
    assert rc == 8 and out == ""
    for fact in ("record 9", "byte offset 936", "file size 1000 bytes", "record length 117",
                 "8 whole records", "trailing fragment of 64 bytes", "--lrecl", "--recfm"):
        assert fact in err


def test_a_bad_rdw_names_its_offset_the_bytes_and_the_option(capsys, tmp_path):
    data = bytearray(TXN_VB.read_bytes())
    data[100:102] = b"\xff\xff"  # the second RDW
    path = tmp_path / "TXN.dat"
    path.write_bytes(bytes(data))
    rc, _, err = run(capsys, "decode", path, "-c", TRANSACTIONS, "--recfm", "V")
    assert rc == 8
    assert "record 2, byte offset 100" in err and "FF FF 00 00" in err and "--rdw-endian" in err


def test_invalid_numeric_data_with_on_invalid_error_names_record_offset_field_and_hex(capsys):
    rc, _, err = run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--on-invalid", "error")
    assert rc == 8
    assert "record 9, byte offset 970, field BIRTH-DATE" in err and "E4D5D2D5D6E6D540" in err


def test_an_unknown_code_page_lists_the_known_ones(capsys):
    rc, _, err = run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--codepage", "cp9999")
    assert rc == 8 and "unknown code page 'cp9999'" in err and "cp1047" in err and "--codepage" in err


def test_a_copybook_error_is_printed_in_compiler_form_without_traceback(capsys, tmp_path):
    book = tmp_path / "BAD.cpy"
    book.write_text("       01  REC.\n           05  A   PIC S9(5)Q99 COMP-3.\n")
    rc, _, err = run(capsys, "decode", CUSTOMER_DAT, "-c", book)
    assert rc == 8
    assert err.startswith(f"{book}:2:") and "'Q' is not a PICTURE symbol" in err
    assert "Traceback" not in err


# -- option validation -----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [("--lrecl", "0"), ("--skip-header-bytes", "-1")])
def test_impossible_framing_numbers_are_refused_as_usage_errors(capsys, args):
    rc, _, err = run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, *args)
    assert rc == 2 and args[0] in err


def test_segment_field_without_segment_map_is_a_usage_error(capsys):
    rc, _, err = run(capsys, "decode", FIXTURES / "payments.fb.dat", "-c", PAYMENTS, "--segment-field",
                     "HDR-REC-TYPE")
    assert rc == 2 and "--segment-field needs at least one --segment-map" in err


def test_fake_refuses_a_negative_record_count(capsys, tmp_path):
    rc, _, err = run(capsys, "fake", "-c", CUSTOMER, "-n", "-4", "-o", tmp_path / "x.dat")
    assert rc == 2 and "--count" in err


def test_encode_reads_a_parquet_file_by_its_suffix(capsys, tmp_path):
    parquet = tmp_path / "cust.parquet"
    assert run(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--to", "parquet", "-o", parquet)[0] == 0
    out = tmp_path / "CUST.dat"
    rc, _, err = run(capsys, "encode", parquet, "-c", CUSTOMER, "-o", out)
    assert rc == 0, err
    assert "9 records encoded" in err


def test_encode_of_a_binary_file_as_jsonl_says_what_to_check(capsys, tmp_path):
    rc, _, err = run(capsys, "encode", CUSTOMER_DAT, "-c", CUSTOMER, "--from", "jsonl", "-o", tmp_path / "x.dat")
    assert rc == 2 and "is not UTF-8 text" in err and "--from parquet" in err


def test_help_of_decode_explains_every_reader_option(capsys):
    rc, out, _ = run(capsys, "decode", "--help")
    assert rc == 0
    assert "[F|FB|V|VB|TEXT]" in out
    for text in ("Byte order of the RDW", "IBM hexadecimal floating point", "not records", "Output format"):
        assert text in " ".join(out.split())


# -- inspect -----------------------------------------------------------------------------------------

def test_inspect_lays_fields_after_an_odo_table_at_their_shifted_offsets(capsys):
    rc, out, _ = run(capsys, "inspect", TXN_VB, "-c", TRANSACTIONS, "--recfm", "V", "--record-number", "2")
    assert rc == 0
    assert "TXN-DATE(1)" not in out  # TXN-CNT is 0: the table is empty
    assert "STMT-TOTAL" in out and "0000000000000C" in out
    assert "'NONE'" in out and "*INVALID*" not in out


def test_inspect_shows_a_record_whose_odo_count_is_out_of_range(capsys, tmp_path):
    rc, out, _ = run(capsys, "inspect", _odo_count(tmp_path, 99), "-c", TRANSACTIONS, "--recfm", "V", "--count", "2")
    assert rc == 0
    assert "record 1 (96 bytes, file offset 4)" in out and "TXN-CNT" in out
    assert "cannot be laid out" in out and "count 99 is outside 0 TO 50" in out
    assert "record 2 (36 bytes" in out


def test_inspect_marks_invalid_fields(capsys):
    rc, out, _ = run(capsys, "inspect", CUSTOMER_DAT, "-c", CUSTOMER, "--record-number", "9")
    assert rc == 0
    line = next(ln for ln in out.splitlines() if " BALANCE " in ln)
    assert "40404040404040" in line and "*INVALID*" in line


def test_inspect_refuses_record_zero_as_a_usage_error(capsys):
    rc, _, err = run(capsys, "inspect", CUSTOMER_DAT, "-c", CUSTOMER, "--record-number", "0")
    assert rc == 2 and "--record" in err


def test_inspect_past_the_end_says_how_many_records_the_file_holds(capsys):
    rc, _, err = run(capsys, "inspect", CUSTOMER_DAT, "-c", CUSTOMER, "--record-number", "10")
    assert rc == 1 and "has no record 10: it holds 9 records" in err


# -- train ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hist") / "HIST.dat"
    assert main(["fake", "-c", str(COPYBOOKS / "customer_history.cpy"), "-n", "300", "-o", str(path)]) == 0
    return path


def test_train_names_a_mistyped_feature_and_suggests_the_field(capsys, history, tmp_path):
    rc, _, err = run(capsys, "train", history, "-c", COPYBOOKS / "customer_history.cpy", "--label", "DEFAULTED-12M",
                     "--positive", "1", "--features", "BALANCE,CREDIT-LIMT", "-o", tmp_path / "m")
    assert rc == 2 and "CREDIT-LIMT is not a field" in err and "did you mean CREDIT-LIMIT" in err


def test_train_with_an_unknown_categorical_is_a_usage_error_not_a_traceback(capsys, history, tmp_path):
    rc, _, err = run(capsys, "train", history, "-c", COPYBOOKS / "customer_history.cpy", "--label", "DEFAULTED-12M",
                     "--positive", "1", "--categorical", "NOPE", "-o", tmp_path / "m")
    assert rc == 2 and "--categorical" in err and "NOPE is not a field" in err


def test_train_with_a_label_that_is_not_zero_or_one_points_to_positive(capsys, history, tmp_path):
    rc, _, err = run(capsys, "train", history, "-c", COPYBOOKS / "customer_history.cpy", "--label", "DELINQ-COUNT",
                     "-o", tmp_path / "m")
    assert rc == 2 and "--positive VALUE" in err and "not only 0 and 1" in err


def test_train_refuses_a_model_id_longer_than_its_field_instead_of_cutting_it(capsys, history, tmp_path):
    rc, _, err = run(capsys, "train", history, "-c", COPYBOOKS / "customer_history.cpy", "--label", "DEFAULTED-12M",
                     "--positive", "1", "--model-id-field", "MODEL-ID", "--model-id", "TOOLONGMODELID",
                     "-o", tmp_path / "m")
    assert rc == 8 and "TOOLONGMODELID" in err and "PIC X(8)" in err


def test_train_bands_without_a_band_field_is_a_usage_error(capsys, history, tmp_path):
    rc, _, err = run(capsys, "train", history, "-c", COPYBOOKS / "customer_history.cpy", "--label", "DEFAULTED-12M",
                     "--bands", "0.5:A,1:B", "-o", tmp_path / "m")
    assert rc == 2 and "--bands needs --band-field" in err


# -- the batch job ----------------------------------------------------------------------------------

def test_run_with_a_missing_job_file_exits_12_for_the_scheduler(capsys, tmp_path):
    assert main(["run", str(tmp_path / "nosuch.toml"), "--once"]) == 12
    assert "job file" in capsys.readouterr().err


def _job(tmp_path: Path, **job_keys: str) -> Path:
    for sub in ("inbox/archive", "inbox/error", "outbox"):
        (tmp_path / sub).mkdir(parents=True, exist_ok=True)
    extra = "".join(f'{k} = "{v}"\n' for k, v in job_keys.items())
    job = tmp_path / "job.toml"
    job.write_text(f'[job]\nname = "qa"\ncopybook = "{CUSTOMER}"\nmodel = "{MODEL}"\n{extra}'
                   '[source]\nkind = "local"\npath = "inbox"\npattern = "*.dat"\n'
                   '[target]\nkind = "local"\npath = "outbox"\n')
    return job


def _drop(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / "inbox" / name).write_bytes(data)
    (tmp_path / "inbox" / f"{name}.trg").write_bytes(b"")


def _run_once(job: Path) -> int:
    return main(["run", str(job), "--once"])


def test_a_drop_with_a_wrong_size_goes_to_the_error_folder_with_rc_8_and_a_report(capsys, tmp_path):
    job = _job(tmp_path)
    _drop(tmp_path, "CUST.D1.dat", CUSTOMER_DAT.read_bytes()[:1000])
    assert _run_once(job) == 8
    err = (tmp_path / "inbox" / "error" / "CUST.D1.dat.err").read_text()
    assert "file size: 1000 bytes" in err and "record number: 9" in err and "byte offset: 936" in err
    status = (tmp_path / "outbox" / "CUST.D1.SCORED.dat.status").read_text().splitlines()
    assert status[0] == "RC=0008" and status[2] == "OUTPUT="
    rc, out, _ = run(capsys, "status", job)
    assert rc == 0 and "RC=0008" in out and "CUST.D1.dat" in out


def test_the_err_report_names_the_dropped_file_not_the_work_area_copy(capsys, tmp_path):
    job = _job(tmp_path)
    _drop(tmp_path, "CUST.D1.dat", CUSTOMER_DAT.read_bytes()[:1000])
    _run_once(job)
    err = (tmp_path / "inbox" / "error" / "CUST.D1.dat.err").read_text()
    assert "/input" not in err and ".bridge" not in err


def test_a_job_with_an_unknown_recfm_stops_with_rc_12_before_touching_a_drop(capsys, tmp_path):
    job = _job(tmp_path, recfm="XB")
    _drop(tmp_path, "CUST.D1.dat", CUSTOMER_DAT.read_bytes())
    assert _run_once(job) == 12
    assert (tmp_path / "inbox" / "CUST.D1.dat").exists()


# -- behaviour outside bridge/cli that is still wrong (for the lead) -------------------------------

def test_an_odo_count_out_of_range_is_null_and_counted_by_default(capsys, tmp_path):
    rc, out, err = run(capsys, "decode", _odo_count(tmp_path, 99), "-c", TRANSACTIONS, "--recfm", "V")
    assert rc == 0 and len(out.splitlines()) == 4 and "TXN-CNT" in err


def test_encode_of_too_many_decimals_names_the_row_and_the_round_option(capsys, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"CUST-ID": 1}\n{"CUST-ID": 2, "BALANCE": 1.234}\n')
    rc, _, err = run(capsys, "encode", source, "-c", CUSTOMER, "-o", tmp_path / "x.dat")
    assert rc == 8 and "BALANCE" in err and ("row 2" in err or "line 2" in err) and "--round" in err


def test_encode_accepts_decimals_written_as_json_strings(capsys, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"CUST-ID": 1, "BALANCE": "12.34"}\n')
    rc, _, err = run(capsys, "encode", source, "-c", CUSTOMER, "-o", tmp_path / "x.dat")
    assert rc == 0, err


def test_fake_with_record_writes_valid_records_of_that_type_in_a_multi_record_copybook(capsys, tmp_path):
    out = tmp_path / "PAY.dat"
    assert run(capsys, "fake", "-c", PAYMENTS, "--record", "PAYMENT-DETAIL", "-n", "10", "-o", out)[0] == 0
    rc, out_text, err = run(capsys, "decode", out, "-c", PAYMENTS, "--record", "PAYMENT-DETAIL")
    assert rc == 0 and "10 records decoded" in err and "invalid" not in err
    assert all('"DTL-REC-TYPE":"D"' in line for line in out_text.splitlines())


def test_a_truncated_model_file_is_refused_with_a_message(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(MODEL, model)
    text = (model / "model.txt").read_bytes()
    (model / "model.txt").write_bytes(text[:2000])
    done = subprocess.run([sys.executable, "-m", "bridge.cli.main", "score", str(CUSTOMER_DAT), "-c", CUSTOMER,
                           "--model", str(model), "-o", str(tmp_path / "s.dat")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 8 and "model.txt" in done.stderr and len(done.stderr.splitlines()) < 5


def test_a_segment_value_missing_from_the_map_is_reported(capsys):
    rc, _, err = run(capsys, "decode", FIXTURES / "payments.fb.dat", "-c", PAYMENTS, "--segment-field",
                     "HDR-REC-TYPE", "--segment-map", "H=BATCH-HEADER", "--segment-map", "D=PAYMENT-DETAIL")
    assert "'T'" in err
