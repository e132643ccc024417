"""`bridge schema`: formats on standard output, copybook problems as FILE:LINE:COLUMN on stderr.

Most tests stand a hand-built layout in for the compiler, so they hold the command's own
behaviour; `test_every_sample_copybook_*` run the real compiler on the sample copybooks.
"""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import bridge.copybook
from bridge.cli.schema import command
from bridge.errors import CopybookError, CopybookWarning
from bridge.export.formats import FORMATS
from bridge.layout.model import Layout
from tests.conftest import COPYBOOKS
from tests.export import sample_layouts


@pytest.fixture
def compiled(monkeypatch):
    """Replace the compiler with one returning a hand-built layout; records its arguments."""
    calls = []

    def load(path, *, include_dirs=(), dialect="ibm", strict=False):
        calls.append({"path": Path(path), "include_dirs": tuple(include_dirs), "dialect": dialect,
                      "strict": strict})
        return compiled.layout

    compiled.layout = sample_layouts.payments()
    compiled.calls = calls
    monkeypatch.setattr(bridge.copybook, "load_copybook", load, raising=False)
    return compiled


@pytest.fixture
def copybook(tmp_path):
    path = tmp_path / "payments.cpy"
    path.write_text("       01  BATCH-HEADER.\n")
    return path


def _run(*args):
    return CliRunner().invoke(command, [str(a) for a in args])


def test_layout_listing_goes_to_standard_output(compiled, copybook):
    result = _run(copybook, "--format", "layout")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("RECORD BATCH-HEADER")
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_printed(compiled, copybook, fmt):
    result = _run(copybook, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert "BATCH-TRAILER" in result.stdout or "BATCH_TRAILER" in result.stdout.upper()


def test_record_option_selects_one_record(compiled, copybook):
    result = _run(copybook, "--format", "layout-json", "--record", "payment-detail")
    assert [r["name"] for r in json.loads(result.stdout)["records"]] == ["PAYMENT-DETAIL"]


def test_an_unknown_record_is_an_error_on_standard_error(compiled, copybook):
    result = _run(copybook, "--format", "layout", "--record", "nope")
    assert result.exit_code == 8
    assert result.stderr == ("mfbridge: no 01 record named NOPE (records: BATCH-HEADER, PAYMENT-DETAIL, "
                             "BATCH-TRAILER)\n")
    assert result.stdout == ""


def test_a_copybook_error_is_printed_as_file_line_column_message_without_traceback(
        monkeypatch, copybook):
    def load(path, **options):
        raise CopybookError("PICTURE S9(4)X mixes numeric and alphanumeric symbols",
                            file="payments.cpy", line=12, column=40)

    monkeypatch.setattr(bridge.copybook, "load_copybook", load, raising=False)
    result = _run(copybook, "--format", "layout")
    assert result.exit_code == 8
    assert result.stderr == ("payments.cpy:12:40: PICTURE S9(4)X mixes numeric and alphanumeric "
                             "symbols\n")
    assert "Traceback" not in result.output


def test_compiler_warnings_go_to_standard_error_once_each(monkeypatch, copybook):
    warning = CopybookWarning("COMP-0 read as COMP", file="payments.cpy", line=3, column=30)
    layout = Layout(records=sample_layouts.customer().records, source="payments.cpy",
                    warnings=(str(warning), "OCCURS n DEPENDING ON without m TO"))

    def load(path, **options):
        warnings.warn(warning)
        return layout

    monkeypatch.setattr(bridge.copybook, "load_copybook", load, raising=False)
    result = _run(copybook, "--format", "layout")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "payments.cpy:3:30: warning: COMP-0 read as COMP",
        f"{copybook}: warning: OCCURS n DEPENDING ON without m TO",
    ]


