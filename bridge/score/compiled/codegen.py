"""A `Forest` written as LLVM IR text: one function per tree, specialised to its numbers.

A small tree (`vectorisable`) becomes vector code (`vector_tree_ir`): evaluated whole, four rows
at a time, one vector compare per split and one select per split choosing the leaf, no branch.
Any other tree becomes ``void @tN(double* X, i64 rows, double* acc)`` (`tree_ir`): a loop over
a block of rows in which every split is a load of the row's feature, one compare against the
threshold as a hex double constant and a branch; the leaves meet in a phi. Either way the tree
adds its leaf to the row's sum (tree after tree, in LightGBM's order, so the sum is LightGBM's
to the bit). In branchy code the more frequent child (by LightGBM's own
``leaf_count``/``internal_count``) is laid out right after its parent so that the likely path
falls through. Trees are ``noinline``: a block of rows goes through one tree at a time, whose
code then stays in the instruction cache.

Missing values need no extra instruction in the common case: LightGBM's rule (NaN taken as 0,
or sent to the default side; ``zero_as_missing``) folds into the choice between the ordered
(``fcmp ole``, false for NaN) and unordered (``fcmp ule``, true for NaN) compare. Only a
threshold within LightGBM's zero band (``|t| < 1e-35``) or a zero-as-missing split whose
default side differs from where zero falls needs the explicit ``|x| <= kZero`` test.
"""
from __future__ import annotations

import struct

import numpy as np

from bridge.score.compiled.forest import K_ZERO, MISSING_NAN, MISSING_NONE, MISSING_ZERO, Forest, Tree

__all__ = ["driver_ir", "module_ir", "scratch_size", "transform_ir", "vector_slots", "vectorisable"]


def _hex(value: float) -> str:
    """A double as LLVM's exact hex literal."""
    return "0x%016X" % struct.unpack("<Q", struct.pack("<d", float(value)))[0]


_KZ = _hex(K_ZERO)
_HEADER = "declare double @llvm.fabs.f64(double)\n"


def _counts(tree: Tree, node: int) -> int:
    return int(tree.internal_count[node]) if node >= 0 else int(tree.leaf_count[~node])


def _leaves_under(tree: Tree) -> np.ndarray:
    """Number of leaves below each internal node."""
    n = tree.num_nodes
    count = np.zeros(n, dtype=np.int64)
    order: list[int] = []
    stack = [0] if n else []
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(c for c in (int(tree.left[i]), int(tree.right[i])) if c >= 0)
    for i in reversed(order):
        count[i] = sum(1 if c < 0 else count[c] for c in (int(tree.left[i]), int(tree.right[i])))
    return count


