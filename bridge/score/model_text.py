"""LightGBM's text model format (``model.txt``), parsed and checked before LightGBM sees it.

LightGBM's own loader trusts the file: a ``tree_sizes`` value missing or negative, an array
shorter than ``num_leaves`` says, a child index out of range or a split on a feature the model
does not have makes it read past its buffers, and the process dies with SIGABRT or SIGSEGV
instead of raising. A nightly job cannot be killed by one damaged file, so every part of the
file that LightGBM reads is checked here first, and refused with a `ModelFileError` that names
the file, the tree and the key:

* the header: ``version``, ``num_class``, ``num_tree_per_iteration``, ``label_index``,
  ``max_feature_idx``, ``objective`` (a known objective with its known parameters),
  ``average_output``, ``feature_names``, ``feature_infos``, ``monotone_constraints``,
  ``tree_sizes``; an unknown key is refused, not ignored;
* each ``Tree=`` block: the block starts where ``tree_sizes`` says and has the size it says;
  every key is known and appears once; every array has the length ``num_leaves`` gives it
  (``cat_boundaries``/``cat_threshold`` when ``num_cat > 0``; ``leaf_const``,
  ``num_features``, ``leaf_features``, ``leaf_coeff`` for linear trees); values are numbers
  of the right kind, finite where a prediction reads them; split features exist; decision
  types are ones LightGBM writes; a categorical split names a bitset that exists; the children
  form one tree from node 0 (every node and leaf reached exactly once, so no cycle), at most
  `MAX_DEPTH` levels deep;
* the ``end of trees`` line after the last tree.

What follows ``end of trees`` (feature importances, the training parameters, pandas
categories) does not change a prediction, so LightGBM is never given it: `ModelText.lightgbm_text`
is the checked header and trees plus ``end of trees``. The training parameters are kept, as
text, in `ModelText.parameters`.

The parsed trees are typed numpy arrays (`Tree`), so that code which walks or compiles trees
can use them without parsing the file again.

Format reference: LightGBM ``src/boosting/gbdt_model_text.cpp`` (``SaveModelToString``,
``LoadModelFromString``) and ``src/io/tree.cpp`` (``Tree::ToString``, ``Tree::Tree(const char*)``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.errors import ModelFileError

__all__ = [
    "MAX_DEPTH",
    "MAX_FEATURES",
    "MAX_LEAVES",
    "MAX_MODEL_BYTES",
    "OBJECTIVES",
    "ModelText",
    "Tree",
    "parse_model_text",
    "read_model_text",
]

#: Largest model file read (bytes): a 1,000-tree, 1,000-leaf model is about 100 MB.
MAX_MODEL_BYTES = 512 * 1024 * 1024
#: Most leaves in one tree (LightGBM's own limit for ``num_leaves``).
MAX_LEAVES = 131072
#: Most features in one model.
MAX_FEATURES = 1_000_000
#: Deepest tree accepted: LightGBM's contribution code recurses once per level.
MAX_DEPTH = 1000

#: Objectives LightGBM writes, with the parameters each may carry (name -> kind).
OBJECTIVES: Mapping[str, Mapping[str, str]] = {
    "binary": {"sigmoid": "float"},
    "cross_entropy": {},
    "cross_entropy_lambda": {},
    "regression": {"sqrt": "flag"},
    "regression_l1": {"sqrt": "flag"},
    "huber": {"sqrt": "flag"},
    "fair": {"sqrt": "flag"},
    "quantile": {"sqrt": "flag"},
    "mape": {"sqrt": "flag"},
    "poisson": {},
    "gamma": {},
    "tweedie": {},
    "multiclass": {"num_class": "int"},
    "multiclassova": {"num_class": "int", "sigmoid": "float"},
    "lambdarank": {},
    "rank_xendcg": {},
}

_HEADER_KEYS = ("version", "num_class", "num_tree_per_iteration", "label_index", "max_feature_idx",
                "objective", "average_output", "feature_names", "feature_infos", "monotone_constraints",
                "tree_sizes")
_VERSIONS = ("v2", "v3", "v4")

_INT = rb"-?[0-9]{1,10}"
_FLOAT = rb"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?"
_STAT_CHARS = b"0123456789.eE+-naif "
_INT_RE = re.compile(_INT)
_FLOAT_RE = re.compile(_FLOAT)
_KEY = re.compile(rb"[a-z_]+")
_NAME = re.compile(r"[^\s=]+")
_INFO = re.compile(r"none|\[[-+0-9.eEinfa]+:[-+0-9.eEinfa]+\]|-?[0-9]+(?::-?[0-9]+)*")

# kind of each tree key: (dtype kind, length rule)
#   length rule: "nodes" = num_leaves - 1, "leaves" = num_leaves, "cat" = num_cat + 1,
#   "scalar", "cat_words" = cat_boundaries[-1], "free" = checked by its own rule
_TREE_KEYS: Mapping[str, tuple[str, str]] = {
    "num_leaves": ("int", "scalar"),
    "num_cat": ("int", "scalar"),
    "split_feature": ("int", "nodes"),
    "split_gain": ("stat", "nodes"),
    "threshold": ("float", "nodes"),
    "decision_type": ("int", "nodes"),
    "left_child": ("int", "nodes"),
    "right_child": ("int", "nodes"),
    "leaf_value": ("float", "leaves"),
    "leaf_weight": ("stat", "leaves"),
    "leaf_count": ("int", "leaves"),
    "internal_value": ("stat", "nodes"),
    "internal_weight": ("stat", "nodes"),
    "internal_count": ("int", "nodes"),
    "cat_boundaries": ("int", "cat"),
    "cat_threshold": ("int", "cat_words"),
    "is_linear": ("int", "scalar"),
    "leaf_const": ("float", "leaves"),
    "num_features": ("int", "leaves"),
    "leaf_features": ("int", "free"),
    "leaf_coeff": ("float", "free"),
    "shrinkage": ("float", "scalar"),
}
_REQUIRED = ("num_leaves", "num_cat", "split_feature", "threshold", "decision_type", "left_child",
             "right_child", "leaf_value")
_OPTIONAL_STATS = ("split_gain", "leaf_weight", "leaf_count", "internal_value", "internal_weight",
                   "internal_count")
_LINEAR = ("leaf_const", "num_features", "leaf_features", "leaf_coeff")
_CATEGORICAL = ("cat_boundaries", "cat_threshold")
_EMPTY_I = np.zeros(0, dtype=np.int32)
_EMPTY_F = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class Tree:
    """One tree, as LightGBM stores it: internal nodes ``0 .. num_leaves - 2`` (node 0 the root),
    leaves ``0 .. num_leaves - 1``; a child ``c >= 0`` is a node, ``c < 0`` is leaf ``~c``.

    ``decision_type`` bits: 1 categorical, 2 missing values go left, ``(d >> 2) & 3`` the
    missing type (0 none, 1 zero, 2 NaN). A categorical split's ``threshold`` is the index of
    its bitset: words ``cat_threshold[cat_boundaries[t]:cat_boundaries[t + 1]]``.
    """

    index: int
    num_leaves: int
    num_cat: int
    split_feature: np.ndarray      # int32 (nodes)
    threshold: np.ndarray          # float64 (nodes)
    decision_type: np.ndarray      # int8 (nodes)
    left_child: np.ndarray         # int32 (nodes)
    right_child: np.ndarray        # int32 (nodes)
    leaf_value: np.ndarray         # float64 (leaves)
    leaf_count: np.ndarray         # int64 (leaves), empty when the file has none
    internal_count: np.ndarray     # int64 (nodes), empty when the file has none
    cat_boundaries: np.ndarray     # int32 (num_cat + 1), empty without categorical splits
    cat_threshold: np.ndarray      # uint32
    shrinkage: float
    is_linear: bool = False
    leaf_const: np.ndarray = field(default_factory=lambda: _EMPTY_F)  # float64 (leaves), linear only
    leaf_features: tuple[np.ndarray, ...] = ()  # per leaf: int32 feature indices
    leaf_coeff: tuple[np.ndarray, ...] = ()     # per leaf: float64 coefficients
    depth: int = 0                              # levels below the root (0 for a single leaf)


@dataclass(frozen=True, slots=True, eq=False)
class ModelText:
    """A checked LightGBM text model."""

    source: str
    version: str
    num_class: int
    num_tree_per_iteration: int
    label_index: int
    max_feature_idx: int
    objective: str | None                 # e.g. "binary"; None for a custom objective
    objective_params: Mapping[str, str]   # e.g. {"sigmoid": "1"}
    average_output: bool
    feature_names: tuple[str, ...]
    feature_infos: tuple[str, ...]
    trees: tuple[Tree, ...]
    parameters: Mapping[str, str]         # the [name: value] lines after the trees, as text
    _lightgbm: str

    @property
    def num_features(self) -> int:
        return self.max_feature_idx + 1

    @property
    def num_iterations(self) -> int:
        return len(self.trees) // self.num_tree_per_iteration

    def lightgbm_text(self) -> str:
        """The checked header and trees with ``end of trees``: what LightGBM is given to load."""
        return self._lightgbm


def read_model_text(path: str | Path) -> ModelText:
    """Read and check ``path``; raises `ModelFileError` for a file that cannot be read, is too
    large or is not a whole, consistent LightGBM text model."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_MODEL_BYTES + 1)
    except OSError as exc:
        raise ModelFileError(f"cannot be read: {exc.strerror or exc}", model=str(path)) from None
    if len(data) > MAX_MODEL_BYTES:
        raise ModelFileError(f"is larger than {MAX_MODEL_BYTES // (1024 * 1024)} MiB; "
                             "not a model this scorer loads", model=str(path))
    return parse_model_text(data, source=str(path))


