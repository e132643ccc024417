"""The native kernels (`bridge.codec.native`) give what numba gives, and are kept only when safe.

Random batches (valid records with bytes overwritten by digits, signs, spaces and junk) are
decoded and written back with the native kernels and with numba, and must agree byte for byte;
a second process scores a file without loading numba and writes the bytes the first wrote; a
damaged cache is rebuilt; a kernel that can raise or allocate is left out.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pyarrow as pa
import pytest

import bridge
from bridge.codec import jit, native
from bridge.codec.jit import njit
from tests.codec.test_jit import COPYBOOK
from tests.conftest import COPYBOOKS, ROOT

NATIVE_KERNELS = {"bridge.codec.packed._decode_columns", "bridge.codec.zoned._decode_columns",
                  "bridge.codec.binary._decode_columns", "bridge.codec.alphanumeric._translate"}


def _junk_file(layout, tmp_path, seed: int, n: int):
    from bridge.testing import fake_table

    rng = np.random.default_rng(seed)
    length = layout.record().length
    path = tmp_path / f"r{seed}.dat"
    bridge.write_records(fake_table(layout, n, seed=seed), path, layout)
    matrix = np.frombuffer(path.read_bytes(), np.uint8).reshape(n, length).copy()
    special = np.frombuffer(b"\x40\x00\xff\xf0\xf9\xc0\xd0\xc1\xd9\x4e\x60\x0c\x0d\x0f\x7b\x7d", np.uint8)
    hits = rng.random(matrix.shape) < rng.choice([0.0, 0.02, 0.1, 0.4])
    junk = np.where(rng.random(matrix.shape) < 0.6, rng.choice(special, matrix.shape),
                    rng.integers(0, 256, matrix.shape, dtype=np.uint8)).astype(np.uint8)
    matrix[hits] = junk[hits]
    path.write_bytes(matrix.tobytes())
    return path


def _native_in_use() -> set[str]:
    ids = {id(k): f"{k.__module__}.{k.__qualname__}" for k in jit._kernels}
    return {ids[slot[0]] for slot, fn in native._loaded.items() if fn is not None and slot[0] in ids}


def _both(monkeypatch, work):
    """``work()`` with numba's kernels, then with the native ones (built by a first run if needed)."""
    monkeypatch.setenv("MFBRIDGE_NATIVE_KERNELS", "0")
    with_numba = work()
    monkeypatch.setenv("MFBRIDGE_NATIVE_KERNELS", "1")
    work()                      # builds what is not built yet (the calls themselves run in numba)
    return with_numba, work()


@pytest.fixture(scope="module")
def layout():
    return bridge.compile_copybook(COPYBOOK)


@pytest.mark.parametrize("seed", range(6))
def test_native_kernels_decode_junk_and_encode_records_as_numba_does(layout, tmp_path, monkeypatch, seed):
    from bridge.records.api import read_table
    from bridge.testing import fake_table

    n = jit.SMALL_ROWS + 1 + 37 * seed
    path = _junk_file(layout, tmp_path, seed, n)
    valid = fake_table(layout, n, seed=100 + seed)

    def work():
        table, summary = read_table(path, layout, trim=["right", "both", "left", "none"][seed % 4])
        out = tmp_path / f"w{seed}.{os.environ['MFBRIDGE_NATIVE_KERNELS']}.dat"
        bridge.write_records(valid, out, layout)
        return table, dict(summary.invalid), out.read_bytes()

    with_numba, with_native = _both(monkeypatch, work)
    assert with_native[0].equals(with_numba[0])
    assert with_native[1:] == with_numba[1:]
    assert NATIVE_KERNELS <= _native_in_use()


def test_scoring_with_native_kernels_writes_the_bytes_numba_writes(tmp_path, monkeypatch):
    from bridge.score.file import score_file
    from bridge.testing import fake_table

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    source = tmp_path / "c.dat"
    bridge.write_records(fake_table(layout, 3000, seed=5), source, layout)
    model = ROOT / "models" / "customer-risk"

    def work():
        out = tmp_path / f"s{os.environ['MFBRIDGE_NATIVE_KERNELS']}.dat"
        out.unlink(missing_ok=True)
        score_file(source, out, layout, model)
        return out.read_bytes()

    with_numba, with_native = _both(monkeypatch, work)
    assert with_native == with_numba
    assert {"bridge.codec.zoned._encode_narrow", "bridge.records.patch._code_rows"} <= _native_in_use()


def test_a_second_process_scores_without_loading_numba(tmp_path):
    from bridge.testing import fake_table

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    source = tmp_path / "c.dat"
    bridge.write_records(fake_table(layout, 2000, seed=9), source, layout)
    model = ROOT / "models" / "customer-risk"   # with reason codes for ~10%: TreeSHAP's kernels too
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        import bridge
        from bridge.score.file import score_file
        layout = bridge.load_copybook({str(COPYBOOKS / "customer.cpy")!r})
        score_file(Path({str(source)!r}), Path(sys.argv[1]), layout, Path({str(model)!r}))
        print("numba-loaded" if "numba" in sys.modules else "numba-not-loaded")
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT), MFBRIDGE_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("MFBRIDGE_NATIVE_KERNELS", None)
    runs = [subprocess.run([sys.executable, "-c", script, str(tmp_path / f"o{i}.dat")], capture_output=True,
                           text=True, timeout=600, env=env) for i in range(2)]
    for done in runs:
        assert done.returncode == 0, done.stderr[-3000:]
    assert runs[0].stdout.split()[-1] == "numba-loaded"       # the first builds the kernels
    assert runs[1].stdout.split()[-1] == "numba-not-loaded"   # the second only loads them
    assert (tmp_path / "o1.dat").read_bytes() == (tmp_path / "o0.dat").read_bytes()