def tree_ir(tree: Tree, name: str, num_features: int, globals_: list[str], select_leaves: int = 4) -> str:
    """The IR of one tree's function ``name``."""
    body: list[str] = []
    phi: list[str] = []
    emit = body.append

    def value(k: int, feature: int) -> str:
        emit(f"  %p{k} = getelementptr inbounds double, double* %x, i64 {feature}\n"
             f"  %v{k} = load double, double* %p{k}, align 8")
        return f"%v{k}"

    def leaf(label: str, index: int) -> None:
        emit(f"{label}:")
        if tree.linear and tree.leaf_features[index].size:
            phi.append(f"[%lin{index}, %{label}]")
            feats, coeffs = tree.leaf_features[index], tree.leaf_coeff[index]
            acc = _hex(tree.leaf_const[index])  # type: ignore[index]
            nan = "false"
            for j, (f, c) in enumerate(zip(feats.tolist(), coeffs.tolist())):
                k = f"l{index}_{j}"
                emit(f"  %p{k} = getelementptr inbounds double, double* %x, i64 {f}\n"
                     f"  %r{k} = load double, double* %p{k}, align 8\n"
                     f"  %a{k} = call double @llvm.fabs.f64(double %r{k})\n"
                     # LightGBM's predictor reads |x| <= kZero as 0
                     f"  %z{k} = fcmp ole double %a{k}, {_KZ}\n"
                     f"  %v{k} = select i1 %z{k}, double 0.0, double %r{k}\n"
                     f"  %u{k} = fcmp uno double %v{k}, 0.0\n"
                     f"  %n{k} = or i1 {nan}, %u{k}\n"
                     f"  %m{k} = fmul double {_hex(c)}, %v{k}\n"
                     f"  %s{k} = fadd double {acc}, %m{k}")
                acc, nan = f"%s{k}", f"%n{k}"
            emit(f"  %lin{index} = select i1 {nan}, double {_hex(tree.leaf_value[index])}, double {acc}")
        else:
            lv = tree.leaf_const[index] if tree.linear else tree.leaf_value[index]  # type: ignore[index]
            phi.append(f"[{_hex(lv)}, %{label}]")
        emit("  br label %acc")

    leaves_under = _leaves_under(tree)

    def flat(i: int) -> str:
        """The leaf value of the subtree at ``i`` as a chain of selects: no branch to mispredict."""
        if i < 0:
            return _hex(tree.leaf_value[~i])
        cond(i)
        lv, rv = flat(int(tree.left[i])), flat(int(tree.right[i]))
        emit(f"  %sv{i} = select i1 %c{i}, double {lv}, double {rv}")
        return f"%sv{i}"

    def cond(i: int) -> None:
        _split(tree, i, value(i, int(tree.split_feature[i])), emit, globals_, name)

    def node(i: int, label: str) -> None:
        emit(f"{label}:")
        if not tree.linear and leaves_under[i] <= select_leaves:
            phi.append(f"[{flat(i)}, %{label}]")
            emit("  br label %acc")
            return
        cond(i)
        c = f"%c{i}"
        left, right = int(tree.left[i]), int(tree.right[i])
        lname = f"n{left}" if left >= 0 else f"l{~left}"
        rname = f"n{right}" if right >= 0 else f"l{~right}"
        emit(f"  br i1 {c}, label %{lname}, label %{rname}")
        # the likelier child first, so that it falls through
        order = [(left, lname), (right, rname)]
        if _counts(tree, right) > _counts(tree, left):
            order.reverse()
        for child, cname in order:
            if child >= 0:
                node(child, cname)
            else:
                leaf(cname, ~child)

    if tree.num_leaves == 1:
        emit("root:")
        emit("  br label %l0")
        leaf("l0", 0)
    else:
        emit("root:")
        emit("  br label %n0")
        node(0, "n0")
    return f"""define void @{name}(double* noalias nocapture readonly %X, i64 %n, double* noalias nocapture %out) noinline nounwind {{
entry:
  %empty = icmp sle i64 %n, 0
  br i1 %empty, label %done, label %row
row:
  %r = phi i64 [0, %entry], [%rn, %acc]
  %off = mul i64 %r, {num_features}
  %x = getelementptr inbounds double, double* %X, i64 %off
  br label %root
{chr(10).join(body)}
acc:
  %lv = phi double {", ".join(phi)}
  %po = getelementptr inbounds double, double* %out, i64 %r
  %o = load double, double* %po, align 8
  %s = fadd double %o, %lv
  store double %s, double* %po, align 8
  %rn = add i64 %r, 1
  %end = icmp eq i64 %rn, %n
  br i1 %end, label %done, label %row
done:
  ret void
}}"""


class _Lanes:
    """The IR types and constants of one lane (scalar code) or of ``width`` lanes (vector code)."""

    def __init__(self, width: int = 1) -> None:
        self.width = width

    def ty(self, elem: str) -> str:
        return elem if self.width == 1 else f"<{self.width} x {elem}>"

    def const(self, elem: str, value: str) -> str:
        return value if self.width == 1 else "<" + ", ".join([f"{elem} {value}"] * self.width) + ">"

    @property
    def fabs(self) -> str:
        return "@llvm.fabs.f64" if self.width == 1 else f"@llvm.fabs.v{self.width}f64"