def parse_model_text(data: bytes | str, *, source: str = "model.txt") -> ModelText:
    """Parse and check a LightGBM text model; raises `ModelFileError` naming tree and key.

    >>> parse_model_text(b"garbage", source="m.txt")
    Traceback (most recent call last):
    bridge.errors.ModelFileError: m.txt: is not a LightGBM text model (it does not start with a 'tree' line)
    """
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogateescape")
    return _Parser(bytes(data), source).parse()


class _Parser:
    def __init__(self, data: bytes, source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, message: str, *, tree: int | None = None, key: str | None = None) -> ModelFileError:
        return ModelFileError(message, model=self.source, tree=tree, key=key)

    # -- the whole file ---------------------------------------------------------------
    def parse(self) -> ModelText:
        data = self.data
        if not data.startswith((b"tree\n", b"tree\r\n")):
            raise self.fail("is not a LightGBM text model (it does not start with a 'tree' line)")
        if b"\0" in data:
            at = data.index(b"\0")
            raise self.fail(f"holds a NUL byte at offset {at}: the file is binary or damaged")
        end_at = _line_start(data, b"end of trees\n", 0)
        if end_at < 0:
            end_at = _line_start(data, b"end of trees\r\n", 0)
        if end_at < 0:
            raise self.fail(f"is truncated: no 'end of trees' line ({len(data)} bytes); "
                            "copy it again from where the model was trained")
        trees_end = end_at
        tree_at = _line_start(data, b"Tree=", 0, trees_end)
        head_end = tree_at if tree_at >= 0 else trees_end
        header = self._header(data[:head_end])
        sizes = header["tree_sizes"]
        starts = []
        at = tree_at
        while at >= 0:
            starts.append(at - head_end)
            at = _line_start(data, b"Tree=", at + 1, trees_end)
        actual = [b - a for a, b in zip(starts, starts[1:] + [trees_end - head_end])]
        if len(sizes) != len(actual):
            raise self.fail(f"lists {len(sizes)} tree sizes and holds {len(actual)} trees: the file was "
                            "cut or edited; copy it again", key="tree_sizes")
        for i, (declared, seen) in enumerate(zip(sizes, actual)):
            if declared != seen:
                raise self.fail(f"tree_sizes gives {declared} bytes, the tree's block holds {seen}: the file "
                                "was edited or damaged; copy it again", tree=i, key="tree_sizes")
        if not sizes:
            raise self.fail("holds no trees", key="tree_sizes")
        blocks = [self._tree_keys(i, data[head_end + offset:head_end + offset + actual[i]])
                  for i, offset in enumerate(starts)]
        arrays = self._arrays(blocks)
        trees = [self._tree_from(i, kv, arrays, header["max_feature_idx"]) for i, kv in enumerate(blocks)]
        ntpi = header["num_tree_per_iteration"]
        if len(trees) % ntpi:
            raise self.fail(f"holds {len(trees)} trees, not a whole number of iterations of {ntpi} trees",
                            key="num_tree_per_iteration")
        text = data[:trees_end].decode("utf-8", errors="strict") + "end of trees\n"
        return ModelText(
            source=self.source, version=header["version"], num_class=header["num_class"],
            num_tree_per_iteration=ntpi, label_index=header["label_index"],
            max_feature_idx=header["max_feature_idx"], objective=header["objective"],
            objective_params=header["objective_params"], average_output=header["average_output"],
            feature_names=header["feature_names"], feature_infos=header["feature_infos"], trees=tuple(trees),
            parameters=_parameters(data[trees_end:]), _lightgbm=text)

    # -- header -------------------------------------------------------------------------
    def _header(self, head: bytes) -> dict:
        values: dict[str, str] = {}
        for number, raw in enumerate(head.split(b"\n")[1:], start=2):
            line = raw[:-1] if raw.endswith(b"\r") else raw
            if not line:
                continue
            key, eq, value = line.partition(b"=")
            if not _KEY.fullmatch(key) or key.decode() not in _HEADER_KEYS:
                shown = line[:40].decode("ascii", errors="replace")
                raise self.fail(f"line {number} {shown!r} is not a header line of a LightGBM model",
                                key=key[:40].decode("ascii", errors="replace") or None)
            name = key.decode()
            if name in values:
                raise self.fail(f"appears twice in the header (line {number})", key=name)
            if name == "average_output":
                if eq:
                    raise self.fail("takes no value", key=name)
            elif not eq:
                raise self.fail(f"has no '=' (line {number})", key=name)
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                raise self.fail("is not valid UTF-8 text", key=name) from None
            if name not in ("feature_names", "monotone_constraints") and "=" in text:
                raise self.fail(f"holds a second '=' (line {number})", key=name)
            if any(c < " " and c != "\t" for c in text):
                raise self.fail("holds control characters", key=name)
            values[name] = text

        def need(name: str) -> str:
            if name not in values:
                raise self.fail("is missing from the header: the file is damaged or not a LightGBM model",
                                key=name)
            return values[name]

        def integer(name: str, low: int, high: int, default: str | None = None) -> int:
            text = values.get(name, default) if default is not None else need(name)
            if not re.fullmatch(r"-?[0-9]{1,10}", text or ""):
                raise self.fail(f"{text!r} is not a whole number", key=name)
            value = int(text)
            if not low <= value <= high:
                raise self.fail(f"{value} is outside {low} to {high}", key=name)
            return value

        version = need("version")
        if version not in _VERSIONS:
            raise self.fail(f"{version!r} is not a model version this scorer reads ({', '.join(_VERSIONS)})",
                            key="version")
        num_class = integer("num_class", 1, 100_000)
        ntpi = integer("num_tree_per_iteration", 1, 100_000, default=str(num_class))
        label_index = integer("label_index", 0, MAX_FEATURES)
        max_feature_idx = integer("max_feature_idx", 0, MAX_FEATURES - 1)
        n = max_feature_idx + 1
        names = need("feature_names")
        feature_names = tuple(names.split(" "))
        if not all(_NAME.fullmatch(x) for x in feature_names):
            raise self.fail("must be names separated by single spaces", key="feature_names")
        if len(feature_names) != n:
            raise self.fail(f"lists {len(feature_names)} names, max_feature_idx={max_feature_idx} says {n}",
                            key="feature_names")
        infos = tuple(need("feature_infos").split(" "))
        if len(infos) != n:
            raise self.fail(f"lists {len(infos)} entries for {n} features", key="feature_infos")
        bad = next((x for x in infos if not _INFO.fullmatch(x)), None)
        if bad is not None:
            raise self.fail(f"entry {bad[:40]!r} is neither 'none', '[min:max]' nor a category list",
                            key="feature_infos")
        if "monotone_constraints" in values:
            mono = values["monotone_constraints"].split(" ")
            if len(mono) != n or any(m not in ("-1", "0", "1") for m in mono):
                raise self.fail(f"must be {n} values, each -1, 0 or 1", key="monotone_constraints")
        objective, params = self._objective(values.get("objective"), num_class, ntpi)
        sizes_text = need("tree_sizes")
        if sizes_text and not re.fullmatch(r"[0-9]{1,12}(?: [0-9]{1,12})*", sizes_text):
            raise self.fail("must be byte counts (whole numbers of 0 or more) separated by single spaces",
                            key="tree_sizes")
        sizes = [int(s) for s in sizes_text.split(" ")] if sizes_text else []
        return {"version": version, "num_class": num_class, "num_tree_per_iteration": ntpi,
                "label_index": label_index, "max_feature_idx": max_feature_idx, "objective": objective,
                "objective_params": params, "average_output": "average_output" in values,
                "feature_names": feature_names, "feature_infos": infos, "tree_sizes": sizes}

    def _objective(self, text: str | None, num_class: int, ntpi: int) -> tuple[str | None, dict[str, str]]:
        if text is None:
            if num_class != 1 or ntpi != 1:
                raise self.fail("is missing: a model of several classes needs its objective", key="objective")
            return None, {}
        name, *rest = text.split(" ")
        if name not in OBJECTIVES:
            raise self.fail(f"{name!r} is not a LightGBM objective ({', '.join(OBJECTIVES)})", key="objective")
        allowed = OBJECTIVES[name]
        params: dict[str, str] = {}
        for part in rest:
            key, colon, value = part.partition(":")
            kind = allowed.get(key)
            ok = kind is not None and key not in params and (
                (kind == "flag" and not colon)
                or (kind == "int" and colon and re.fullmatch(r"[0-9]{1,6}", value) is not None)
                or (kind == "float" and colon and re.fullmatch(_FLOAT.decode(), value) is not None
                    and float(value) > 0))
            if not ok:
                raise self.fail(f"{name}: parameter {part[:40]!r} is not one LightGBM writes for it "
                                f"({', '.join(allowed) or 'none'})", key="objective")
            params[key] = value
        multi = name in ("multiclass", "multiclassova")
        if multi:
            declared = int(params.get("num_class", "0"))
            if num_class < 2 or declared != num_class or ntpi != num_class:
                raise self.fail(f"{name} needs num_class = num_tree_per_iteration = its num_class parameter "
                                f"(2 or more); the file says {num_class}, {ntpi} and {declared or 'none'}",
                                key="num_class")
        elif num_class != 1 or ntpi != 1:
            raise self.fail(f"objective {name} has one output, the file says num_class={num_class} and "
                            f"num_tree_per_iteration={ntpi}", key="num_class")
        return name, params

    # -- trees --------------------------------------------------------------------------
    def _tree_keys(self, index: int, block: bytes) -> dict[str, bytes]:
        """The ``key=value`` lines of one ``Tree=`` block (values still text)."""
        lines = block.split(b"\n")
        first = lines[0].rstrip(b"\r")
        if first != b"Tree=%d" % index:
            raise self.fail(f"block starts with {first[:20].decode('ascii', 'replace')!r}, not 'Tree={index}'",
                            tree=index)
        kv: dict[str, bytes] = {}
        ended = False
        for raw in lines[1:]:
            line = raw[:-1] if raw.endswith(b"\r") else raw
            if ended:
                if line:
                    raise self.fail(f"text after the tree's blank line: {line[:30].decode('ascii', 'replace')!r}",
                                    tree=index)
                continue
            if not line:
                ended = True
                continue
            key, eq, value = line.partition(b"=")
            name = key.decode("ascii", errors="replace")
            if not eq or not _KEY.fullmatch(key) or name not in _TREE_KEYS:
                raise self.fail(f"line {line[:40].decode('ascii', 'replace')!r} is not a key of a LightGBM tree",
                                tree=index, key=name[:40] if eq else None)
            if name in kv:
                raise self.fail("appears twice", tree=index, key=name)
            kv[name] = value
        if not ended:
            raise self.fail("does not end with a blank line: the tree is cut", tree=index)
        for key in _REQUIRED:
            if key not in kv:
                raise self.fail("is missing", tree=index, key=key)
        return kv

    def _arrays(self, blocks: list[dict[str, bytes]]) -> dict[tuple[int, str], np.ndarray]:
        """Every array of every tree as numbers, converted in two Arrow calls (whole numbers,
        other numbers) rather than tree by tree: most of a model file is these numbers.

        A value is refused unless the file separates it from the next by exactly one space and it
        parses as a whole: Arrow's conversion fails on an empty or partial token, where a
        tolerant parser would stop early and read fewer values than the file claims.
        """
        out: dict[tuple[int, str], np.ndarray] = {}
        for whole, arrow_type, dtype in ((True, pa.int64(), np.int64), (False, pa.float64(), np.float64)):
            where: list[tuple[int, str]] = []
            lines: list[bytes] = []
            for i, kv in enumerate(blocks):
                for key, raw in kv.items():
                    kind, rule = _TREE_KEYS[key]
                    if rule in ("scalar", "free") or (kind == "int") != whole:
                        continue
                    if not raw:
                        out[(i, key)] = np.zeros(0, dtype=dtype)
                        continue
                    if kind == "stat":
                        # training statistics no prediction reads: only their count and
                        # characters matter (LightGBM reads as many as num_leaves says)
                        if raw.translate(None, _STAT_CHARS) or b"  " in raw or raw[:1] == b" " or raw[-1:] == b" ":
                            raise self.fail("must be numbers separated by single spaces", tree=i, key=key)
                        out[(i, key)] = _Counted(raw.count(b" ") + 1)
                        continue
                    where.append((i, key))
                    lines.append(raw)
            if not lines:
                continue
            try:
                parts = pc.split_pattern(_text_array(lines), " ")
                values = pc.cast(parts.flatten(), arrow_type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                self._refuse_numbers(where, lines, arrow_type)
                raise  # pragma: no cover - _refuse_numbers always raises
            # from the buffers: pyarrow's to_numpy imports pandas (a third of a second) on first use
            flat = np.frombuffer(values.buffers()[1], dtype=dtype, count=len(values), offset=values.offset * 8)
            starts = parts.offsets
            offsets = np.frombuffer(starts.buffers()[1], dtype=np.int64 if starts.type == pa.int64() else np.int32,
                                    count=len(starts), offset=starts.offset * starts.type.bit_width // 8)
            for n, place in enumerate(where):
                out[place] = flat[offsets[n]:offsets[n + 1]]
        return out

    def _refuse_numbers(self, where: list[tuple[int, str]], lines: list[bytes], arrow_type: pa.DataType) -> None:
        """Find the tree and key whose numbers did not convert, and refuse them by name."""
        for (i, key), raw in zip(where, lines):
            try:
                pc.cast(pc.split_pattern(pa.array([raw], pa.binary()).cast(pa.string()), " ").flatten(),
                        arrow_type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                what = "whole numbers" if arrow_type == pa.int64() else "numbers"
                raise self.fail(f"must be {what} separated by single spaces", tree=i, key=key) from None
        raise self.fail("holds a value that is not a number")

    def _tree_from(self, index: int, kv: dict[str, bytes], arrays: dict[tuple[int, str], np.ndarray],
                   max_feature_idx: int) -> Tree:
        def fail(message: str, key: str | None = None) -> ModelFileError:
            return self.fail(message, tree=index, key=key)

        def scalar(key: str, low: float, high: float, default: str | None = None):
            raw = kv.get(key, default.encode() if default is not None else None)
            if raw is None:
                raise fail("is missing", key)
            kind = _TREE_KEYS[key][0]
            pattern = _INT_RE if kind == "int" else _FLOAT_RE
            if not pattern.fullmatch(raw):
                raise fail(f"{raw[:30].decode('ascii', 'replace')!r} is not a number", key)
            value = int(raw) if kind == "int" else float(raw)
            if not low <= value <= high:
                raise fail(f"{value} is outside {low:g} to {high:g}", key)
            return value

        num_leaves = scalar("num_leaves", 1, MAX_LEAVES)
        num_cat = scalar("num_cat", 0, max(num_leaves - 1, 0))
        is_linear = bool(scalar("is_linear", 0, 1, default="0"))
        shrinkage = float(scalar("shrinkage", -1e300, 1e300, default="1"))
        nodes = num_leaves - 1

        def array(key: str, length: int, *, optional: bool = False) -> np.ndarray | None:
            values = arrays.get((index, key))
            if values is None:
                if optional:
                    return None
                raise fail("is missing", key)
            if len(values) != length:
                if optional and num_leaves == 1 and len(values) == 0:
                    return None
                raise fail(f"holds {len(values)} values, num_leaves={num_leaves} needs {length}", key)
            if _TREE_KEYS[key][0] == "float" and not np.isfinite(values).all():
                raise fail("holds a value that is not a finite number", key)
            return values

        split_feature = array("split_feature", nodes)
        threshold = array("threshold", nodes)
        decision_type = array("decision_type", nodes)
        left = array("left_child", nodes)
        right = array("right_child", nodes)
        leaf_value = array("leaf_value", num_leaves)
        stats = {key: array(key, num_leaves if key.startswith("leaf") else nodes, optional=True)
                 for key in _OPTIONAL_STATS}
        for key in ("leaf_count", "internal_count"):
            counts = stats[key]
            if counts is not None and (counts < 0).any():
                raise fail("holds a negative count", key)

        bad = (split_feature < 0) | (split_feature > max_feature_idx)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise fail(f"node {j} splits on feature {int(split_feature[j])}; the model has features "
                       f"0 to {max_feature_idx}", "split_feature")
        bad = ((decision_type & ~0x0F) != 0) | (((decision_type >> 2) & 3) == 3) | (decision_type < 0)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise fail(f"node {j} has decision type {int(decision_type[j])}, not one LightGBM writes",
                       "decision_type")

        categorical = (decision_type & 1) == 1
        cat_boundaries, cat_threshold = _EMPTY_I, np.zeros(0, dtype=np.uint32)
        if num_cat > 0:
            cb = array("cat_boundaries", num_cat + 1)
            if cb[0] != 0 or (np.diff(cb) < 1).any():
                raise fail("must start at 0 and increase", "cat_boundaries")
            if cb[-1] > 1_000_000:
                raise fail(f"ends at {int(cb[-1])} words, more than any category list", "cat_boundaries")
            ct = array("cat_threshold", int(cb[-1]))
            if ((ct < 0) | (ct > 0xFFFFFFFF)).any():
                raise fail("must be 32-bit words (0 to 4294967295)", "cat_threshold")
            cat_boundaries, cat_threshold = cb.astype(np.int32), ct.astype(np.uint32)
        else:
            for key in _CATEGORICAL:
                if key in kv:
                    raise fail("is present while num_cat=0", key)
        if categorical.any():
            t = threshold[categorical]
            bad = (t != np.floor(t)) | (t < 0) | (t >= num_cat)
            if bad.any():
                j = int(np.flatnonzero(categorical)[np.flatnonzero(bad)[0]])
                raise fail(f"categorical node {j} names bitset {threshold[j]:g}; the tree has {num_cat} "
                           "(num_cat)", "threshold")

        depth = self._check_children(index, num_leaves, left, right)

        leaf_const: np.ndarray = _EMPTY_F
        leaf_features: tuple[np.ndarray, ...] = ()
        leaf_coeff: tuple[np.ndarray, ...] = ()
        if is_linear:
            leaf_const = array("leaf_const", num_leaves)
            counts = array("num_features", num_leaves)
            if ((counts < 0) | (counts > max_feature_idx + 1)).any():
                raise fail(f"counts must be 0 to {max_feature_idx + 1}", "num_features")
            leaf_features = self._per_leaf(index, kv, "leaf_features", counts, np.int64)
            if any(((f < 0) | (f > max_feature_idx)).any() for f in leaf_features):
                raise fail(f"names a feature outside 0 to {max_feature_idx}", "leaf_features")
            leaf_features = tuple(f.astype(np.int32) for f in leaf_features)
            leaf_coeff = self._per_leaf(index, kv, "leaf_coeff", counts, np.float64)
        else:
            for key in _LINEAR:
                if key in kv:
                    raise fail("is present in a tree that is not linear (is_linear=0)", key)

        leaf_count, internal_count = stats["leaf_count"], stats["internal_count"]
        return Tree(
            index=index, num_leaves=num_leaves, num_cat=num_cat,
            split_feature=split_feature.astype(np.int32), threshold=threshold,
            decision_type=decision_type.astype(np.int8), left_child=left.astype(np.int32),
            right_child=right.astype(np.int32), leaf_value=leaf_value,
            leaf_count=leaf_count if leaf_count is not None else np.zeros(0, dtype=np.int64),
            internal_count=internal_count if internal_count is not None else np.zeros(0, dtype=np.int64),
            cat_boundaries=cat_boundaries, cat_threshold=cat_threshold, shrinkage=shrinkage,
            is_linear=is_linear, leaf_const=leaf_const, leaf_features=leaf_features, leaf_coeff=leaf_coeff,
            depth=depth)

    def _check_children(self, index: int, num_leaves: int, left: np.ndarray, right: np.ndarray) -> int:
        """Depth of the tree; refuses children out of range or not forming one tree from node 0.

        Every node but the root and every leaf must be some node's child exactly once; then the
        only other shape possible is a detached cycle, found by pointer jumping (each node's
        ancestor 1, 2, 4, ... levels up): a node whose far ancestor is not the root is on one.
        The same jumps add up each node's depth. No loop per node.
        """
        nodes = num_leaves - 1
        if nodes == 0:
            return 0
        for key, child in (("left_child", left), ("right_child", right)):
            bad = (child >= nodes) | (child < -num_leaves)
            if bad.any():
                j = int(np.flatnonzero(bad)[0])
                raise self.fail(f"node {j} points to {int(child[j])}; this tree has nodes 0 to {nodes - 1} and "
                                f"leaves -1 to {-num_leaves}", tree=index, key=key)
        children = np.concatenate((left, right))
        parents = np.concatenate((np.arange(nodes), np.arange(nodes)))
        inner = children >= 0
        node_refs = np.bincount(children[inner], minlength=nodes)
        leaf_refs = np.bincount(~children[~inner], minlength=num_leaves)
        if node_refs[0] or (node_refs[1:] != 1).any() or (leaf_refs != 1).any():
            if node_refs[0]:
                what = "node 0 (the root) is some node's child"
            elif (node_refs[1:] != 1).any():
                j = int(np.flatnonzero(node_refs[1:] != 1)[0]) + 1
                what = f"node {j} is the child of {int(node_refs[j])} nodes"
            else:
                j = int(np.flatnonzero(leaf_refs != 1)[0])
                what = f"leaf {j} is the child of {int(leaf_refs[j])} nodes"
            raise self.fail(f"{what}, not one: the children do not form a tree", tree=index, key="left_child")
        parent = np.zeros(nodes, dtype=np.int64)
        parent[children[inner]] = parents[inner]
        up = parent.copy()
        depth = (np.arange(nodes) != 0).astype(np.int64)
        for _ in range(int(nodes).bit_length() + 1):
            depth = depth + depth[up]
            up = up[up]
        if (up != 0).any():
            j = int(np.flatnonzero(up != 0)[0])
            raise self.fail(f"node {j} cannot be reached from node 0: the children form a cycle",
                            tree=index, key="left_child")
        leaf_depth = int(depth[parents[~inner]].max()) + 1
        if leaf_depth > MAX_DEPTH:
            raise self.fail(f"is {leaf_depth} levels deep, more than the {MAX_DEPTH} this scorer accepts",
                            tree=index, key="left_child")
        return leaf_depth

    def _per_leaf(self, index: int, kv: dict[str, bytes], key: str, counts: np.ndarray,
                  dtype: type) -> tuple[np.ndarray, ...]:
        """A linear tree's per-leaf list, written as each value followed by a space and each
        leaf's list followed by one more space; refused unless it is exactly that."""
        raw = kv.get(key)
        if raw is None:
            raise self.fail("is missing from a linear tree", tree=index, key=key)
        tokens = raw.split()
        pattern = re.compile(_INT if dtype is np.int64 else _FLOAT)
        if len(tokens) != int(counts.sum()) or not all(pattern.fullmatch(t) for t in tokens):
            raise self.fail(f"holds {len(tokens)} values, num_features adds up to {int(counts.sum())}",
                            tree=index, key=key)
        out, pos, canonical = [], 0, []
        for c in counts.tolist():
            group = tokens[pos:pos + c]
            pos += c
            canonical.append(b"".join(t + b" " for t in group) + b" ")
            out.append(np.array([int(t) if dtype is np.int64 else float(t) for t in group], dtype=dtype))
        if b"".join(canonical) != raw:
            raise self.fail("is not laid out one leaf after another as LightGBM writes it", tree=index, key=key)
        if dtype is np.float64 and not all(np.isfinite(g).all() for g in out):
            raise self.fail("holds a value too large for a double", tree=index, key=key)
        return tuple(out)


class _Counted:
    """Stands for an array that is only counted, never converted: ``len()`` is all it has."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n


def _text_array(lines: list[bytes]) -> pa.Array:
    """An Arrow string array of ``lines``, built from one joined buffer (much cheaper than
    converting a list of bytes objects); the cast checks the bytes are UTF-8."""
    offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    np.cumsum([len(line) for line in lines], out=offsets[1:])
    raw = pa.Array.from_buffers(pa.large_binary(), len(lines),
                                [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(lines))])
    return raw.cast(pa.large_string())


def _line_start(data: bytes, text: bytes, start: int, end: int | None = None) -> int:
    """Offset of the first line in ``data[start:end]`` that begins with ``text``; -1 if none."""
    end = len(data) if end is None else end
    at = data.find(text, start, end)
    while at > 0 and data[at - 1] != 0x0A:
        at = data.find(text, at + 1, end)
    return at


def _parameters(tail: bytes) -> dict[str, str]:
    """The ``[name: value]`` lines between ``parameters:`` and ``end of parameters``, as text."""
    out: dict[str, str] = {}
    inside = False
    for raw in tail.split(b"\n"):
        line = raw.rstrip(b"\r").decode("utf-8", errors="replace")
        if line == "parameters:":
            inside = True
        elif line == "end of parameters":
            break
        elif inside:
            m = re.fullmatch(r"\[([A-Za-z0-9_]+): (.*)\]", line)
            if m:
                out[m.group(1)] = m.group(2)
    return out
