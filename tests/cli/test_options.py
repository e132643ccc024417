"""Options: --skip/--limit, --columns without empty groups, --record naming an 01 record, help texts (issue 9)."""
from __future__ import annotations

import json

import click
import pytest

from bridge.cli.main import COMMANDS, cli, main
from tests.conftest import COPYBOOKS, FIXTURES

CUSTOMER = str(COPYBOOKS / "customer.cpy")
CUSTOMER_DAT = str(FIXTURES / "customer.cp037.dat")   # 9 records
PAYMENTS = str(COPYBOOKS / "payments.cpy")
PAYMENTS_DAT = str(FIXTURES / "payments.fb.dat")

#: options read only when decoding: a command that only writes must not offer them
DECODE_ONLY = {"--trim", "--on-invalid", "--skip-header-bytes",
               "--skip-trailer-bytes", "--record-length-field", "--record-length-adjust"}


def _records(capsys, *args: str) -> tuple[list[dict], str]:
    assert main(list(args)) == 0
    out, err = capsys.readouterr()
    return [json.loads(line) for line in out.splitlines()], err


def _ids(rows: list[dict]) -> list[int]:
    return [r["CUST-ID"] for r in rows]


def test_decode_skip_and_limit_choose_the_records(capsys):
    every, _ = _records(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER)
    some, err = _records(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--skip", "2", "--limit", "3")
    assert _ids(some) == _ids(every)[2:5]
    assert err.startswith("mfbridge: 3 records decoded")


def test_decode_limit_zero_writes_no_record(capsys):
    rows, err = _records(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--limit", "0")
    assert rows == [] and err == "mfbridge: 0 records decoded\n"


def test_decode_skip_past_the_end_writes_no_record(capsys):
    rows, _ = _records(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--skip", "100")
    assert rows == []


def test_decode_skip_and_limit_work_across_batches(capsys, tmp_path):
    every, _ = _records(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER)
    # the reader's batches are far larger than 9 records; a VB file of many records crosses them
    from bridge import load_copybook, write_records
    from bridge.testing import fake_table

    layout = load_copybook(CUSTOMER)
    path = tmp_path / "BIG.dat"
    write_records(fake_table(layout, 70_000, seed=9), path, layout)
    rows, _ = _records(capsys, "decode", str(path), "-c", CUSTOMER, "--columns", "CUST-ID",
                       "--skip", "65530", "--limit", "10")
    whole, _ = _records(capsys, "decode", str(path), "-c", CUSTOMER, "--columns", "CUST-ID")
    assert _ids(rows) == _ids(whole)[65530:65540]


def test_columns_leave_out_groups_with_nothing_chosen(capsys):
    rows, _ = _records(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--columns", "CUST-ID,BALANCE", "--limit", "1")
    assert list(rows[0]) == ["CUST-ID", "BALANCE"]


def test_columns_keep_a_group_with_something_chosen(capsys):
    rows, _ = _records(capsys, "decode", CUSTOMER_DAT, "-c", CUSTOMER, "--columns", "CUST-ID,SCORE-BAND",
                       "--limit", "1")
    assert list(rows[0]) == ["CUST-ID", "SCORE-AREA"] and list(rows[0]["SCORE-AREA"]) == ["SCORE-BAND"]


def test_inspect_record_number_is_one_based_as_in_ispf(capsys):
    assert main(["inspect", CUSTOMER_DAT, "-c", CUSTOMER, "--record-number", "3"]) == 0
    assert capsys.readouterr().out.startswith("record 3 (117 bytes, file offset 234)")


def test_inspect_skip_and_limit_mean_what_they_mean_for_decode(capsys):
    assert main(["inspect", CUSTOMER_DAT, "-c", CUSTOMER, "--skip", "2", "--limit", "2"]) == 0
    headers = [line for line in capsys.readouterr().out.splitlines() if line.startswith("record ")]
    assert headers == ["record 3 (117 bytes, file offset 234)", "record 4 (117 bytes, file offset 351)"]


def test_inspect_record_names_an_01_record_as_everywhere_else(capsys):
    assert main(["inspect", PAYMENTS_DAT, "-c", PAYMENTS, "--record", "BATCH-HEADER"]) == 0
    fields = [line.split()[3] for line in capsys.readouterr().out.splitlines()[7:]]
    assert fields == ["HDR-REC-TYPE", "HDR-BATCH-ID", "HDR-CREATED-DATE", "HDR-CREATED-TIME", "HDR-SOURCE-SYSTEM"]
    assert main(["inspect", PAYMENTS_DAT, "-c", PAYMENTS, "--record", "NOPE"]) == 8
    assert "NOPE" in capsys.readouterr().err


def test_inspect_record_with_a_number_points_to_record_number(capsys):
    assert main(["inspect", CUSTOMER_DAT, "-c", CUSTOMER, "--record", "3"]) == 2
    assert capsys.readouterr().err == ("mfbridge inspect: --record names an 01 record; to show record number 3, "
                                       "use --record-number 3. Try 'mfbridge inspect --help'.\n")


def test_inspect_refuses_record_number_with_skip(capsys):
    assert main(["inspect", CUSTOMER_DAT, "-c", CUSTOMER, "--record-number", "3", "--skip", "2"]) == 2
    assert "give --record-number N or --skip N, not both" in capsys.readouterr().err


def test_an_inspect_of_a_record_past_the_end_exits_1(capsys):
    assert main(["inspect", CUSTOMER_DAT, "-c", CUSTOMER, "--record-number", "99"]) == 1
    assert capsys.readouterr().err == f"mfbridge: {CUSTOMER_DAT} has no record 99: it holds 9 records\n"


def test_schema_format_defaults_to_the_layout_listing(capsys):
    assert main(["schema", CUSTOMER]) == 0
    assert capsys.readouterr().out.startswith("RECORD CUSTOMER-REC")


def _command(name: str) -> click.Command:
    return cli.get_command(click.Context(cli), name)


#: options still without help, in modules outside this engineer's files: (command, option) -> owner
HELP_GAPS = {("run", "--verbose"): "bridge/cli/run.py (pipeline)"}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_option_has_help_text(name):
    missing = [p.opts[-1] for p in _command(name).params
               if isinstance(p, click.Option) and not p.help and (name, p.opts[-1]) not in HELP_GAPS]
    assert missing == []


# `fake` keeps the reader's flags on purpose: what it writes must read back with the same flags
# (--segment-map chooses the record types it writes, --record-length-field the framing).
@pytest.mark.parametrize("name", ["encode"])
def test_commands_that_only_write_do_not_offer_decode_options(name):
    offered = {o for p in _command(name).params for o in p.opts}
    assert offered & DECODE_ONLY == set()
    assert {"--recfm", "--lrecl", "--codepage", "--rdw-endian"} <= offered