_SCALAR = _Lanes(1)


def _split(tree: Tree, i: int, v: str, emit, globals_: list[str], name: str, lanes: "_Lanes | None" = None) -> None:
    """``%c{i}`` = split ``i`` of ``tree`` sends the value ``v`` left, in one lane or several."""
    lanes = lanes or _SCALAR
    dt = int(tree.decision_type[i])
    if dt & 1:
        _categorical(tree, i, v, f"%c{i}", emit, globals_, name, lanes)
    else:
        _numerical(i, v, f"%c{i}", float(tree.threshold[i]), (dt >> 2) & 3, bool(dt & 2), emit, lanes)


def _numerical(i: int, v: str, c: str, t: float, missing: int, default_left: bool, emit,
               lanes: _Lanes = _SCALAR) -> None:
    """``c`` = go left, by LightGBM's NumericalDecision."""
    zero_left = 0.0 <= t                       # where an exact 0 goes by the compare
    tiny = -K_ZERO <= t < K_ZERO               # a threshold inside the zero band
    nan_left = zero_left if missing == MISSING_NONE else default_left
    d, b = lanes.ty("double"), lanes.ty("i1")
    dc = lambda x: lanes.const("double", x)  # noqa: E731
    bc = lambda x: lanes.const("i1", "true" if x else "false")  # noqa: E731
    if not tiny and (missing != MISSING_ZERO or default_left == zero_left):
        # |x| <= kZero compares like 0 here; only NaN needs a side: unordered compare = NaN left
        emit(f"  {c} = fcmp {'ule' if nan_left else 'ole'} {d} {v}, {dc(_hex(t))}")
        return
    zero_side = default_left if missing == MISSING_ZERO else zero_left
    emit(f"  %a{i} = call {d} {lanes.fabs}({d} {v})\n"
         f"  %z{i} = fcmp ole {d} %a{i}, {dc(_KZ)}\n"
         f"  %u{i} = fcmp uno {d} {v}, {dc('0.0')}\n"
         f"  %k{i} = fcmp ole {d} {v}, {dc(_hex(t))}\n"
         f"  %q{i} = select {b} %z{i}, {b} {bc(zero_side)}, {b} %k{i}\n"
         f"  {c} = select {b} %u{i}, {b} {bc(nan_left)}, {b} %q{i}")


def _categorical(tree: Tree, i: int, v: str, c: str, emit, globals_: list[str], name: str,
                 lanes: _Lanes = _SCALAR) -> None:
    """``c`` = go left, by LightGBM's CategoricalDecision: NaN, negative and out-of-int values go
    right; otherwise the category (truncated toward zero) is looked up in the node's bitset.
    Vector code covers bitsets of up to two words (`vectorisable`)."""
    cat = int(tree.threshold[i])
    lo, hi = int(tree.cat_boundaries[cat]), int(tree.cat_boundaries[cat + 1])
    words = tree.cat_threshold[lo:hi]
    d, b = lanes.ty("double"), lanes.ty("i1")
    i32, i64 = lanes.ty("i32"), lanes.ty("i64")
    dc = lambda x: lanes.const("double", x)  # noqa: E731
    if len(words) == 0:
        emit(f"  {c} = fcmp oeq {d} {v}, {dc('0x7FF8000000000000')}")   # always false
        return
    bound = float(32 * len(words))
    emit(f"  %g{i} = fcmp ogt {d} {v}, {dc('-1.0')}\n"
         f"  %h{i} = fcmp olt {d} {v}, {dc(_hex(bound))}\n"
         f"  %w{i} = and {b} %g{i}, %h{i}\n"
         f"  %y{i} = select {b} %w{i}, {d} {v}, {d} {dc('0.0')}\n"
         f"  %j{i} = fptosi {d} %y{i} to {i32}")
    if len(words) <= 2:
        bits = int(words[0]) | (int(words[1]) << 32 if len(words) == 2 else 0)
        emit(f"  %e{i} = zext {i32} %j{i} to {i64}\n"
             f"  %b{i} = lshr {i64} {lanes.const('i64', str(bits))}, %e{i}\n"
             f"  %t{i} = trunc {i64} %b{i} to {b}")
    else:
        if lanes.width != 1:  # pragma: no cover - vectorisable() keeps such trees scalar
            raise ValueError("a bitset of more than two words in vector code")
        g = f"@{name}_c{i}"
        globals_.append(f"{g} = internal unnamed_addr constant [{len(words)} x i32] "
                        f"[{', '.join(f'i32 {int(w)}' for w in words)}]")
        emit(f"  %d{i} = lshr i32 %j{i}, 5\n"
             f"  %e{i} = zext i32 %d{i} to i64\n"
             f"  %f{i} = getelementptr inbounds [{len(words)} x i32], [{len(words)} x i32]* {g}, i64 0, i64 %e{i}\n"
             f"  %m{i} = load i32, i32* %f{i}, align 4\n"
             f"  %s{i} = and i32 %j{i}, 31\n"
             f"  %b{i} = lshr i32 %m{i}, %s{i}\n"
             f"  %t{i} = trunc i32 %b{i} to i1")
    emit(f"  {c} = and {b} %w{i}, %t{i}")


