"""The hot kernels as machine code cached on disk, called without loading numba.

numba's own cache keeps a kernel's machine code, but loading it still sets up numba's typing
and target contexts, about a second of CPU in every process that decodes more than a few
records. A kernel declared with ``native=True`` (`bridge.codec.jit.njit`) is therefore also
kept as a plain object file with a C entry point (numba's ``cfunc`` of a wrapper that rebuilds
the arrays from pointers and shapes), linked with llvmlite and called through ctypes: the
model compiler's route (`bridge.score.compiled.native`), applied to numba's own code.

* **Built once** per machine, package source and numba/llvmlite version, for each argument
  signature a call brings (dtypes and dimensions): the first process that needs it compiles it
  with numba while it runs the call with numba, the next ones load it (milliseconds).
* **Only kernels that cannot fail**: the object file is kept only when the kernel's code has no
  way to raise (every status it returns is "ok") and needs nothing of numba's runtime but the
  error reporting it then never reaches; that reporting is linked to inert local stubs, so no
  symbol of this process is replaced. Any other kernel, or signature (an array that is not
  C-contiguous, an object argument), runs in numba as before. A kernel left out is recorded,
  so that it is not compiled again.
* **Trust**: a cache file whose checksum, key or format does not match, or a cache folder
  others may write to, is ignored and rebuilt: a damaged cache costs a compile, never a wrong
  number. ``MFBRIDGE_NATIVE_KERNELS=0`` turns the tier off.
"""
from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = ["build", "cache_dir", "enabled", "lookup", "signature"]

log = logging.getLogger(__name__)

MAGIC = b"MFBRIDGE-NATIVE-KERNEL 1\n"
#: what numba's code may call on the way to reporting an error (never reached: see `_can_fail`)
_ERROR_PATH = frozenset({
    "numba_gil_ensure", "numba_gil_release", "numba_unpickle", "numba_do_raise",
    "numba_runtime_build_excinfo_struct", "NRT_Free", "NRT_MemInfo_call_dtor", "Py_DecRef",
    "Py_IncRef", "PyBytes_FromStringAndSize", "PyUnicode_FromString", "PyErr_Clear",
    "PyErr_SetNone", "PyErr_SetString", "PyErr_WriteUnraisable", "PyErr_Occurred",
})
_SCALARS = {"?": ctypes.c_bool, "b": ctypes.c_int8, "B": ctypes.c_uint8, "h": ctypes.c_int16,
            "H": ctypes.c_uint16, "i": ctypes.c_int32, "I": ctypes.c_uint32, "l": ctypes.c_int64,
            "L": ctypes.c_uint64, "q": ctypes.c_int64, "Q": ctypes.c_uint64, "f": ctypes.c_float,
            "d": ctypes.c_double}

_lock = threading.RLock()
_loaded: dict[tuple, Callable[..., Any] | None] = {}
_engines: list[Any] = []      # the linked code lives as long as its engine
_key_base: str | None = None


def enabled() -> bool:
    return os.environ.get("MFBRIDGE_NATIVE_KERNELS", "1") not in ("0", "")


def signature(args: tuple) -> tuple | None:
    """What a native kernel is built for: per argument, ``("a", dtype char, ndim)`` for a
    C-contiguous aligned array of numbers or booleans, ``("s", dtype char)`` for a scalar; None
    when an argument has no native form (numba then runs the call)."""
    out: list[tuple] = []
    for a in args:
        if isinstance(a, np.ndarray):
            dt = a.dtype
            if dt.char not in _SCALARS or not dt.isnative or not (a.flags.c_contiguous and a.flags.aligned):
                return None
            out.append(("a", dt.char, a.ndim))
        elif isinstance(a, (bool, np.bool_)):
            out.append(("s", "?"))
        elif isinstance(a, int):
            out.append(("s", "q"))      # numba's type of a Python int
        elif isinstance(a, float):
            out.append(("s", "d"))
        elif isinstance(a, np.generic) and a.dtype.char in _SCALARS:
            out.append(("s", a.dtype.char))
        else:
            return None
    return tuple(out)


def cache_dir() -> Path:
    """``$MFBRIDGE_CACHE_DIR/kernels`` or ``$XDG_CACHE_HOME/mfbridge/kernels`` (``~/.cache/...``)."""
    if os.environ.get("MFBRIDGE_CACHE_DIR"):
        return Path(os.environ["MFBRIDGE_CACHE_DIR"]) / "kernels"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mfbridge" / "kernels"


