"""LLVM IR to machine code for this process's CPU, with llvmlite: the one place that sets up
LLVM's native target, shared by the model compiler and the native kernels."""
from __future__ import annotations

import llvmlite.binding as llvm

__all__ = ["compile_object", "init", "target_machine"]

_initialised = False


def init() -> None:
    """Set up LLVM's native target and assembly printer (once per process)."""
    global _initialised
    if not _initialised:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        _initialised = True


def target_machine(opt: int) -> "llvm.TargetMachine":
    """A target machine for this CPU (its name and features), position-independent code."""
    init()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(opt=opt, reloc="pic", codemodel="default",
                                        cpu=llvm.get_host_cpu_name(),
                                        features=llvm.get_host_cpu_features().flatten())


def compile_object(ir: str, opt: int = 1) -> bytes:
    """One module's object code."""
    tm = target_machine(opt)
    mod = llvm.parse_assembly(ir, context=llvm.create_context())
    mod.verify()
    return tm.emit_object(mod)