def vectorisable(tree: Tree, max_leaves: int) -> bool:
    """Whether ``tree`` is evaluated whole, several rows per instruction (`vector_tree_ir`):
    small enough that computing every split beats branching on the few a row meets, with no
    linear leaves and no categorical bitset longer than two words."""
    if tree.linear or tree.num_leaves < 2 or tree.num_leaves > max_leaves:
        return False
    for i in range(tree.num_nodes):
        if int(tree.decision_type[i]) & 1:
            cat = int(tree.threshold[i])
            if int(tree.cat_boundaries[cat + 1]) - int(tree.cat_boundaries[cat]) > 2:
                return False
    return True


def vector_slots(forest: Forest, max_leaves: int) -> dict[int, int]:
    """The features the vector trees read, each to its row of the transposed block: only these
    are transposed (a wide model's trees may read few of its features)."""
    used: set[int] = set()
    for tree in forest.trees:
        if vectorisable(tree, max_leaves):
            used.update(int(f) for f in tree.split_feature[:tree.num_nodes])
    return {f: j for j, f in enumerate(sorted(used))}


def vector_tree_ir(tree: Tree, name: str, block: int, width: int, globals_: list[str],
                   slots: dict[int, int]) -> str:
    """The IR of one tree evaluated whole over ``width`` rows at a time, without branches.

    ``void @name(double* XT, i64 rows, double* acc)``: ``XT`` is the block transposed (feature
    ``f`` of row ``r`` at ``XT[slots[f]*block + r]``, rows padded to a multiple of ``width``), so that a
    feature of ``width`` rows is one load; every split is one vector compare and the leaf is
    chosen by a select per split, bottom up. Every split of the tree is computed for every row,
    which for small trees costs less than the mispredicted branches of a walk."""
    lanes = _Lanes(width)
    d, b = lanes.ty("double"), lanes.ty("i1")
    body: list[str] = []
    emit = body.append

    def load(i: int, feature: int) -> str:
        emit(f"  %xo{i} = add i64 %r, {slots[feature] * block}\n"
             f"  %xp{i} = getelementptr inbounds double, double* %XT, i64 %xo{i}\n"
             f"  %xq{i} = bitcast double* %xp{i} to {d}*\n"
             f"  %v{i} = load {d}, {d}* %xq{i}, align 8")
        return f"%v{i}"

    def value(child: int) -> str:
        return lanes.const("double", _hex(tree.leaf_value[~child])) if child < 0 else subtree(child)

    def subtree(i: int) -> str:
        # the children first, then this split: its mask is live only for its own select
        lv, rv = value(int(tree.left[i])), value(int(tree.right[i]))
        _split(tree, i, load(i, int(tree.split_feature[i])), emit, globals_, name, lanes)
        emit(f"  %sv{i} = select {b} %c{i}, {d} {lv}, {d} {rv}")
        return f"%sv{i}"

    leaf = subtree(0)
    return f"""define void @{name}(double* noalias nocapture readonly %XT, i64 %n, double* noalias nocapture %out) noinline nounwind {{
entry:
  %empty = icmp sle i64 %n, 0
  br i1 %empty, label %done, label %row
row:
  %r = phi i64 [0, %entry], [%rn, %row]
{chr(10).join(body)}
  %po = getelementptr inbounds double, double* %out, i64 %r
  %pv = bitcast double* %po to {d}*
  %o = load {d}, {d}* %pv, align 8
  %s = fadd {d} %o, {leaf}
  store {d} %s, {d}* %pv, align 8
  %rn = add i64 %r, {width}
  %end = icmp sge i64 %rn, %n
  br i1 %end, label %done, label %row
done:
  ret void
}}"""