def _source_digest() -> str:
    """Digest of the package's source: a kernel inlines helpers from other modules, so a change
    anywhere in the package makes every cached kernel stale (numba's own cache misses this)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.sha256()
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                h.update(os.path.relpath(path, package).encode() + b"\0")
                with open(path, "rb") as fh:
                    h.update(fh.read())
    return h.hexdigest()


def _versions() -> str:
    """numba's and llvmlite's versions (numba's read from its install, not by importing it), the
    Python version and this CPU."""
    import importlib.util

    import llvmlite
    import llvmlite.binding as llvm

    from bridge.codec.machine import init

    spec = importlib.util.find_spec("numba")
    home = os.path.dirname(os.path.dirname(spec.origin)) if spec and spec.origin else ""
    numba = sorted(n for n in os.listdir(home) if n.startswith("numba-") and n.endswith(".dist-info")) if home else []
    init()
    return (f"{numba} llvmlite {llvmlite.__version__} python {sys.version_info[:2]} "
            f"{llvm.get_process_triple()} {llvm.get_host_cpu_name()} {llvm.get_host_cpu_features().flatten()}")


def _key(kernel: Any, sig: tuple) -> str:
    global _key_base
    if _key_base is None:
        _key_base = f"{_source_digest()} {_versions()}"
    return f"{_key_base} {kernel.__module__}.{kernel.__qualname__} {sig!r}"


def _path(key: str) -> Path:
    return cache_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:40]}.kernel"


# -- the cache file: MAGIC, sha256 of the rest (hex) and a newline, then the key, the entry
#    point's name and the return type (one line each), then the object file; a kernel left out
#    has no entry point and no object ------------------------------------------------------------

def _read(key: str) -> tuple[str, str, bytes] | None:
    from bridge.codec.machine import trusted_folder

    if not trusted_folder(cache_dir()):
        return None
    parts = _read_parts(_path(key))
    if parts is None or parts[0] != key:
        return None
    return parts[1:]


def _read_parts(path: Path) -> tuple[str, str, str, bytes] | None:
    """(key, entry point, return type, object) of a whole cache file, else None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(MAGIC):
        return None
    head = len(MAGIC) + 65
    digest, rest = data[len(MAGIC):head - 1], data[head:]
    if hashlib.sha256(rest).hexdigest().encode() != digest:
        return None
    parts = rest.split(b"\n", 3)
    if len(parts) != 4:
        return None
    return parts[0].decode(errors="replace"), parts[1].decode(errors="replace"), \
        parts[2].decode(errors="replace"), parts[3]


def _write(key: str, name: str, restype: str, obj: bytes) -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        rest = b"\n".join([key.encode(), name.encode(), restype.encode(), obj])
        data = MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".kernel-")   # 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, _path(key))
    except OSError as exc:   # a cache that cannot be written costs the next process a compile
        log.debug("native kernel cache not written: %s", exc)


# -- loading ---------------------------------------------------------------------------------------

def _link(name: str, restype: str, obj: bytes, sig: tuple, what: str) -> Callable[..., Any]:
    import llvmlite.binding as llvm

    from bridge.codec.machine import target_machine

    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(f'target triple = "{llvm.get_process_triple()}"'),
                                        target_machine(0))
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    address = engine.get_function_address(name)
    flag_at = engine.get_global_value_address(FAILED)
    if not address or not flag_at:
        raise RuntimeError(f"no entry point {name}")
    _engines.append(engine)
    failed = ctypes.c_int32.from_address(flag_at)
    argtypes: list[Any] = []
    for part in sig:
        argtypes += [ctypes.c_void_p] + [ctypes.c_int64] * part[2] if part[0] == "a" else [_SCALARS[part[1]]]
    fn = ctypes.CFUNCTYPE(_SCALARS[restype] if restype else None, *argtypes)(address)
    arrays = tuple(part[0] == "a" for part in sig)

    def call(*args: Any) -> Any:
        flat: list[Any] = []
        for a, is_array in zip(args, arrays):
            if is_array:
                flat.append(a.ctypes.data)
                flat.extend(a.shape)
            else:
                flat.append(a)
        result = fn(*flat)
        if failed.value:   # cannot happen for code kept by `_can_fail`; if it does, never a quiet result
            raise RuntimeError(f"the native form of kernel {what} failed; run again with "
                               "MFBRIDGE_NATIVE_KERNELS=0 and report it")
        return result

    return call


def lookup(kernel: Any, args: tuple) -> Callable[..., Any] | None:
    """The native form of ``kernel`` for a call with ``args``, loaded from the cache; None when
    there is none (not built yet, left out, or the arguments have no native form)."""
    sig = signature(args)
    if sig is None:
        return None
    slot = (id(kernel), sig)
    if slot in _loaded:
        return _loaded[slot]
    with _lock:
        if slot in _loaded:
            return _loaded[slot]
        fn = found = None
        try:
            found = _read(_key(kernel, sig))
            if found is not None and found[0]:
                fn = _link(*found, sig, kernel.__qualname__)
        except Exception as exc:   # not object code for this process: numba runs it, and rebuilds it
            log.debug("native kernel %s not loaded: %s", kernel.__qualname__, exc)
            fn = None
        if fn is not None or found is not None:   # a kernel left out is not looked up again
            _loaded[slot] = fn
        return fn


