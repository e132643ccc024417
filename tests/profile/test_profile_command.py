"""`mfbridge profile` on every fixture and every sample copybook: it runs, writes 0600 files, tells the truth."""
from __future__ import annotations

import json
import stat

import pytest

from bridge.cli.main import main
from tests.conftest import COPYBOOKS, FIXTURES

FIXTURE_RUNS = {
    "customer": ["customer.cp037.dat", "customer.cpy"],
    "transactions": ["transactions.vb.dat", "transactions.cpy", "--recfm", "V"],
    "payments": ["payments.fb.dat", "payments.cpy", "--segment-field", "HDR-REC-TYPE",
                 "--segment-map", "H=BATCH-HEADER", "--segment-map", "D=PAYMENT-DETAIL",
                 "--segment-map", "T=BATCH-TRAILER"],
    "policy": ["policy.fb.dat", "policy.cpy", "--segment-field", "POL-TYPE", "--segment-map", "M=MOTOR-DETAIL",
               "--segment-map", "H=HOME-DETAIL"],
}


def _golden_records(name: str) -> list[dict]:
    data = FIXTURE_RUNS[name][0]
    golden = FIXTURES / (data.rsplit(".", 1)[0] + ".jsonl")
    return [json.loads(line) for line in golden.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("name", sorted(FIXTURE_RUNS))
def test_profile_runs_on_every_fixture_and_writes_private_report_and_json(name, tmp_path, capsys):
    data, copybook, *options = FIXTURE_RUNS[name]
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    rc = main(["profile", str(FIXTURES / data), "-c", str(COPYBOOKS / copybook), *options,
               "-o", str(html), "--json", str(js)])
    assert rc == 0
    result = json.loads(js.read_text())
    assert result["records"] == len(_golden_records(name))
    assert f"{result['records']} records" in capsys.readouterr().out
    for path in (html, js):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    page = html.read_text()
    for fig in result["figures"]:
        assert f'id="{fig["id"]}"' in page


def test_odo_count_distribution_matches_the_golden_records(tmp_path):
    from bridge.copybook import load_copybook
    from bridge.profile import profile_file

    result = profile_file(FIXTURES / "transactions.vb.dat", load_copybook(str(COPYBOOKS / "transactions.cpy")),
                          recfm="V")
    (odo,) = result["record_types"][0]["odo"]
    expected: dict[str, int] = {}
    for rec in _golden_records("transactions"):
        expected[str(rec["TXN-CNT"])] = expected.get(str(rec["TXN-CNT"]), 0) + 1
    assert (odo["object"], odo["table"], odo["invalid"]) == ("TXN-CNT", "TXN-TABLE", 0)
    assert odo["counts"] == dict(sorted(expected.items(), key=lambda kv: int(kv[0])))


def test_occurrences_past_the_odo_count_are_absent_not_invalid():
    from bridge.copybook import load_copybook
    from bridge.profile import profile_file

    result = profile_file(FIXTURES / "transactions.vb.dat", load_copybook(str(COPYBOOKS / "transactions.cpy")),
                          recfm="V")
    fields = {f["name"]: f for f in result["record_types"][0]["fields"]}
    counts = [rec["TXN-CNT"] for rec in _golden_records("transactions")]
    second = fields["TXN-DATE(2)"]
    assert (second["valid"], second["absent"], second["invalid"]) == (sum(c >= 2 for c in counts),
                                                                      sum(c < 2 for c in counts), 0)


@pytest.mark.parametrize("copybook", sorted(p.name for p in COPYBOOKS.glob("*.cpy")))
def test_profile_runs_on_generated_records_of_every_sample_copybook(copybook, tmp_path):
    from bridge.copybook import load_copybook
    from bridge.records.api import write_records
    from bridge.testing import fake_table

    layout = load_copybook(str(COPYBOOKS / copybook), include_dirs=[str(COPYBOOKS / "include")])
    record = layout.records[0]
    data = tmp_path / "fake.dat"
    options = ["--recfm", "V"] if record.has_odo else []
    # shifted ODO tables decode one group per distinct count (slow in the decoder): fewer records
    n = 40 if record.has_odo else 300
    write_records(fake_table(layout, n, seed=3, record=record.name), data, layout, record=record.name,
                  **({"recfm": "V"} if record.has_odo else {}))
    js = tmp_path / "r.json"
    rc = main(["profile", str(data), "-c", str(COPYBOOKS / copybook), "-I", str(COPYBOOKS / "include"),
               "--record", record.name, *options, "--json", str(js), "-o", str(tmp_path / "r.html")])
    assert rc == 0
    result = json.loads(js.read_text())
    assert result["records"] == n
    for f in result["record_types"][0]["fields"]:
        assert f["valid"] + f["invalid"] + f["no_value"] + f["absent"] == n, f["name"]


def test_a_file_that_is_not_whole_records_is_one_clear_line_and_no_traceback(tmp_path, capsys):
    data = tmp_path / "short.dat"
    data.write_bytes((FIXTURES / "customer.cp037.dat").read_bytes()[:100])
    rc = main(["profile", str(data), "-c", str(COPYBOOKS / "customer.cpy")])
    err = capsys.readouterr().err
    assert rc != 0
    assert "not a multiple of the record length 117" in err
    assert "Traceback" not in err


def test_an_unknown_date_format_is_refused_with_the_accepted_ones(tmp_path, capsys):
    rc = main(["profile", str(FIXTURES / "customer.cp037.dat"), "-c", str(COPYBOOKS / "customer.cpy"),
               "--date", "BIRTH-DATE=DDMMYY"])
    assert rc != 0
    assert "YYYYMMDD, CYYMMDD, none" in capsys.readouterr().err


def test_a_date_override_turns_a_recognised_date_off(tmp_path):
    js = tmp_path / "r.json"
    assert main(["profile", str(FIXTURES / "customer.cp037.dat"), "-c", str(COPYBOOKS / "customer.cpy"),
                 "--date", "BIRTH-DATE=none", "--json", str(js)]) == 0
    fields = {f["name"]: f for f in json.loads(js.read_text())["record_types"][0]["fields"]}
    assert "date" not in fields["BIRTH-DATE"]


def test_the_report_may_not_overwrite_the_input(tmp_path, capsys):
    data = tmp_path / "in.dat"
    data.write_bytes((FIXTURES / "customer.cp037.dat").read_bytes())
    rc = main(["profile", str(data), "-c", str(COPYBOOKS / "customer.cpy"), "-o", str(data)])
    assert rc != 0
    assert "would destroy the input" in capsys.readouterr().err
    assert data.read_bytes() == (FIXTURES / "customer.cp037.dat").read_bytes()


def test_each_record_type_of_a_segmented_file_is_profiled_on_its_own_records():
    from bridge.copybook import load_copybook
    from bridge.profile import ProfileOptions, profile_file

    args = FIXTURE_RUNS["payments"]
    result = profile_file(FIXTURES / args[0], load_copybook(str(COPYBOOKS / args[1])),
                          profile=ProfileOptions(key="DTL-REC-TYPE"), segment_field="HDR-REC-TYPE",
                          segment_map={"H": "BATCH-HEADER", "D": "PAYMENT-DETAIL", "T": "BATCH-TRAILER"})
    # fixtures/README.md: one header, six details, one trailer
    assert [(rt["name"], rt["records"]) for rt in result["record_types"]] == [
        ("BATCH-HEADER", 1), ("PAYMENT-DETAIL", 6), ("BATCH-TRAILER", 1)]
    for rt in result["record_types"]:
        assert all(f["records"] == rt["records"] for f in rt["fields"])
    key = result["key"]
    assert (key["records"], key["missing"], key["distinct"], key["keys_repeated"]) == (6, 2, 1, 1)


def test_a_report_in_a_missing_folder_is_refused_before_the_file_is_read(tmp_path, capsys):
    target = tmp_path / "no-such-folder" / "r.html"
    rc = main(["profile", str(FIXTURES / "customer.cp037.dat"), "-c", str(COPYBOOKS / "customer.cpy"),
               "-o", str(target)])
    err = capsys.readouterr().err
    assert rc != 0
    assert f"the folder {target.parent} does not exist" in err and "-o" in err
    assert "Traceback" not in err