def module_ir(forest: Forest, first: int, last: int, prefix: str, triple: str, select_leaves: int = 4, *,
              block: int = 64, vector_leaves: int = 0, width: int = 4) -> str:
    """One module holding trees ``first..last-1`` as ``@{prefix}t{k}`` and ``@{prefix}part``,
    which runs them in order over a block of rows.

    ``part(X, XT, rows, acc)``: ``X`` the block's rows, ``XT`` the same block transposed (for the
    vector trees), ``acc`` the block's raw scores, class after class (``acc[c*block + r]``), to
    which each tree adds its leaf. Trees of at most ``vector_leaves`` leaves that `vectorisable`
    admits become vector code, the others scalar code."""
    parts = [f'target triple = "{triple}"', _HEADER, f"declare <{width} x double> @llvm.fabs.v{width}f64(<{width} x double>)"]
    globals_: list[str] = []
    k = forest.trees_per_iteration
    functions, calls = [], []
    slots = vector_slots(forest, vector_leaves)
    for index in range(first, last):
        tree, name = forest.trees[index], f"{prefix}t{index}"
        vector = vectorisable(tree, vector_leaves)
        if vector:
            functions.append(vector_tree_ir(tree, name, block, width, globals_, slots))
        else:
            functions.append(tree_ir(tree, name, forest.num_features, globals_, select_leaves))
        calls.append(f"  %o{index} = getelementptr inbounds double, double* %acc, i64 {(index % k) * block}\n"
                     f"  call void @{name}(double* {'%XT' if vector else '%X'}, i64 %n, double* %o{index})")
    parts += globals_ + functions
    body = "\n".join(calls)
    parts.append(f"""define void @{prefix}part(double* noalias %X, double* noalias %XT, i64 %n, double* noalias %acc) nounwind {{
entry:
{body}
  ret void
}}""")
    return "\n\n".join(parts)


