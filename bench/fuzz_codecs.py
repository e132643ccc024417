"""Long fuzz run of the codecs through the records API (minutes, not CI).

    PYTHONPATH=. python bench/fuzz_codecs.py --minutes 5 [--seed 1] [--corpus DIR_OR_FILE ...]

Runs the same two cases as `tests/codec/test_fuzz.py` (`tests/codec/fuzz_cases.py`), drawing
inputs from Python's `random` instead of hypothesis so it can run for as long as asked:

* decode: random bytes, and mutations (bytes set to zone/sign/pad values, cut, grown,
  duplicated runs) of valid records and of any corpus files given, under every framing;
* encode: rows of wrong types, NaN, infinities, numbers beyond their PICTURE and beyond 76
  digits, long and non-encodable strings.

A case passes when it ends in a `BridgeError` or a correct result. Every other outcome is
printed with a one-line reproducer (`decode_case(...)` / `encode_case(...)`) to paste into a
regression test at the end of tests/codec/test_fuzz.py; the run exits 1 if there were any.
A case that runs longer than --case-seconds is reported as a hang.
"""
from __future__ import annotations

import argparse
import math
import random
import signal
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.codec.fuzz_cases import decode_case, encode_case, layout  # noqa: E402

FRAMINGS = [dict(recfm="F"), dict(recfm="FB", lrecl=40), dict(recfm="V"), dict(recfm="VB"), dict(recfm="TEXT"),
            dict(recfm="V", record="WITH-TABLE"), dict(recfm="F", record="WITH-TABLE"),
            dict(recfm="F", segment_field="NAME", segment_map={"A": "EVERY-CODEC", "B": "WITH-TABLE"}),
            dict(recfm="V", segment_field="QTY", segment_map={"1": "EVERY-CODEC", "002": "WITH-TABLE"}),
            dict(recfm="F", codepage="latin-1", dialect="gnucobol"), dict(recfm="F", on_invalid="error")]
SPECIAL = [0x00, 0x40, 0xFF, 0x0C, 0x0D, 0x0F, 0xF0, 0xF9, 0xC1, 0xD9, 0x4E, 0x60, 0x80, 0x7F, 0x10, 0x1C]
NUMBERS = [math.inf, -math.inf, math.nan, 2**63, -(2**63) - 1, 10**76, -(10**77), 2147483648, -1, 0, 0.1, -0.0,
           1e300, 5e-324, "Infinity", "NaN", "1e99999999", "-0", " 12 ", "", "abc", "1,5", "0x10", "1e-99999999"]
TEXTS = ["€", "ÄÖÜ", "😀", "\x00", " " * 8, "TOO LONG VALUE", "A", ""]
COLUMNS = ["NAME", "QTY", "AMT", "LEAD", "PKD", "PKD-EVEN", "WIDE", "HUGE", "HALF", "FULL", "NATIVE", "BIGBIN",
           "SINGLE", "DOUBLE", "EDITED", "CREDIT", "WIDE-NAME"]


class Hang(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise Hang()


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        if not out or op < 0.1:
            out += bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
        elif op < 0.6:
            out[rng.randrange(len(out))] = rng.choice(SPECIAL) if rng.random() < 0.6 else rng.randrange(256)
        elif op < 0.75:
            del out[rng.randrange(len(out)):][:rng.randint(1, 40)]
        elif op < 0.9:
            at = rng.randrange(len(out))
            out[at:at] = out[at:at + rng.randint(1, 40)]
        else:
            out = out[:rng.randrange(len(out) + 1)]
    return bytes(out)


def seed_records(rng: random.Random) -> bytes:
    record = rng.choice(["EVERY-CODEC", "WITH-TABLE"])
    body = b"\xF0" * layout().record(record).length
    count = rng.randint(1, 5)
    if rng.random() < 0.5:
        return body * count
    one = (len(body) + 4).to_bytes(2, "big") + b"\0\0" + body
    return one * count


def random_value(rng: random.Random):
    kind = rng.random()
    if kind < 0.1:
        return None
    if kind < 0.35:
        return rng.choice(NUMBERS)
    if kind < 0.55:
        return rng.randint(-10**rng.randint(1, 80), 10**rng.randint(1, 80))
    if kind < 0.7:
        return rng.uniform(-1e6, 1e6)
    if kind < 0.8:
        return rng.choice([True, False])
    if kind < 0.9:
        return rng.choice(TEXTS)
    return "".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randint(0, 12)))


def run(minutes: float, seed: int, corpus: list[bytes], case_seconds: int) -> int:
    rng = random.Random(seed)
    signal.signal(signal.SIGALRM, _alarm)
    deadline = time.monotonic() + 60 * minutes
    cases = failures = 0
    while time.monotonic() < deadline:
        cases += 1
        if rng.random() < 0.5:
            pool = corpus + [seed_records(rng)] if corpus else [seed_records(rng)]
            base = rng.choice(pool)
            data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400))) if rng.random() < 0.2 \
                else mutate(rng, base)
            options = dict(rng.choice(FRAMINGS))
            call, args = decode_case, (data, options)
        else:
            rows = [{rng.choice(COLUMNS): random_value(rng) for _ in range(rng.randint(1, 4))}
                    for _ in range(rng.randint(1, 4))]
            options = {"codepage": rng.choice(["cp037", "latin-1"])}
            call, args = encode_case, (rows, options)
        signal.alarm(case_seconds)
        try:
            call(*args)
        except Hang:
            failures += 1
            print(f"HANG > {case_seconds}s: {call.__name__}{args!r}", flush=True)
        except Exception as exc:  # noqa: BLE001 - the point is to catch what escapes
            failures += 1
            last = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"CRASH {type(exc).__name__}: {exc} at {last.filename}:{last.lineno}\n"
                  f"  reproduce: {call.__name__}{args!r}", flush=True)
        finally:
            signal.alarm(0)
    print(f"{cases} cases in {minutes} min, seed {seed}: {failures} failures")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--case-seconds", type=int, default=20, help="a case longer than this is a hang")
    parser.add_argument("--corpus", nargs="*", default=[], help="files (or folders of files) to mutate")
    args = parser.parse_args()
    corpus: list[bytes] = []
    for item in args.corpus:
        path = Path(item)
        for f in ([path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())):
            corpus.append(f.read_bytes()[:64_000])
    return run(args.minutes, args.seed, corpus, args.case_seconds)


if __name__ == "__main__":
    sys.exit(main())