# -- building (numba loaded) -------------------------------------------------------------------------

def build(kernel: Any, args: tuple) -> Callable[..., Any] | None:
    """Compile ``kernel``'s native form for a call with ``args``, cache it (or that it is left
    out) and return it; None when it is left out. Needs numba, which the caller has loaded."""
    sig = signature(args)
    if sig is None:
        return None
    with _lock:
        if (id(kernel), sig) in _loaded:     # built, or tried, in this process already
            return _loaded[(id(kernel), sig)]
        fn = None
        try:
            key = _key(kernel, sig)
            name, restype, obj = _compile(kernel, sig)
            _write(key, name, restype, obj)
            fn = _link(name, restype, obj, sig, kernel.__qualname__) if name else None
        except Exception as exc:   # no native form here: numba's dispatcher keeps the calls
            log.debug("native kernel %s not built: %s", kernel.__qualname__, exc)
        _loaded[(id(kernel), sig)] = fn
        return fn


def _compile(kernel: Any, sig: tuple) -> tuple[str, str, bytes]:
    """(entry point, return type char, object file), or ("", "", b"") for a kernel left out."""
    from numba import carray, cfunc, from_dtype, njit, types

    from bridge.codec.machine import compile_object

    fresh = njit(**{**kernel.options, "cache": False})(kernel.py_func)   # its code in full, not numba's cached object
    inner, outer, params, passed = [], [], [], []
    for k, part in enumerate(sig):
        dtype = from_dtype(np.dtype(part[1]))
        if part[0] == "a":
            dims = [f"d{k}_{d}" for d in range(part[2])]
            params += [f"p{k}", *dims]
            outer += [types.voidptr] + [types.int64] * part[2]
            inner.append(types.Array(dtype, part[2], "C"))
            passed.append(f"carray(p{k}, ({', '.join(dims)},), t{k})")
        else:
            params.append(f"p{k}")
            outer.append(dtype)
            inner.append(dtype)
            passed.append(f"p{k}")
    fresh.compile(tuple(inner))
    restype = fresh.overloads[tuple(inner)].signature.return_type
    if restype == types.none:
        ret = ""
    elif isinstance(restype, (types.Boolean, types.Integer, types.Float)):
        ret = np.dtype(str(restype)).char if not isinstance(restype, types.Boolean) else "?"
    else:
        return "", "", b""
    namespace = {"carray": carray, "kernel": fresh}
    namespace.update({f"t{k}": np.dtype(p[1]) for k, p in enumerate(sig) if p[0] == "a"})
    exec(f"def wrapper({', '.join(params)}):\n    return kernel({', '.join(passed)})\n", namespace)
    c = cfunc((restype if ret else types.void)(*outer))(namespace["wrapper"])
    ir = c._library.get_llvm_str()
    if _can_fail(ir):
        return "", "", b""
    return c.native_name, ret, compile_object(_stubbed(ir), opt=2)


_DECLARE = re.compile(r"^declare (\S+) @\"?([\w.$]+)\"?\(([^)]*)\)[^\n]*$", re.M)
_EXTERNAL = re.compile(r"^(@[\w.$]+) = external global (\S+)[^\n]*$", re.M)
#: set by the code's error path (each of its functions is a stub that sets it)
FAILED = "mfbridge_kernel_failed"


def _can_fail(ir: str) -> bool:
    """Whether the code may raise, or needs what only numba's runtime provides: an exception it
    may raise is a pickled constant in the module (numba's way of carrying it to the caller),
    and a function it declares outside the error path would come from numba's runtime."""
    if "@.const.picklebuf" in ir or "@.const.pickledata" in ir:
        return True
    return any(not m.group(2).startswith("llvm.") and m.group(2) not in _ERROR_PATH for m in _DECLARE.finditer(ir))


def _stubbed(ir: str) -> str:
    """The module with the error path's functions and globals defined inside it, inert, except
    that each sets `FAILED`, which each call checks: reaching any of them is a failure."""
    def stub(m: re.Match) -> str:
        ret, name, params = m.group(1), m.group(2), m.group(3)
        if name.startswith("llvm."):
            return m.group(0)
        named = ", ".join(f"{p.strip()} %a{i}" for i, p in enumerate(params.split(",")) if p.strip())
        body = "ret void" if ret == "void" else f"ret {ret} zeroinitializer"
        return f"define internal {ret} @{name}({named}) {{\n  store i32 1, ptr @{FAILED}\n  {body}\n}}"

    ir = _DECLARE.sub(stub, ir)
    return _EXTERNAL.sub(r"\1 = internal global \2 zeroinitializer", ir) + f"\n@{FAILED} = global i32 0\n"
