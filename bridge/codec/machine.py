"""LLVM IR to machine code for this process's CPU, with llvmlite: the one place that sets up
LLVM's native target, shared by the model compiler and the native kernels (llvmlite is imported
on first use: a run that loads no machine code never imports it)."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["compile_object", "init", "target_machine", "trusted_folder"]

_initialised = False


def init() -> None:
    """Set up LLVM's native target and assembly printer (once per process)."""
    global _initialised
    import llvmlite.binding as llvm

    if not _initialised:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        _initialised = True


def target_machine(opt: int) -> "llvmlite.binding.TargetMachine":
    """A target machine for this CPU (its name and features), position-independent code."""
    import llvmlite.binding as llvm

    init()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(opt=opt, reloc="pic", codemodel="default",
                                        cpu=llvm.get_host_cpu_name(),
                                        features=llvm.get_host_cpu_features().flatten())


def compile_object(ir: str, opt: int = 1) -> bytes:
    """One module's object code."""
    import llvmlite.binding as llvm

    tm = target_machine(opt)
    mod = llvm.parse_assembly(ir, context=llvm.create_context())
    mod.verify()
    return tm.emit_object(mod)


def trusted_folder(folder: Path) -> bool:
    """Whether machine code may be loaded from ``folder``: it is ours and nobody else may write
    to it. A checksum detects damage; this keeps out code planted by someone else."""
    try:
        st = folder.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o022
