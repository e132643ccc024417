"""LLVM IR → machine code with llvmlite, and machine code → callable functions.

Compile time is designed for: the trees are cut into parts of about ``PART_NODES`` splits,
each part is its own module, turned into an object file by a target machine at a low
optimisation level with no IR passes (the code is already what it should be: one compare
and one branch per split, with the layout chosen by `codegen`). Parts are independent, so
they compile in worker processes, one per core (llvmlite serialises every LLVM call within a
process behind one lock). The object files are what the disk cache keeps; loading them is
linking, not compiling.
"""
from __future__ import annotations

import ctypes
import os
import queue
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Callable, Iterable

import llvmlite.binding as llvm

from bridge.codec.machine import compile_object, init as _init, target_machine as _target_machine

__all__ = ["NativeCode", "compile_object", "compile_objects", "load_objects", "triple"]


def triple() -> str:
    _init()
    return llvm.get_process_triple()


def host() -> str:
    """The CPU the code is compiled for: part of the cache key."""
    _init()
    return f"{llvm.get_process_triple()} {llvm.get_host_cpu_name()} {llvm.get_host_cpu_features().flatten()}"


# The worker is a fresh interpreter running this source: it imports llvmlite alone (not the
# caller's __main__, not pandas or LightGBM), reads length-prefixed IR modules on stdin and
# writes their object files the same way on stdout.
_WORKER = """
import struct, sys
sys.path[:0] = sys.argv[1:]
import llvmlite.binding as llvm
llvm.initialize_native_target(); llvm.initialize_native_asmprinter()
inp, out = sys.stdin.buffer, sys.stdout.buffer
opt, count = struct.unpack("<II", inp.read(8))
tm = llvm.Target.from_default_triple().create_target_machine(
    opt=opt, reloc="pic", codemodel="default", cpu=llvm.get_host_cpu_name(),
    features=llvm.get_host_cpu_features().flatten())
for _ in range(count):
    (size,) = struct.unpack("<Q", inp.read(8))
    mod = llvm.parse_assembly(inp.read(size).decode(), context=llvm.create_context())
    mod.verify()
    obj = tm.emit_object(mod)
    out.write(struct.pack("<Q", len(obj)) + obj)
    out.flush()
"""


def _start_worker() -> subprocess.Popen:
    # -I: no user site, no PYTHON* variables, no current folder; llvmlite is found where
    # this process found it
    import llvmlite
    paths = [os.path.dirname(os.path.dirname(llvmlite.__file__))]
    return subprocess.Popen([sys.executable, "-I", "-c", _WORKER, *paths], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _feed(proc: subprocess.Popen, parts: "queue.Queue[bytes | None]", opt: int, count: int) -> None:
    """Write modules to a worker as they are generated (the worker starts on the first)."""
    try:
        proc.stdin.write(struct.pack("<II", opt, count))  # type: ignore[union-attr]
        while (data := parts.get()) is not None:
            proc.stdin.write(struct.pack("<Q", len(data)) + data)  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
    except OSError:
        pass                      # the worker died: _collect reports it
    finally:
        try:
            proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass


def _collect(proc: subprocess.Popen, count: int) -> list[bytes] | RuntimeError:
    """A worker's object files, read as it writes them (a full pipe would stop the worker)."""
    out, objs = proc.stdout, []  # type: ignore[assignment]
    for _ in range(count):
        head = out.read(8)  # type: ignore[union-attr]
        if len(head) != 8:
            break
        (size,) = struct.unpack("<Q", head)
        objs.append(out.read(size))  # type: ignore[union-attr]
    err = proc.stderr.read()  # type: ignore[union-attr]
    proc.wait()
    if len(objs) != count or proc.returncode != 0:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return RuntimeError(f"a compile worker failed (exit {proc.returncode}): {last[0]}")
    return objs


def compile_objects(irs: Iterable[str], *, count: int | None = None, opt: int = 1,
                    workers: int = 1) -> list[bytes]:
    """Object code of each module, in order. With ``workers > 1`` in that many processes
    (llvmlite serialises LLVM calls within one process), each starting on its first module
    while the next are still being generated (``irs`` may be a generator of ``count``)."""
    if count is None:
        irs = list(irs)
        count = len(irs)
    if workers <= 1 or count < 2:
        return [compile_object(ir, opt) for ir in irs]
    workers = min(workers, count)
    # interleaved shares: parts are of similar size, so each worker gets an equal load
    counts = [len(range(w, count, workers)) for w in range(workers)]
    procs = [_start_worker() for _ in range(workers)]
    queues: list[queue.Queue[bytes | None]] = [queue.Queue() for _ in range(workers)]
    results: list[list[bytes] | RuntimeError | None] = [None] * workers
    threads = [threading.Thread(target=_feed, args=(procs[w], queues[w], opt, counts[w]), daemon=True)
               for w in range(workers)]
    threads += [threading.Thread(target=lambda w=w: results.__setitem__(w, _collect(procs[w], counts[w])),
                                 daemon=True) for w in range(workers)]
    for t in threads:
        t.start()
    try:
        for j, ir in enumerate(irs):
            queues[j % workers].put(ir.encode())
    finally:
        for q in queues:
            q.put(None)
        for t in threads:
            t.join()
    out: list[bytes] = [b""] * count
    for w, objs in enumerate(results):
        if not isinstance(objs, list):
            raise objs or RuntimeError("a compile worker gave no result")
        for j, obj in enumerate(objs):
            out[w + j * workers] = obj
    return out


RawFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p)
TransformFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)


@dataclass
class NativeCode:
    """Loaded machine code: ``raw(X, rows, out, scratch)`` and ``transform(raw, rows, out)``, callable
    from any thread (ctypes releases the GIL for the call)."""

    engine: object
    raw: "ctypes._CFuncPtr"
    transform: "ctypes._CFuncPtr"


def load_objects(objects: list[bytes]) -> NativeCode:
    """Link object files into this process; raises ``RuntimeError`` when they are not valid
    object code for it (a damaged cache file)."""
    tm = _target_machine(0)
    empty = llvm.parse_assembly(f'target triple = "{llvm.get_process_triple()}"')
    engine = llvm.create_mcjit_compiler(empty, tm)
    for obj in objects:
        engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    raw_addr = engine.get_function_address("raw")
    tr_addr = engine.get_function_address("transform")
    if not raw_addr or not tr_addr:
        raise RuntimeError("the object code has no raw/transform entry points")
    return NativeCode(engine, RawFn(raw_addr), TransformFn(tr_addr))


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def over_rows(n: int, work: Callable[[int, int], object], *, threads: int | None = None, min_rows: int = 1,
              align: int = 1) -> None:
    """``work(start, stop)`` over rows ``[0, n)`` cut into at most ``threads`` slices (default:
    every core this process may use) of at least ``min_rows`` rows, each starting on a multiple
    of ``align``; the slices run in threads (the compiled calls release the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    blocks = -(-n // align)
    parts = max(1, min(threads or cores(), blocks, n // min_rows or 1))
    step = -(-blocks // parts) * align
    if parts == 1:
        work(0, n)
        return
    with ThreadPoolExecutor(max_workers=parts) as pool:
        for done in [pool.submit(work, start, min(n, start + step)) for start in range(0, n, step)]:
            done.result()
