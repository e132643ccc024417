"""The batch job end to end over loopback SFTP, next to the scoring step alone on the same file.

Run: ``.venv/bin/python bench/bench_sftp_drop.py [--records N]`` (default 1,000,000 CUSTOMER-REC
records, 117 MB in cp037). It starts the test rig's OpenSSH sshd on 127.0.0.1 (tests/integration/
sshd_server.py), drops the extract over SFTP with its trigger as the JCL step would, then times
``mfbridge run --once`` (a subprocess: fetch, score, put, status, archive, journal) and, in the same
run, `score_for_job` on the same local file. The difference is what transfer and bookkeeping
add. Everything is written to a temporary directory and removed afterwards.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the sshd rig lives with the tests

from bridge.copybook import load_copybook  # noqa: E402
from bridge.pipeline.job import load_job  # noqa: E402
from bridge.pipeline.process import score_for_job  # noqa: E402
from bridge.records.api import write_records  # noqa: E402
from bridge.testing import fake_table  # noqa: E402
from bridge.transport import open_dropzone  # noqa: E402
from tests.integration.sshd_server import SshdServer  # noqa: E402

COPYBOOK = REPO / "copybooks" / "customer.cpy"
MODEL = REPO / "models" / "customer-risk"
NAME = "CUSTEXT.D261126.G0001.dat"


def _extract(path: Path, records: int) -> None:
    layout = load_copybook(COPYBOOK)
    table = fake_table(layout, records, seed=7)
    table = table.drop_columns([c for c in table.column_names if c.startswith(("SCORE", "REASON-CODE", "MODEL-ID"))])
    write_records(table, path, layout, codepage="cp037")


def _job(path: Path, server: SshdServer, inbox: Path, outbox: Path) -> None:
    path.write_text(f'''[job]
name = "bench"
copybook = "{COPYBOOK}"
model = "{MODEL}"
recfm = "FB"
codepage = "cp037"

[source]
kind = "sftp"
host = "{server.host}"
port = {server.port}
user = "{server.user}"
key_file = "{server.client_key}"
known_hosts = "{server.known_hosts}"
path = "{inbox}"
pattern = "CUSTEXT.*.dat"

[target]
path = "{outbox}"
''')


def main(records: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bridge-bench-") as tmp, SshdServer() as server:
        tmpdir = Path(tmp)
        local = tmpdir / NAME
        started = time.perf_counter()
        _extract(local, records)
        size = local.stat().st_size
        print(f"extract: {records:,} records, {size / 1e6:.1f} MB cp037 (made in {time.perf_counter() - started:.1f} s)")
        inbox, outbox = server.root / "inbox", server.root / "outbox"
        inbox.mkdir()
        outbox.mkdir()
        job_path = tmpdir / "job.toml"
        _job(job_path, server, inbox, outbox)
        job = load_job(job_path)

        started = time.perf_counter()
        score_for_job(job, local, tmpdir / "scored-alone.dat")
        alone = time.perf_counter() - started

        # the fixed cost of one run, whatever the file's size: interpreter start, imports, model and
        # compiled-kernel loading, SFTP login, journal; measured on a drop of 10 records
        tiny = tmpdir / "CUSTEXT.D261126.G0000.dat"
        tiny.write_bytes(local.read_bytes()[: 10 * 117])
        with open_dropzone(**server.connection(path=str(inbox))) as drop:
            drop.put(tiny, tiny.name)
            drop.put_bytes(b"", tiny.name + ".trg")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bridge.cli.main", "run", str(job_path), "--once"],
                       capture_output=True, text=True, cwd=REPO, env=dict(os.environ), check=True)
        fixed = time.perf_counter() - started

        started = time.perf_counter()
        with open_dropzone(**server.connection(path=str(inbox))) as drop:
            drop.put(local, NAME)
            drop.put_bytes(b"", NAME + ".trg")
        dropped = time.perf_counter() - started

        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "bridge.cli.main", "run", str(job_path), "--once"],
                              capture_output=True, text=True, cwd=REPO, env=dict(os.environ))
        end_to_end = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"mfbridge run --once ended with RC {done.returncode}:\n{done.stderr}")
        if os.environ.get("BENCH_VERBOSE"):
            print(done.stderr)
        scored = outbox / NAME.replace(".dat", ".SCORED.dat")
        assert scored.stat().st_size == size and (tmpdir / "scored-alone.dat").read_bytes() == scored.read_bytes()

        print(f"{'drop over SFTP (the JCL step)':<44} {dropped:7.2f} s {size / dropped / 1e6:8.1f} MB/s")
        print(f"{'scoring step alone (score_for_job)':<44} {alone:7.2f} s {records / alone / 1e6:8.2f} M records/s")
        print(f"{'mfbridge run --once end to end':<44} {end_to_end:7.2f} s {records / end_to_end / 1e6:8.2f} M records/s")
        print(f"{'mfbridge run --once on 10 records':<44} {fixed:7.2f} s   (fixed cost of a run: start, imports, "
              "model, login)")
        print(f"{'transfer + bookkeeping + fixed cost':<44} {end_to_end - alone:7.2f} s")
        print(f"{'transfer + bookkeeping (size-dependent)':<44} {end_to_end - alone - fixed:7.2f} s")
        print(f"ratio end to end / scoring alone: {end_to_end / alone:.2f}; without the fixed cost of a run: "
              f"{(end_to_end - fixed) / alone:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="CUSTOMER-REC records in the drop")
    main(parser.parse_args().records)