# -- what is kept, and what is trusted ------------------------------------------------------------

@njit(cache=False, native=True)
def _raises(values, out):
    for i in range(values.shape[0]):
        if values[i] < 0:
            raise ValueError("negative")
        out[i] = values[i] * 2


@njit(cache=False, native=True)
def _allocates(values, out):
    scratch = np.empty(values.shape[0], np.int64)
    for i in range(values.shape[0]):
        scratch[i] = values[i] + 1
    out[:] = scratch


@njit(cache=False, native=True)
def _divides(values, d, out):
    for i in range(values.shape[0]):
        out[i] = values[i] // d      # python's error model: raises for d == 0


@njit(cache=False, native=True)
def _doubles(values, out):
    for i in range(values.shape[0]):
        out[i] = values[i] * 2
    return values.shape[0]


@njit(cache=False, native=True)
def _mistyped(values, out):
    out[0] = "text"              # numba cannot compile this: no native form, no crash


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MFBRIDGE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(native, "_loaded", {})
    jit.activate()
    return tmp_path / "kernels"


@pytest.mark.parametrize("kernel, args", [
    (_raises, (np.arange(5), np.zeros(5, np.int64))),
    (_allocates, (np.arange(5), np.zeros(5, np.int64))),
    (_divides, (np.arange(5), 3, np.zeros(5, np.int64))),
], ids=["raises", "allocates", "divides"])
def test_a_kernel_that_could_fail_is_left_out_and_not_built_again(cache, kernel, args):
    assert native.build(kernel, args) is None
    assert len(list(cache.glob("*.kernel"))) == 1       # the record that it is left out
    native._loaded.clear()
    assert native.lookup(kernel, args) is None
    assert native._loaded                               # found as left out: not looked up again


def test_a_kernel_that_cannot_fail_is_built_and_returns_its_value(cache):
    values, out = np.arange(7), np.zeros(7, np.int64)
    fn = native.build(_doubles, (values, out))
    assert fn is not None and fn(values, out) == 7
    assert out.tolist() == [2 * v for v in range(7)]


def test_a_damaged_cache_file_is_ignored_and_rebuilt(cache):
    values, out = np.arange(7), np.zeros(7, np.int64)
    native.build(_doubles, (values, out))
    (path,) = cache.glob("*.kernel")
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF                                  # a flipped bit in the machine code
    path.write_bytes(bytes(data))
    native._loaded.clear()
    assert native.lookup(_doubles, (values, out)) is None
    assert native.build(_doubles, (values, out))(values, out) == 7
    native._loaded.clear()
    assert native.lookup(_doubles, (values, out)) is not None


def test_a_cache_folder_others_may_write_is_not_read(cache):
    values, out = np.arange(7), np.zeros(7, np.int64)
    native.build(_doubles, (values, out))
    cache.chmod(0o777)
    native._loaded.clear()
    assert native.lookup(_doubles, (values, out)) is None


def test_arrays_without_a_native_form_go_to_numba(cache):
    strided = np.arange(20)[::2]
    assert native.signature((strided, np.zeros(10))) is None
    assert native.signature((np.arange(3).astype(">i8"),)) is None
    assert native.signature((np.arange(3), [1, 2])) is None
    assert native.signature((np.arange(3), True, 5, 2.5, np.uint64(3))) == (
        ("a", np.dtype(np.int64).char, 1), ("s", "?"), ("s", "q"), ("s", "d"), ("s", np.dtype(np.uint64).char))


def test_a_cache_file_naming_an_entry_point_its_code_lacks_is_not_loaded(cache):
    values, out = np.arange(7), np.zeros(7, np.int64)
    native.build(_doubles, (values, out))
    (path,) = cache.glob("*.kernel")
    key, name, restype, obj = native._read_parts(path)
    native._write(key, name + "_elsewhere", restype, obj)     # a whole file, with its checksum
    native._loaded.clear()
    assert native.lookup(_doubles, (values, out)) is None


def test_a_kernel_numba_cannot_compile_gets_no_native_form_and_no_error(cache):
    assert native.build(_mistyped, (np.arange(3), np.zeros(3))) is None
    assert native.build(_mistyped, (np.arange(3), np.zeros(3))) is None   # tried once per process


def test_a_native_call_that_reaches_the_error_path_raises_instead_of_returning(cache, monkeypatch):
    monkeypatch.setattr(native, "_can_fail", lambda ir: False)    # keep a kernel that can raise
    values, out = np.array([1, 2, -3]), np.zeros(3, np.int64)
    fn = native.build(_raises, (values, out))
    assert fn is not None
    assert fn(np.array([1, 2]), np.zeros(2, np.int64)) is None   # no error: no flag
    with pytest.raises(RuntimeError, match="native form of kernel _raises failed"):
        fn(values, out)
