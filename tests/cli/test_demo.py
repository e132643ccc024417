"""`bridge demo`: the README's first command, end to end on the bundled sample data."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bridge.cli.main import main


def test_demo_in_a_fresh_folder_scores_the_sample_and_shows_where_everything_is(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bridge.cli.main", "demo", "--records", "200"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    demo = tmp_path / "bridge-demo"
    out = done.stdout
    for line in (f"inbox:        {demo / 'inbox'}", f"outbox:       {demo / 'outbox'}",
                 f"archive:      {demo / 'inbox' / 'archive'}", f"journal:      {demo / '.bridge/demo/journal.sqlite'}",
                 "RC=0000", "RECORDS-IN=0000000200", "SCORED=0000000200", "MODEL-ID=CUSTRISK",
                 "pass return code: 0"):
        assert line in out
    assert "CUST-ID  SCORE SCORE-BAND REASON-CODE(1) MODEL-ID SCORE-STATUS" in out
    scored = [p.name for p in (demo / "outbox").iterdir()]
    assert len(scored) == 2 and any(n.endswith(".SCORED.dat") for n in scored)
    assert sorted(p.suffix for p in (demo / "inbox" / "archive").iterdir()) == [".dat", ".trg"]


def test_demo_prints_scored_records_with_a_score_band_and_model_id(tmp_path, capsys):
    assert main(["demo", "--dir", str(tmp_path / "d"), "--records", "20"]) == 0
    rows = capsys.readouterr().out.split("SCORE-STATUS\n")[1].splitlines()[:5]
    assert len(rows) == 5
    for row in rows:
        fields = row.split()
        assert 0.0 <= float(fields[1]) <= 1.0
        assert fields[-2:] == ["CUSTRISK", "00"]


def test_demo_rebuilds_its_own_folder(tmp_path, capsys):
    folder = tmp_path / "d"
    assert main(["demo", "--dir", str(folder), "--records", "10"]) == 0
    assert main(["demo", "--dir", str(folder), "--records", "10"]) == 0
    assert "RC=0000" in capsys.readouterr().out.split("pass return code: 0")[1]


def test_demo_refuses_a_folder_that_is_not_a_demo_folder(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("precious")
    assert main(["demo", "--dir", str(tmp_path)]) == 1
    assert "is not empty and is not a demo folder" in capsys.readouterr().err
    assert [p.name for p in Path(tmp_path).iterdir()] == ["mine.txt"]