def test_include_dirs_dialect_and_strict_reach_the_compiler(compiled, copybook, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _run(copybook, "--format", "layout", "-I", tmp_path / "a", "--include", tmp_path / "b",
         "--dialect", "gnucobol", "--strict")
    assert compiled.calls == [{"path": copybook, "include_dirs": (tmp_path / "a", tmp_path / "b"),
                               "dialect": "gnucobol", "strict": True}]


def test_the_compiler_defaults_to_ibm_and_lenient(compiled, copybook):
    _run(copybook, "--format", "layout")
    assert (compiled.calls[0]["dialect"], compiled.calls[0]["strict"]) == ("ibm", False)


def test_output_option_writes_the_file_and_nothing_to_standard_output(compiled, copybook, tmp_path):
    out = tmp_path / "schema.json"
    result = _run(copybook, "--format", "json-schema", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["$defs"]["BATCH-TRAILER"]["title"] == "BATCH-TRAILER"


def test_an_output_in_a_missing_folder_is_refused_before_compiling_with_rc_12(compiled, copybook, tmp_path,
                                                                              capsys):
    from bridge.cli.main import main

    target = tmp_path / "missing" / "out.txt"
    assert main(["schema", str(copybook), "--format", "layout", "-o", str(target)]) == 12
    assert capsys.readouterr().err == (f"mfbridge: {target}: cannot write here: the folder {tmp_path / 'missing'} "
                                       "does not exist\n")
    assert compiled.calls == []


def test_a_failed_write_is_reported_with_rc_12_without_traceback(compiled, copybook, tmp_path, monkeypatch):
    import errno

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    result = _run(copybook, "--format", "layout", "-o", tmp_path / "out.txt")
    assert result.exit_code == 12
    assert result.stderr == f"mfbridge: {tmp_path / 'out.txt'}: cannot write the schema: No space left on device\n"


def test_sql_dialect_option_chooses_the_ddl_flavour(compiled, copybook):
    result = _run(copybook, "--format", "sql", "--sql-dialect", "postgres")
    assert "CREATE TABLE batch_header (" in result.stdout


def test_format_defaults_to_the_layout_listing(compiled, copybook):
    result = _run(copybook)
    assert result.exit_code == 0 and result.stdout.startswith("RECORD BATCH-HEADER")


def test_an_unknown_format_is_a_usage_error_listing_the_formats(compiled, copybook):
    result = _run(copybook, "--format", "xml")
    assert result.exit_code == 2
    assert "'layout', 'layout-json', 'json-schema', 'avro', 'arrow', 'sql'" in result.stderr


def test_a_missing_copybook_is_a_usage_error(compiled, tmp_path):
    result = _run(tmp_path / "nope.cpy", "--format", "layout")
    assert result.exit_code == 2 and "does not exist" in result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_sample_copybook_prints_in_every_format_with_the_real_compiler(fmt):
    for copybook in sorted(COPYBOOKS.glob("*.cpy")):
        result = _run(copybook, "-I", COPYBOOKS / "include", "--format", fmt)
        assert result.exit_code == 0, (copybook.name, result.stderr)
        assert result.stdout.strip()


def test_a_real_compiler_warning_is_printed_as_file_line_column_warning():
    result = _run(COPYBOOKS / "hard_cases.cpy", "-I", COPYBOOKS / "include", "--format", "layout",
                  "--record", "HC-WIDE-REDEF-REC")
    assert result.exit_code == 0
    assert re.fullmatch(r"\S*hard_cases\.cpy:\d+:\d+: warning: HC-W-CODE-LONG .*\n", result.stderr)


def test_strict_turns_a_real_compiler_warning_into_an_error():
    result = _run(COPYBOOKS / "hard_cases.cpy", "-I", COPYBOOKS / "include", "--format", "layout",
                  "--strict")
    assert result.exit_code == 8 and result.stdout == ""
    assert re.match(r"\S*hard_cases\.cpy:\d+:\d+: HC-W-CODE-LONG ", result.stderr)


def test_a_missing_copy_member_names_the_option_to_add_its_library():
    result = _run(COPYBOOKS / "hard_cases.cpy", "--format", "layout")
    assert result.exit_code == 8
    assert "COPY member HCADDR not found" in result.stderr and "-I DIR" in result.stderr
