"""The small paths of `bridge.codec.jit` give what the compiled kernels give.

A batch of at most `SMALL_ROWS` records, decoded in a process that has not loaded numba, takes
the kernels' small paths (their Python, or numpy). Random batches (valid records with bytes
overwritten by digits, signs, spaces and junk) are decoded field by field in a fresh process
(small paths, numba never imported) and here (compiled), and must agree value for value and
invalid flag for invalid flag; so must the JSON lines of every fixture.
"""
from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

import bridge
from bridge.codec import jit
from bridge.codec.column import decode_column
from bridge.codec.options import CodecOptions
from tests.conftest import ROOT

COPYBOOK = """\
       01 REC.
          05 Z1 PIC 9(5).
          05 Z2 PIC S9(7)V99.
          05 Z3 PIC S9(4) SIGN LEADING SEPARATE.
          05 Z4 PIC S9(4) SIGN TRAILING SEPARATE.
          05 Z5 PIC S9(3) SIGN LEADING.
          05 Z6 PIC 9(18).
          05 Z7 PIC 9(4) BLANK WHEN ZERO.
          05 Z8 PIC S9(18).
          05 P1 PIC S9(7)V99 COMP-3.
          05 P2 PIC 9(4) COMP-3.
          05 P3 PIC S9(18) COMP-3.
          05 P4 PIC S9(1) COMP-3.
          05 B1 PIC S9(4) COMP.
          05 B2 PIC 9(9) COMP.
          05 B3 PIC S9(18) COMP.
          05 B4 PIC S9(9) COMP-5.
          05 B5 PIC 9(4) BINARY.
          05 B6 PIC S9(2) COMP.
          05 A1 PIC X(12).
          05 A2 PIC X(1).
          05 A3 PIC X(7).
"""
CASES = 60
OPTIONS = [CodecOptions(codepage=cp, trim=trim) for cp in ("cp037", "cp1047", "ascii")
           for trim in ("right", "both", "left", "none")]


def _batches(layout) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(options index, matrix, avail) for random batches of 1 to SMALL_ROWS records."""
    from bridge.testing import fake_table

    rng = np.random.default_rng(20261202)
    length = layout.record().length
    out = []
    special = np.frombuffer(b"\x40\x00\xff\xf0\xf9\xc0\xd0\xc1\xd9\x4e\x60\x2b\x2d\x30\x39\x0c\x0d\x0f\x20\x7b\x7d",
                            np.uint8)
    for case in range(CASES):
        n = int(rng.integers(1, jit.SMALL_ROWS + 1))
        table = fake_table(layout, n, seed=case)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "r.dat"
            bridge.write_records(table, path, layout)
            matrix = np.frombuffer(path.read_bytes(), np.uint8).reshape(n, length).copy()
        hits = rng.random(matrix.shape) < rng.choice([0.0, 0.02, 0.1, 0.4])
        junk = np.where(rng.random(matrix.shape) < 0.6, rng.choice(special, matrix.shape),
                        rng.integers(0, 256, matrix.shape, dtype=np.uint8)).astype(np.uint8)
        matrix[hits] = junk[hits]
        avail = rng.integers(-2, 14, n) if rng.random() < 0.3 else None
        out.append((int(rng.integers(len(OPTIONS))), matrix, avail))
    return out


def _decoded(layout, batches) -> list:
    rec = layout.record()
    result = []
    for opt, matrix, avail in batches:
        for f in rec.fields:
            if f.kind.name == "GROUP":
                continue
            kw = {"avail": avail} if f.name.startswith("A") and avail is not None else {}
            col = decode_column(matrix, f.offset, f, OPTIONS[opt], **kw)
            result.append((f.name, col.array.to_pylist(), col.invalid.tolist()))
    return result


@pytest.fixture(scope="module")
def layout():
    return bridge.compile_copybook(COPYBOOK)


def _in_fresh_process(script: str, payload: bytes, tmp_path) -> object:
    src = tmp_path / "in.pickle"
    dst = tmp_path / "out.pickle"
    src.write_bytes(payload)
    code = textwrap.dedent(script).format(src=str(src), dst=str(dst))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": str(ROOT)}, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-1] == "numba-not-loaded", done.stdout[-500:]
    return pickle.loads(dst.read_bytes())


def test_small_batches_decode_as_the_compiled_kernels_do(layout, tmp_path):
    batches = _batches(layout)
    script = """
        import pickle, sys
        import bridge
        from tests.codec.test_jit import COPYBOOK, _decoded
        batches = pickle.loads(open({src!r}, "rb").read())
        out = _decoded(bridge.compile_copybook(COPYBOOK), batches)
        open({dst!r}, "wb").write(pickle.dumps(out))
        print("numba-loaded" if "numba" in sys.modules else "numba-not-loaded")
    """
    small = _in_fresh_process(script, pickle.dumps(batches), tmp_path)
    jit.activate()
    compiled = _decoded(layout, batches)
    assert len(small) == len(compiled) > CASES * 15
    for got, want in zip(small, compiled):
        assert got == want, got[0]


def test_small_files_write_the_json_lines_the_compiled_kernels_write(tmp_path):
    from bridge.cli.main import main

    fixtures = ROOT / "fixtures"
    # the fixtures whose codecs all have small paths (policy has COMP-1/COMP-2, transactions RDWs)
    cases = [("customer.cp037.dat", "customer.cpy", []), ("payments.fb.dat", "payments.cpy", []),
             ("payments.fb.dat", "payments.cpy", ["--to", "jsonl", "--skip", "3", "--trim", "both"])]
    args = [["decode", str(fixtures / data), "-c", str(ROOT / "copybooks" / cpy), *extra, "--limit", "40",
             "-o", str(tmp_path / f"{i}.{data}.small.jsonl")] for i, (data, cpy, extra) in enumerate(cases)]
    script = """
        import pickle, sys
        from bridge.cli.main import main
        rcs = [main(a) for a in pickle.loads(open({src!r}, "rb").read())]
        open({dst!r}, "wb").write(pickle.dumps(rcs))
        print("numba-loaded" if "numba" in sys.modules else "numba-not-loaded")
    """
    assert _in_fresh_process(script, pickle.dumps(args), tmp_path) == [0] * len(cases)
    jit.activate()
    for a in args:
        compiled = a[:-1] + [a[-1].replace(".small.", ".compiled.")]
        assert main(compiled) == 0
        small_text = (tmp_path / a[-1]).read_bytes()
        assert small_text and small_text == (tmp_path / compiled[-1]).read_bytes(), a[1]


def test_a_big_batch_loads_numba_and_every_kernel_becomes_its_dispatcher():
    from bridge.codec import zoned

    jit.activate()
    assert not isinstance(zoned._decode_narrow, jit.Kernel)
    assert type(zoned._decode_narrow).__module__.startswith("numba")
