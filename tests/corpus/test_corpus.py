"""Every copybook of the corpus compiles to every schema format, and ``fake`` then ``roundtrip`` passes.

The corpus (issue 9, developers' guide): real public copybooks under ``tests/corpus/copybooks``
(sources and licences in ``tests/corpus/SOURCES.md``), the project's own ``copybooks/`` and the
Cobrix conformance copybooks in ``../shared/conformance/cobrix``. For each one, with default
options: the schema renders in every format, ``fake_file`` writes exactly the records asked
for, and `round_trip` reads them back byte-identical. A handful go through the real CLI.

A copybook the bridge cannot handle yet is listed in `KNOWN_FAILURES` with its cause; the
test then fails strictly if it starts passing, so the list never goes stale.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bridge.copybook import load_copybook
from bridge.export.formats import FORMATS, render_schema
from bridge.fake import fake_file
from bridge.records.roundtrip import round_trip
from tests.conftest import COBRIX, COPYBOOKS, IN_CI, ROOT

CORPUS = ROOT / "tests" / "corpus" / "copybooks"
RECORDS = 50

KNOWN_FAILURES: dict[str, str] = {}


def _copybooks(folder: Path, pattern: str = "*") -> list[Path]:
    return sorted(p for p in folder.rglob(pattern) if p.is_file() and p.suffix.lower() in (".cpy", ".cob"))


def _cobrix() -> list[Path]:
    if not COBRIX.is_dir():
        if IN_CI:
            pytest.fail(f"the Cobrix conformance corpus is missing at {COBRIX} and CI=true: "
                        "the corpus tests must run in CI")
        return []
    return _copybooks(COBRIX)


def _cases() -> list:
    cases = [pytest.param(p, id=str(p.relative_to(CORPUS)),
                          marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[str(p.relative_to(CORPUS))])]
                          if str(p.relative_to(CORPUS)) in KNOWN_FAILURES else [])
             for p in _copybooks(CORPUS)]
    cases += [pytest.param(p, id=f"project/{p.name}") for p in _copybooks(COPYBOOKS) if p.parent == COPYBOOKS]
    cases += [pytest.param(p, id=f"conformance/{p.relative_to(COBRIX)}") for p in _cobrix()]
    return cases


CASES = _cases()


def _layout(path: Path):
    return load_copybook(path, include_dirs=[path.parent / "include"] if (path.parent / "include").is_dir() else [])


def test_the_corpus_holds_forty_real_copybooks_or_more():
    assert len(_copybooks(CORPUS)) >= 40


def test_every_corpus_copybook_is_listed_in_sources():
    sources = (ROOT / "tests" / "corpus" / "SOURCES.md").read_text()
    missing = [str(p.relative_to(CORPUS)) for p in _copybooks(CORPUS) if f"`{p.relative_to(CORPUS)}`" not in sources]
    assert missing == []


def test_the_cobrix_corpus_is_present_when_ci_is_true():
    if not IN_CI and not COBRIX.is_dir():
        pytest.skip(f"no Cobrix corpus at {COBRIX} (outside CI)")
    assert (COBRIX / "cases.json").is_file(), f"the Cobrix conformance corpus is missing at {COBRIX}"


JSON_FORMATS = ("layout-json", "json-schema", "avro")


@pytest.mark.parametrize("path", CASES)
def test_schema_renders_in_every_format(path: Path):
    layout = _layout(path)
    named = [f.name for r in layout.records for f in r.elementary() if not f.is_filler]
    for fmt in FORMATS:
        text = render_schema(layout, fmt)
        if fmt in JSON_FORMATS:
            json.loads(text)
        if named:  # every format names the items (SQL and Avro spell '-' as '_')
            assert named[0].replace("_", "-") in text.upper().replace("_", "-"), fmt


@pytest.mark.parametrize("path", CASES)
def test_fake_then_roundtrip_is_byte_identical_with_default_options(path: Path):
    layout = _layout(path)
    out = io.BytesIO()
    summary = fake_file(layout, RECORDS, out)
    assert summary.records == RECORDS
    result = round_trip(out.getvalue(), layout, trim="none")
    assert result.records == RECORDS
    assert result.identical, (result.first_difference, result.framing_difference)


@pytest.mark.parametrize("name", ["carddemo/CVEXPORT.cpy", "cobrix/test2_copybook.cob", "carddemo/CVTRA07Y.cpy"])
def test_fake_roundtrip_and_schema_through_the_cli(name: str, tmp_path, capsys):
    from bridge.cli.main import main

    copybook = str(CORPUS / name)
    data = tmp_path / "fake.dat"
    assert main(["fake", "-c", copybook, "-n", "30", "-o", str(data)]) == 0
    assert "30 records written" in capsys.readouterr().err
    assert main(["roundtrip", str(data), "-c", copybook]) == 0
    assert "30 records, byte-identical" in capsys.readouterr().out
    assert main(["schema", copybook, "--format", "json-schema"]) == 0
    assert '"type"' in capsys.readouterr().out


SEGMENTED = {
    "cobrix/test17_hierarchical.cob": ("SEGMENT-ID", {"1": "COMPANY", "2": "DEPT", "3": "EMPLOYEE", "4": "OFFICE",
                                                      "5": "CUSTOMER", "6": "CONTACT", "7": "CONTRACT"}),
    "carddemo/CVEXPORT.cpy": ("EXPORT-REC-TYPE", {"C": "EXPORT-CUSTOMER-DATA", "A": "EXPORT-ACCOUNT-DATA",
                                                  "T": "EXPORT-TRANSACTION-DATA", "X": "EXPORT-CARD-XREF-DATA",
                                                  "D": "EXPORT-CARD-DATA"}),
    "carddemo/AUDITLOG.cpy": ("AUDIT-LOG-TYPE", {"C": "AUDIT-CUSTOMER-DATA", "A": "AUDIT-ACCOUNT-DATA",
                                                 "T": "AUDIT-TRANSACTION-DATA"}),
    "cobrix/test11_copybook.cob": ("SEGMENT-ID", {"S01L1": "STATIC-DETAILS", "S01L2": "CONTACTS"}),
}


@pytest.mark.parametrize("name", sorted(SEGMENTED))
def test_every_segment_map_type_is_faked_and_round_trips(name: str):
    field, mapping = SEGMENTED[name]
    layout = _layout(CORPUS / name)
    out = io.BytesIO()
    summary = fake_file(layout, RECORDS, out, segment_field=field, segment_map=mapping)
    assert sorted(summary.per_type) == sorted(mapping.values()) and min(summary.per_type.values()) >= 1
    result = round_trip(out.getvalue(), layout, trim="none", segment_field=field, segment_map=mapping)
    assert result.records == RECORDS and result.identical, (result.first_difference, result.framing_difference)
