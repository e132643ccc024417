"""Dask benchmark: read and score throughput with 1 and 2 local workers against the single-process path,
and the cost of the V/VB record index pass against one sequential read of the file.

In one run, on the same CUSTOMER-REC file (117-byte records, cp037):

* ``read``: `bridge.read_records` into one DataFrame (baseline) against `bridge.dask.read_records`
  on a `distributed.LocalCluster` of 1 and 2 worker processes (one thread each), counting the
  rows of every partition on the workers (the frame is not gathered into the client);
* ``score``: `bridge.score.file.score_file` with the demo model (baseline) against
  `bridge.dask.score_file` on the same clusters, output assembled and byte-identical (checked);
* ``index``: the record index pass over the same records framed VB, without and with BDWs,
  against reading the file once in 4 MiB chunks.

Medians of ``--repeat`` rounds, the steps taking turns within a round. The cluster start-up
(about 2 s) is not timed; the first, warm-up round is not counted (workers compile kernels).

    .venv/bin/python bench/bench_dask.py --records 1000000
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(steps: dict, repeat: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in steps}
    for round_ in range(repeat + 1):
        for name, fn in steps.items():
            t = time.perf_counter()
            fn()
            if round_:  # round 0 warms up
                times[name].append(time.perf_counter() - t)
    return {name: statistics.median(v) for name, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--blocksize", default="16 MiB")
    args = ap.parse_args()

    import distributed

    import bridge
    import bridge.dask as bd
    from bridge.dask.ranges import expand_inputs
    from bridge.dask.record_index import record_index
    from bridge.frame import FrameOptions
    from bridge.records.api import write_records
    from bridge.score.file import score_file
    from bridge.testing import fake_table

    layout = bridge.load_copybook(ROOT / "copybooks" / "customer.cpy")
    model_dir = ROOT / "models" / "customer-risk"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        table = fake_table(layout, min(args.records, 200_000), seed=42)
        chunk, vb, vbb = tmp / "chunk.dat", tmp / "chunk.vb", tmp / "chunk.vbb"
        write_records(table, chunk, layout)
        write_records(table, vb, layout, recfm="VB")
        write_records(table, vbb, layout, recfm="VB", bdw=True)
        copies = max(1, args.records // len(table))
        data = tmp / "customer.dat"
        data.write_bytes(chunk.read_bytes() * copies)
        (tmp / "customer.vb").write_bytes(vb.read_bytes() * copies)
        n = len(table) * copies
        mb = data.stat().st_size / 1e6
        print(f"{n:,} records, {mb:.0f} MB; blocksize {args.blocksize}")

        def read_local():
            assert len(bridge.read_records(data, layout)) == n

        def score_single():
            score_file(data, tmp / "single.out", layout, model_dir)

        steps_read, steps_score = {"read, single process": read_local}, {"score, single process": score_single}
        clusters = []
        try:
            for workers in (1, 2):
                cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                   dashboard_address=":0", silence_logs=50)
                client = distributed.Client(cluster, set_as_default=False)
                clusters.append((cluster, client))

                def read_dask(client=client):
                    ddf = bd.read_records(str(data), layout, blocksize=args.blocksize)
                    assert client.compute(ddf.map_partitions(len).sum()).result() == n

                def score_dask(client=client, workers=workers):
                    bd.score_file(str(data), layout, model_dir, str(tmp / f"dask{workers}.out"), client=client,
                                  blocksize=args.blocksize)

                steps_read[f"read, dask {workers} worker(s)"] = read_dask
                steps_score[f"score, dask {workers} worker(s)"] = score_dask
            for title, steps in (("read", steps_read), ("score", steps_score)):
                times = timed(steps, args.repeat)
                base = next(iter(times.values()))
                print(f"-- {title}")
                for name, t in times.items():
                    print(f"{name:28s} {t:7.2f} s  {mb / t:7.1f} MB/s  {base / t:5.2f}x the single process")
            single = (tmp / "single.out").read_bytes()
            assert all((tmp / f"dask{w}.out").read_bytes() == single for w in (1, 2)), "output differs"
            print("dask outputs byte-identical to the single-process output")
        finally:
            for cluster, client in clusters:
                client.close()
                cluster.close()

        def sequential(path):
            def run():
                with open(path, "rb", buffering=0) as f:
                    while f.read(4 << 20):
                        pass
            return run

        def index(path, bdw):
            (f,) = expand_inputs(str(path))
            return lambda: record_index(f, FrameOptions(recfm="VB", bdw=bdw), 0, f.size, stride=1 << 20, cache_dir=False)

        vbfile = tmp / "customer.vb"
        vbb_big = tmp / "customer.vbb"
        vbb_big.write_bytes(vbb.read_bytes() * copies)
        times = timed({"read the VB file once": sequential(vbfile), "index pass, RDWs": index(vbfile, False),
                       "read the VB+BDW file once": sequential(vbb_big), "index pass, BDWs": index(vbb_big, True)},
                      args.repeat)
        print("-- V/VB record index")
        for name, t in times.items():
            print(f"{name:28s} {t * 1000:7.1f} ms")
        print(f"RDW index pass / one read: {times['index pass, RDWs'] / times['read the VB file once']:.2f}; "
              f"BDW index pass / one read: {times['index pass, BDWs'] / times['read the VB+BDW file once']:.2f}")


if __name__ == "__main__":
    main()
