"""The small paths of the encode kernels a small scoring run calls give what the compiled kernels give.

A ten-record `mfbridge score` writes its outputs without numba (issue 10): zoned numbers through
`zoned._encode_narrow` (checked by `numeric._any_violation`) and text through
`alphanumeric._encode_rows`, each running its own Python on at most `jit.SMALL_ROWS` rows.
Random arguments are run through the kernels in a fresh process (small paths, numba never
imported) and here (compiled), and every output array must agree byte for byte.
"""
from __future__ import annotations

import pickle

import numpy as np

from bridge.codec import jit
from tests.codec.test_jit import _in_fresh_process

CASES = 40


def _zoned_cases(rng: np.random.Generator) -> list[tuple]:
    cases = []
    for _ in range(CASES):
        n = int(rng.integers(0, jit.SMALL_ROWS + 1))
        ndig = int(rng.integers(1, 19))
        big = np.iinfo(np.int64).max
        values = np.where(rng.random(n) < 0.7, rng.integers(-10**ndig, 10**ndig, n, dtype=np.int64),
                          rng.integers(-big, big, n, dtype=np.int64))
        if n:
            values[0] = np.iinfo(np.int64).min if rng.random() < 0.2 else values[0]
        sep = int(rng.choice([-1, ndig]))
        sign_at = int(rng.choice([-1, 0, ndig - 1]))
        width = ndig + (sep >= 0)
        out_rows = rng.permutation(n).astype(np.int64) if rng.random() < 0.5 else np.zeros(0, np.int64)
        cases.append((values, np.uint64(10**ndig), 0, ndig, sign_at, sep, 0x4E, 0x60, bool(rng.random() < 0.7),
                      np.arange(0xF0, 0xFA, dtype=np.uint8), np.arange(0xC0, 0xCA, dtype=np.uint8),
                      np.arange(0xD0, 0xDA, dtype=np.uint8), np.zeros((n, width), np.uint8), out_rows,
                      np.zeros(n, np.bool_), np.zeros(n, np.bool_)))
    return cases


def _text_cases(rng: np.random.Generator) -> list[tuple]:
    from bridge.codec.codepage import codepage

    page = codepage("cp037")
    alphabet = list("ABCXYZ az09-+.,'") + ["é", "ß", "€", "中", "😀", "¬"]
    cases = []
    for _ in range(CASES):
        n = int(rng.integers(0, jit.SMALL_ROWS))
        width = int(rng.integers(1, 9))
        texts = ["".join(rng.choice(alphabet, int(rng.integers(0, width + 3)))) for _ in range(n)]
        data = [t.encode("utf-8") for t in texts]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(d) for d in data], out=offsets[1:])
        cases.append((np.frombuffer(b"".join(data) or b"\0", np.uint8).copy(), offsets, rng.random(n) < 0.9,
                      page.encode_table, page.space, width, bool(rng.random() < 0.3), bool(rng.random() < 0.5),
                      np.zeros((n, width), np.uint8), np.zeros(3, np.int64)))
    return cases


def _run(cases: dict[str, list[tuple]]) -> dict[str, list]:
    from bridge.codec import alphanumeric, numeric, zoned

    kernels = {"zoned": zoned._encode_narrow, "text": alphanumeric._encode_rows}
    out: dict[str, list] = {"violations": [numeric._any_violation(c[0], c[1], c[8]) for c in cases["zoned"]]}
    for name, kernel in kernels.items():
        results = []
        for args in cases[name]:
            args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
            kernel(*args)
            results.append([a for a in args if isinstance(a, np.ndarray)])
        out[name] = results
    return out


def test_the_encode_kernels_small_paths_write_what_the_compiled_kernels_write(tmp_path):
    rng = np.random.default_rng(10)
    cases = {"zoned": _zoned_cases(rng), "text": _text_cases(rng)}
    script = """
        import pickle, sys
        from tests.codec.test_jit_encode import _run
        out = _run(pickle.loads(open({src!r}, "rb").read()))
        open({dst!r}, "wb").write(pickle.dumps(out))
        print("numba-loaded" if "numba" in sys.modules else "numba-not-loaded")
    """
    small = _in_fresh_process(script, pickle.dumps(cases), tmp_path)
    jit.activate()
    compiled = _run(cases)
    assert small["violations"] == [bool(v) for v in compiled["violations"]]
    assert any(small["violations"]) and not all(small["violations"])
    for name in ("zoned", "text"):
        assert len(small[name]) == len(compiled[name]) == CASES
        for got, want in zip(small[name], compiled[name]):
            for a, b in zip(got, want):
                np.testing.assert_array_equal(a, b)
    assert any(r[-1][0] for r in compiled["text"]) and any(not r[-1][0] for r in compiled["text"])