def driver_ir(forest: Forest, part_names: list[str], block: int, triple: str, width: int = 4,
              vector_leaves: int = 0) -> str:
    """The module of ``@raw(X, rows, out, scratch)``: rows in blocks of ``block`` (a multiple of
    ``width``), each block transposed, then through every part (so every tree) in order into a
    zeroed accumulator, which is then copied to ``out``; LightGBM's sum, tree after tree from 0.
    ``scratch`` holds ``scratch_size`` doubles (the caller's, not the stack: a model may have
    any number of features)."""
    nf, k = forest.num_features, forest.trees_per_iteration
    slots = vector_slots(forest, vector_leaves)
    decls = "\n".join(f"declare void @{p}(double*, double*, i64, double*)" for p in part_names)
    calls = "\n".join(f"  call void @{p}(double* %xb, double* %xt, i64 %m, double* %acc)" for p in part_names)
    return f"""target triple = "{triple}"

{decls}

define void @raw(double* noalias %X, i64 %n, double* noalias %out, double* noalias %scratch) nounwind {{
entry:
  %acc = bitcast double* %scratch to double*
  %xt = getelementptr inbounds double, double* %scratch, i64 {k * block}
  %z = icmp sle i64 %n, 0
  br i1 %z, label %done, label %blk
blk:
  %s = phi i64 [0, %entry], [%sn, %next]
  %rem = sub i64 %n, %s
  %lt = icmp slt i64 %rem, {block}
  %m = select i1 %lt, i64 %rem, i64 {block}
  %mw0 = add i64 %m, {width - 1}
  %mw = and i64 %mw0, {-width}
  %xo = mul i64 %s, {nf}
  %xb = getelementptr inbounds double, double* %X, i64 %xo
  %oo = mul i64 %s, {k}
  %ob = getelementptr inbounds double, double* %out, i64 %oo
  br label %zero
zero:
  %zi = phi i64 [0, %blk], [%zn, %zero]
  %zp = getelementptr inbounds double, double* %acc, i64 %zi
  store double 0.0, double* %zp, align 8
  %zn = add i64 %zi, 1
  %ze = icmp eq i64 %zn, {k * block}
  br i1 %ze, label %{'trow' if slots else 'run'}, label %zero
{_transpose(nf, block, slots) + chr(10) if slots else ''}run:
{calls}
  br label %crow
crow:
  %cr = phi i64 [0, %run], [%crn, %crow]
{_copy_out(k, block)}
  %crn = add i64 %cr, 1
  %cre = icmp eq i64 %crn, %m
  br i1 %cre, label %next, label %crow
next:
  %sn = add i64 %s, {block}
  %e = icmp sge i64 %sn, %n
  br i1 %e, label %done, label %blk
done:
  ret void
}}
"""


def _transpose(nf: int, block: int, slots: dict[int, int]) -> str:
    """Rows ``0..%m`` of the block into ``%xt`` (the vector trees' features, each to its slot),
    rows ``%m..%mw`` as zeros."""
    copy, pad = [], []
    for f, j in slots.items():
        copy += [f"  %ts{j} = add i64 %trb, {f}",
                 f"  %tp{j} = getelementptr inbounds double, double* %xb, i64 %ts{j}",
                 f"  %tv{j} = load double, double* %tp{j}, align 8",
                 f"  %td{j} = add i64 %tr, {j * block}",
                 f"  %tq{j} = getelementptr inbounds double, double* %xt, i64 %td{j}",
                 f"  store double %tv{j}, double* %tq{j}, align 8"]
        pad += [f"  %ud{j} = add i64 %tr, {j * block}",
                f"  %uq{j} = getelementptr inbounds double, double* %xt, i64 %ud{j}",
                f"  store double 0.0, double* %uq{j}, align 8"]
    nl = chr(10)
    return f"""trow:
  %tr = phi i64 [0, %zero], [%trn, %tnext]
  %tin = icmp slt i64 %tr, %m
  %trb = mul i64 %tr, {nf}
  br i1 %tin, label %tcopy, label %tpad
tcopy:
{nl.join(copy)}
  br label %tnext
tpad:
{nl.join(pad)}
  br label %tnext
tnext:
  %trn = add i64 %tr, 1
  %tre = icmp eq i64 %trn, %mw
  br i1 %tre, label %run, label %trow"""


def scratch_size(forest: Forest, block: int, vector_leaves: int) -> int:
    """Doubles of scratch memory `driver_ir`'s ``raw`` needs: the accumulator, the transposed block."""
    return (forest.trees_per_iteration + len(vector_slots(forest, vector_leaves))) * block


def _copy_out(k: int, block: int) -> str:
    """Row ``%cr`` of the accumulator (class after class) into ``out``'s row."""
    lines = [f"  %cb = mul i64 %cr, {k}"]
    for c in range(k):
        lines += [f"  %ca{c} = add i64 %cr, {c * block}",
                  f"  %cp{c} = getelementptr inbounds double, double* %acc, i64 %ca{c}",
                  f"  %cv{c} = load double, double* %cp{c}, align 8",
                  f"  %cq{c}i = add i64 %cb, {c}",
                  f"  %cq{c} = getelementptr inbounds double, double* %ob, i64 %cq{c}i",
                  f"  store double %cv{c}, double* %cq{c}, align 8"]
    return "\n".join(lines)


