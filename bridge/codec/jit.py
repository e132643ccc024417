"""Compiled kernels that import numba only when a batch is big enough to need it.

Importing numba and setting up its compiler costs about a second of CPU in every process
(its import, then its typing and target registries on the first call of any kernel, even one
loaded from the on-disk cache): most of a ten-record `mfbridge decode` or `inspect`. So the
kernels of `codec`, `frame` and `records` are declared with `njit` from here, which takes
numba's options unchanged and defers numba:

* a call on at most `SMALL_ROWS` rows of a kernel that has a small path (``small=``: the
  kernel's own Python, or a numpy function where plain Python arithmetic would differ from
  numba's typed arithmetic) runs that path while numba has not been loaded;
* any other call loads numba, turns every kernel declared here into numba's dispatcher
  (``cache=True`` kernels come from numba's on-disk cache as before) and rebinds the kernel
  names in their modules, so that kernels calling kernels compile as they always did; from
  then on every call is compiled, whatever its size.

A kernel declared with ``native=True`` also has a native form (`bridge.codec.native`): its
machine code cached on disk as a plain object file, loaded and called without numba. A call
that finds it runs it, whatever its size, numba loaded or not; a call that does not runs in
numba, and builds it for the processes after. Such a kernel is called from Python only (its
name stays this `Kernel` once numba is loaded, which numba's own code could not call).

Decisions: the small paths exist only for what the everyday commands call on a small file,
and each is held equal to its compiled kernel by a property test (tests/codec/test_jit.py);
the choice depends on the batch's row count, never on its values, so a result never depends
on which path ran. Bulk work still runs compiled: the small path is bounded by `SMALL_ROWS`.
Inside a small path, a kernel called by another (``inline="always"`` helpers) runs as Python
too.
"""
from __future__ import annotations

import sys
import threading
from typing import Any, Callable

from bridge.codec import native as _native

__all__ = ["SMALL_ROWS", "Kernel", "compiled", "interpreted", "njit"]

#: batches of at most this many rows take a kernel's small path while numba is not loaded
SMALL_ROWS = 64

_lock = threading.RLock()
_kernels: list["Kernel"] = []
_active = False
_interpreting = threading.local()


class Kernel:
    """A numba kernel declared before numba is loaded (see the module docstring)."""

    def __init__(self, py_func: Callable, options: dict[str, Any], small: Callable | None, rows: int,
                 native: bool = False) -> None:
        self.py_func = py_func
        self.options = options
        self.small = small
        self.rows = rows
        self.native = native
        self.dispatcher: Any = None
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__module__ = py_func.__module__
        self.__doc__ = py_func.__doc__

    def _row_count(self, args: tuple) -> int:
        arg = args[self.rows]
        return int(arg) if isinstance(arg, int) else int(arg.shape[0])

    def __call__(self, *args: Any) -> Any:
        if getattr(_interpreting, "depth", 0):
            return self.py_func(*args)
        if not _active and self.small is not None and self._row_count(args) <= SMALL_ROWS:
            _interpreting.depth = 1
            try:
                return self.small(*args)
            finally:
                _interpreting.depth = 0
        if self.native and _native.enabled():
            found = _native.lookup(self, args)
            if found is not None:
                return found(*args)
            result = self.compiled(*args)
            _native.build(self, args)      # for the next process: this one has paid for numba
            return result
        return self.compiled(*args)

    @property
    def compiled(self) -> Any:
        """numba's dispatcher of this kernel (loading numba and binding every kernel first)."""
        if self.dispatcher is None:
            activate()
        return self.dispatcher

    def __repr__(self) -> str:
        return f"<kernel {self.__module__}.{self.__qualname__}>"


def njit(*args: Any, small: Callable | bool | None = None, rows: int = 0, native: bool = False,
         **options: Any) -> Any:
    """numba's ``njit`` with numba loaded on first need; ``small``: the path for small batches
    (True: the kernel's own Python), ``rows``: the index of the argument whose length (or value,
    for an int) is the row count; ``native``: the kernel also has a native form (see above)."""

    def wrap(py_func: Callable) -> Any:
        path = py_func if small is True else (small or None)
        with _lock:
            kernel = Kernel(py_func, options, path, rows, native)
            _kernels.append(kernel)
            if _active:  # numba is loaded already: what every kernel declared here is by now
                from numba import njit as numba_njit

                kernel.dispatcher = numba_njit(**options)(py_func)
                return kernel if native else kernel.dispatcher
            return kernel

    if args and callable(args[0]) and len(args) == 1:
        return wrap(args[0])
    return wrap


def activate() -> None:
    """Load numba, make every declared kernel a dispatcher and rebind the names that refer to
    kernels in the modules that declare them."""
    global _active
    with _lock:
        if _active:
            return
        from numba import njit as numba_njit

        for kernel in _kernels:
            if kernel.dispatcher is None:
                kernel.dispatcher = numba_njit(**kernel.options)(kernel.py_func)
        by_id = {id(k): k for k in _kernels}
        modules = {k.__module__ for k in _kernels}
        for name in modules:
            namespace = vars(sys.modules[name]) if name in sys.modules else {}
            for attr, value in list(namespace.items()):
                if id(value) in by_id and by_id[id(value)] is value and not value.native:
                    namespace[attr] = value.dispatcher
        _active = True


def interpreted(rows: int) -> bool:
    """True when a batch of ``rows`` rows would take the kernels' small paths (numba not loaded yet)."""
    return not _active and rows <= SMALL_ROWS


def compiled(kernel: Any) -> Any:
    """The compiled form of ``kernel`` (a `Kernel` or already a dispatcher)."""
    return kernel.compiled if isinstance(kernel, Kernel) else kernel
