"""Codec benchmark on the CUSTOMER-REC layout of issue 3 (85-byte records, cp037).

Measures, in one run and next to the baseline `bytes.translate` over the whole file with a
256-byte table (touching every byte once):

* ``read_records(path, layout)`` with default options (all columns, strings right-trimmed,
  exact decimals, the file read included) → DataFrame;
* decode to Parquet (``mfbridge decode --to parquet`` path: iter_batches + ParquetWriter);
* encode a DataFrame into a new file (``write_records``);
* patch one field into the original records (``patch_records``, what scoring does).

Reports records/s, MB/s and the share of the baseline, best of ``--repeat`` runs. Targets
(issue 3): read at >= 30% of the baseline, patch at >= 50%. Optional ``--streaming-gb``
measures the peak RSS of a streaming decode of a file of that size (target: under 1 GB for 1 GB).

    .venv/bin/python bench/bench_codec.py --records 1000000
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

HERE = Path(__file__).resolve().parent


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--streaming-gb", type=float, default=0.0,
                    help="also measure peak memory of a streaming decode of a file this large")
    args = ap.parse_args()

    import bridge
    from bridge.records.api import iter_batches, patch_records, read_records, write_records
    from bridge.testing import fake_table

    layout = bridge.load_copybook(HERE / "custrec.cpy")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "custrec.dat"
        table = fake_table(layout, min(args.records, 200_000), seed=42)
        chunk = Path(tmp) / "chunk.dat"
        write_records(table, chunk, layout)
        data = chunk.read_bytes()
        reps, rest = divmod(args.records, table.num_rows)
        with open(path, "wb") as fh:
            for _ in range(reps):
                fh.write(data)
            fh.write(data[: rest * 85])
        size = path.stat().st_size
        n = size // 85
        mb = size / 1e6

        table_cp = bytes(range(256)).decode("cp037").encode("latin-1", "replace")
        trans = bytes.maketrans(bytes(range(256)), table_cp)

        def baseline():
            path.read_bytes().translate(trans)

        df_holder = {}

        def read():
            df_holder["df"] = read_records(path, layout)

        def to_parquet():
            import pyarrow.parquet as pq
            out = Path(tmp) / "out.parquet"
            writer = None
            for b in iter_batches(path, layout):
                if writer is None:
                    writer = pq.ParquetWriter(out, b.table.schema)
                writer.write_table(b.table)
            writer.close()

        read()  # warm-up: numba kernels compiled / loaded from cache
        df = df_holder["df"]

        def encode():
            write_records(df, Path(tmp) / "enc.dat", layout)

        # the new SCORE values, as the scorer hands them over: one decimal column per batch
        from bridge.testing import decimal_array
        import numpy as np
        new_scores = decimal_array(np.arange(65536, dtype=np.int64) % 10000, 5, 4)

        def patch():
            patch_records(path, Path(tmp) / "patched.dat", layout,
                          lambda b: pa.table({"SCORE": new_scores.slice(0, b.table.num_rows)}), columns=["SCORE"])

        results = [("bytes.translate baseline", best(baseline, args.repeat))]
        results.append(("read_records -> DataFrame", best(read, args.repeat)))
        results.append(("decode -> Parquet", best(to_parquet, args.repeat)))
        results.append(("write_records (encode)", best(encode, args.repeat)))
        results.append(("patch_records (one field)", best(patch, args.repeat)))
        base = results[0][1]
        print(f"{n:,} records, {mb:.1f} MB, best of {args.repeat}")
        print(f"{'step':<28} {'seconds':>8} {'records/s':>12} {'MB/s':>8} {'of baseline':>12}")
        for name, t in results:
            print(f"{name:<28} {t:8.3f} {n / t:12,.0f} {mb / t:8.1f} {base / t:11.0%}")

        if args.streaming_gb:
            big = Path(tmp) / "big.dat"
            target = int(args.streaming_gb * 1e9)
            with open(big, "wb") as fh:
                while fh.tell() < target:
                    fh.write(data)
            # the child's own peak: VmHWM belongs to its fresh address space, whereas Linux carries
            # ru_maxrss over from the forked parent (this process, holding the DataFrame) across exec
            code = ("import resource, bridge, sys\n"
                    "from bridge.records.api import iter_batches\n"
                    f"l = bridge.load_copybook({str(HERE / 'custrec.cpy')!r})\n"
                    f"n = sum(b.table.num_rows for b in iter_batches({str(big)!r}, l))\n"
                    "try:\n"
                    "    peak = next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM:'))\n"
                    "except OSError:\n"
                    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
                    "print(n, peak)\n")
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            count, rss_kb = out.split()
            print(f"streaming decode of {big.stat().st_size / 1e9:.2f} GB ({int(count):,} records): "
                  f"peak RSS {int(rss_kb) / 1e6:.2f} GB")


if __name__ == "__main__":
    main()
