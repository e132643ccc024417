"""The JCL, REXX and scripts of the mainframe side, as shipped: linted as cards, quoted whole in docs/zos.md."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bridge.pipeline.status import Outcome, status_text
from tests.conftest import ROOT
from tests.docs.jcl_lint import jcl_blocks, lint_jcl, lint_rexx

MEMBERS = ROOT / "examples" / "jcl"
JCL = sorted(MEMBERS.glob("*.jcl"))
REXX = sorted(MEMBERS.glob("*.rexx"))
DOC_BLOCKS = [(doc, line, block) for doc in sorted((ROOT / "docs").glob("*.md"))
              for line, block in jcl_blocks(doc.read_text(encoding="utf-8"))]


def report(findings) -> str:
    return "\n".join(map(str, findings))


@pytest.mark.parametrize("member", JCL, ids=lambda p: p.name)
def test_every_jcl_member_passes_the_card_lint(member):
    findings = lint_jcl(member.read_text(encoding="utf-8"), member.name)
    assert findings == [], report(findings)


@pytest.mark.parametrize("doc,line,block", DOC_BLOCKS, ids=[f"{d.name}:{n}" for d, n, _ in DOC_BLOCKS])
def test_every_jcl_block_in_the_docs_passes_the_card_lint(doc, line, block):
    findings = lint_jcl(block, f"{doc.name}:{line}", job=False)
    assert findings == [], report(findings)


@pytest.mark.parametrize("member", REXX, ids=lambda p: p.name)
def test_every_rexx_member_passes_the_card_lint(member):
    findings = lint_rexx(member.read_text(encoding="utf-8"), member.name)
    assert findings == [], report(findings)


def test_the_members_the_docs_promise_are_there():
    names = {p.name for p in MEMBERS.iterdir()}
    assert {"DEFGDG.jcl", "SENDEXT.jcl", "GETSCORE.jcl", "RCSTATUS.rexx", "SENDCOZ.jcl", "GETCOZ.jcl",
            "SENDFTP.jcl", "sendext.sh", "getfile.sh"} <= names


@pytest.mark.parametrize("member", sorted(MEMBERS.iterdir()), ids=lambda p: p.name)
def test_docs_zos_quotes_the_member_whole(member):
    zos = (ROOT / "docs" / "zos.md").read_text(encoding="utf-8")
    assert member.read_text(encoding="utf-8").rstrip("\n") + "\n```" in zos


def test_every_jcl_member_is_named_by_its_job_card():
    for member in JCL:
        first = member.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first.startswith(f"//{member.stem:<8} JOB "), member.name


def rcstatus_table() -> str:
    """RCSTATUS's ASCII-to-EBCDIC table, built as the exec builds it from its overlay() lines."""
    source = (MEMBERS / "RCSTATUS.rexx").read_text(encoding="utf-8")
    table = ["?"] * 256
    overlays = re.findall(r"tab = overlay\('([^']*)', tab, c2d\('([0-9A-F]{2})'x\) \+ 1\)", source)
    assert len(overlays) >= 7
    for chars, start in overlays:
        for offset, char in enumerate(chars):
            table[int(start, 16) + offset] = char
    return "".join(table)


def test_rcstatus_maps_each_ascii_byte_it_knows_to_the_same_character():
    table = rcstatus_table()
    known = [i for i, c in enumerate(table) if c != "?"]
    assert [chr(i) for i in known] == [table[i] for i in known]
    assert set("RC=0123456789-.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") <= {chr(i) for i in known}


def test_rcstatus_reads_the_rc_and_keys_of_a_real_status_file():
    raw = status_text("CUSTEXT.D261126.dat", "CUSTEXT.D261126.SCORED.dat",
                      Outcome(rc=4, records_in=3, scored=2, rejected=1, model_id="CUSTRISK",
                              message="2 of 3 records scored, 1 not scored (50% <ok>)"))
    table = rcstatus_table()
    lines = ["".join(table[b] for b in line) for line in raw.split(b"\n") if line]
    assert lines[0] == "RC=0004"
    assert [line.split("=", 1)[0] for line in lines] == ["RC", "INPUT", "OUTPUT", "RECORDS-IN", "SCORED",
                                                          "REJECTED", "MODEL-ID", "MESSAGE"]
    assert lines[2] == "OUTPUT=CUSTEXT.D261126.SCORED.dat"
    assert lines[7] == "MESSAGE=2 of 3 records scored, 1 not scored (50? ?ok?)"


def test_rcstatus_never_exits_20_which_irxjcl_cannot_tell_from_its_own_failure():
    source = (MEMBERS / "RCSTATUS.rexx").read_text(encoding="utf-8")
    assert sorted(set(re.findall(r"\bexit (\w+)", source))) == ["16", "code"]
    assert "code > 4095" in source


def test_the_scripts_the_jcl_runs_are_the_scripts_the_integration_tests_run():
    stand_ins = ROOT / "tests" / "integration" / "jcl"
    assert "examples/jcl/sendext.sh" in (stand_ins / "send_extract.sh").read_text()
    assert "examples/jcl/getfile.sh" in (stand_ins / "receive_scored.sh").read_text()
    for member, script in (("SENDEXT.jcl", "sendext.sh"), ("GETSCORE.jcl", "getfile.sh")):
        assert f"PARM='SH /u/xfer/bin/{script}'" in (MEMBERS / member).read_text()


def test_the_sending_script_creates_the_trigger_it_puts_issue_9():
    script = (MEMBERS / "sendext.sh").read_text()
    assert ': > "$trigger"' in script
    assert script.index(': > "$trigger"') < script.index("put $trigger $XFER_NAME.trg")


def test_no_sample_uses_z_os_cp_on_a_generation_or_ls_plus_issue_9():
    texts = [p.read_text(encoding="utf-8") for p in [*MEMBERS.iterdir(), ROOT / "docs" / "batch-job.md"]]
    for text in texts:
        assert not re.search(r"\bcp\s+\"?//", text)
        assert "ls /+" not in text