def transform_ir(forest: Forest, triple: str) -> str:
    """``@transform(raw, rows, out)``: LightGBM's ConvertOutput with the same libm ``exp`` LightGBM
    calls, so probabilities are LightGBM's to the bit."""
    k = forest.num_class
    kind = forest.transform
    sig = _hex(-forest.sigmoid)
    if kind == "softmax":
        body = _softmax_ir(k)
    else:
        if kind == "identity":
            expr = "  %y = bitcast double %v to double\n"
        elif kind == "sigmoid":
            expr = (f"  %a = fmul double {sig}, %v\n  %b = call double @exp(double %a)\n"
                    "  %c = fadd double 1.0, %b\n  %y = fdiv double 1.0, %c\n")
        elif kind == "exp":
            expr = "  %y = call double @exp(double %v)\n"
        elif kind == "log1p_exp":
            expr = "  %b = call double @exp(double %v)\n  %y = call double @log1p(double %b)\n"
        else:  # pragma: no cover - forest.py admits only the kinds above
            raise ValueError(kind)
        body = f"""  %total = mul i64 %n, {k}
  %z = icmp sle i64 %total, 0
  br i1 %z, label %done, label %loop
loop:
  %i = phi i64 [0, %entry], [%in, %loop]
  %pi = getelementptr inbounds double, double* %raw, i64 %i
  %v = load double, double* %pi, align 8
{expr}  %po = getelementptr inbounds double, double* %out, i64 %i
  store double %y, double* %po, align 8
  %in = add i64 %i, 1
  %e = icmp eq i64 %in, %total
  br i1 %e, label %done, label %loop
done:
  ret void"""
    return f"""target triple = "{triple}"
declare double @exp(double)
declare double @log1p(double)

define void @transform(double* noalias %raw, i64 %n, double* noalias %out) nounwind {{
entry:
{body}
}}
"""


def _softmax_ir(k: int) -> str:
    """LightGBM's Common::Softmax over the ``k`` raw scores of each row: max, exp(x - max)
    summed in class order, then each divided by the sum."""
    lines = ["  %z = icmp sle i64 %n, 0", "  br i1 %z, label %done, label %loop", "loop:",
             "  %r = phi i64 [0, %entry], [%rn, %loop]", f"  %base = mul i64 %r, {k}"]
    for c in range(k):
        lines += [f"  %i{c} = add i64 %base, {c}",
                  f"  %p{c} = getelementptr inbounds double, double* %raw, i64 %i{c}",
                  f"  %x{c} = load double, double* %p{c}, align 8"]
    lines.append("  %m0 = bitcast double %x0 to double")
    for c in range(1, k):
        # std::max(input[i], wmax): wmax unless wmax < input[i]
        lines += [f"  %g{c} = fcmp olt double %m{c - 1}, %x{c}",
                  f"  %m{c} = select i1 %g{c}, double %x{c}, double %m{c - 1}"]
    mx = f"%m{k - 1}"
    acc = "0.0"
    for c in range(k):
        lines += [f"  %d{c} = fsub double %x{c}, {mx}", f"  %e{c} = call double @exp(double %d{c})",
                  f"  %s{c} = fadd double {acc}, %e{c}"]
        acc = f"%s{c}"
    for c in range(k):
        lines += [f"  %y{c} = fdiv double %e{c}, {acc}",
                  f"  %q{c} = getelementptr inbounds double, double* %out, i64 %i{c}",
                  f"  store double %y{c}, double* %q{c}, align 8"]
    lines += ["  %rn = add i64 %r, 1", "  %end = icmp eq i64 %rn, %n",
              "  br i1 %end, label %done, label %loop", "done:", "  ret void"]
    return "\n".join(lines)
