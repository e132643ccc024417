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
  of the right kind, finite where a prediction reads them (a threshold may be infinite, as
  LightGBM writes for a split of missing values from the rest); split features exist; decision
  types are ones LightGBM writes; a categorical split names a bitset that exists; the children
  form one tree from node 0 (every node and leaf reached exactly once, so no cycle), at most
  `MAX_DEPTH` levels deep;
* the ``end of trees`` line after the last tree.

What follows ``end of trees`` (feature importances, the training parameters, pandas
categories) does not change a prediction, so LightGBM is never given it: `ModelText.lightgbm_text`
is the checked header and trees plus ``end of trees``. The training parameters are kept, as
text, in `ModelText.parameters`.

This is the only parser of the format in the package: the parsed trees are typed numpy arrays
(`Tree`), the very trees the compiler, its array walk and `bridge.score.compiled.forest` read,
so nothing parses the file a second time and no second parser can read it differently.

Speed, since a scoring run pays for this once per model: the numbers of all trees are converted
in two Arrow calls, and every check runs once over all trees' values laid end to end (the
children of all trees form one forest of global node numbers), not once per tree. A model of
500 trees x 255 leaves (13.8 MB) is read in about 1.3x the CPU of LightGBM's own load
(``bench/bench_model_text.py``). Of several faults in one file, the first in the order of the
checks (sizes, then values, then shapes) is named, in the first tree that has it.

Format reference: LightGBM ``src/boosting/gbdt_model_text.cpp`` (``SaveModelToString``,
``LoadModelFromString``) and ``src/io/tree.cpp`` (``Tree::ToString``, ``Tree::Tree(const char*)``).
"""
from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.arrow_buffers import values_of
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
_END = "end of trees\n"

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
_TREE_KEY_NAMES = {key.encode(): key for key in _TREE_KEYS}
_REQUIRED = ("num_leaves", "num_cat", "split_feature", "threshold", "decision_type", "left_child",
             "right_child", "leaf_value")
_OPTIONAL_STATS = ("split_gain", "leaf_weight", "leaf_count", "internal_value", "internal_weight",
                   "internal_count")
_LINEAR = ("leaf_const", "num_features", "leaf_features", "leaf_coeff")
_CATEGORICAL = ("cat_boundaries", "cat_threshold")


@dataclass(frozen=True, slots=True, eq=False)
class Tree:
    """One checked tree, as LightGBM stores it: internal nodes ``0 .. num_leaves - 2`` (node 0 the
    root) go to ``left[i]``/``right[i]``; a child ``c >= 0`` is a node, ``c < 0`` is leaf ``~c``.

    ``decision_type`` bits: 1 categorical, 2 missing values go left, ``(d >> 2) & 3`` the
    missing type (0 none, 1 zero, 2 NaN). A categorical split's ``threshold`` is the index of
    its bitset: words ``cat_threshold[cat_boundaries[t]:cat_boundaries[t + 1]]``. This is the
    tree the compiler, its array walk and the checks all read (`bridge.score.compiled.forest`).
    """

    num_leaves: int
    split_feature: np.ndarray        # int32 per internal node
    threshold: np.ndarray            # float64 per internal node (categorical: index into cat_boundaries)
    decision_type: np.ndarray        # int8 per internal node
    left: np.ndarray                 # int32 per internal node
    right: np.ndarray                # int32 per internal node
    leaf_value: np.ndarray           # float64 per leaf
    leaf_count: np.ndarray           # int64 per leaf (0 when the file has none)
    internal_count: np.ndarray       # int64 per internal node (0 when the file has none)
    cat_boundaries: np.ndarray       # int32, num_cat + 1 ([0] without categorical splits)
    cat_threshold: np.ndarray        # uint32 bitset words
    depth: int                       # splits on the longest path from the root (0 for one leaf)
    linear: bool = False
    leaf_const: np.ndarray | None = None           # float64 per leaf, linear trees only
    leaf_features: tuple[np.ndarray, ...] = ()     # per leaf: int32 feature indices
    leaf_coeff: tuple[np.ndarray, ...] = ()        # per leaf: float64 coefficients
    index: int = 0                   # position in the file (Tree=index)
    num_cat: int = 0                 # categorical splits (bitsets)
    shrinkage: float = 1.0           # already applied to the leaf values; kept as written

    @property
    def num_nodes(self) -> int:
        return self.num_leaves - 1


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
    _data: bytes                          # the file as read: the checked header and trees end at _end
    _end: int
    _decoded: list[str] = field(default_factory=list, repr=False)   # lightgbm_text(), once made

    @property
    def num_features(self) -> int:
        return self.max_feature_idx + 1

    @property
    def num_iterations(self) -> int:
        return len(self.trees) // self.num_tree_per_iteration

    def lightgbm_text(self) -> str:
        """The checked header and trees with ``end of trees``: what LightGBM is given to load."""
        # decoded on first use: a scoring run that never loads LightGBM never needs the text
        if not self._decoded:
            self._decoded.append(str(memoryview(self._data)[:self._end], "utf-8") + _END)
        return self._decoded[0]

    def digest(self) -> str:
        """The sha256 (hex) of `lightgbm_text`'s UTF-8 bytes: the model's identity for caches."""
        digest = hashlib.sha256(memoryview(self._data)[:self._end])
        digest.update(_END.encode())
        return digest.hexdigest()


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
        starts = list(itertools.accumulate(sizes[:-1], initial=0))
        if (tree_at >= 0 and sum(sizes) == trees_end - head_end
                and all(data.startswith(b"Tree=", head_end + at) for at in starts)):
            # the blocks are where tree_sizes says: no need to search 'Tree=' through the whole
            # file (a 'Tree=' line inside a block is refused as a key no tree has)
            actual = sizes
        else:
            # find every block, to say which size is wrong
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
        trees = self._trees(blocks, header["max_feature_idx"])
        ntpi = header["num_tree_per_iteration"]
        if len(trees) % ntpi:
            raise self.fail(f"holds {len(trees)} trees, not a whole number of iterations of {ntpi} trees",
                            key="num_tree_per_iteration")
        # every byte of the header and trees was checked above (header values UTF-8, tree values
        # numbers), so the text decodes; it is kept as read and decoded only when it is asked for
        return ModelText(
            source=self.source, version=header["version"], num_class=header["num_class"],
            num_tree_per_iteration=ntpi, label_index=header["label_index"],
            max_feature_idx=header["max_feature_idx"], objective=header["objective"],
            objective_params=header["objective_params"], average_output=header["average_output"],
            feature_names=header["feature_names"], feature_infos=header["feature_infos"], trees=tuple(trees),
            parameters=_parameters(data[trees_end:]), _data=data, _end=trees_end)

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
            if ended:
                if raw and raw != b"\r":
                    raise self.fail(f"text after the tree's blank line: {raw[:30].decode('ascii', 'replace')!r}",
                                    tree=index)
                continue
            if not raw or raw == b"\r":
                ended = True
                continue
            key, eq, value = raw.partition(b"=")
            name = _TREE_KEY_NAMES.get(key)
            if name is None or not eq:
                line = raw[:-1] if raw.endswith(b"\r") else raw
                shown = key.decode("ascii", errors="replace")
                raise self.fail(f"line {line[:40].decode('ascii', 'replace')!r} is not a key of a LightGBM tree",
                                tree=index, key=shown[:40] if eq else None)
            if name in kv:
                raise self.fail("appears twice", tree=index, key=name)
            kv[name] = value[:-1] if value.endswith(b"\r") else value
        if not ended:
            raise self.fail("does not end with a blank line: the tree is cut", tree=index)
        for key in _REQUIRED:
            if key not in kv:
                raise self.fail("is missing", tree=index, key=key)
        return kv

    def _columns(self, blocks: list[dict[str, bytes]]) -> dict[str, "_Column"]:
        """Every array key's values over all trees, converted in two Arrow calls (whole numbers,
        other numbers) rather than tree by tree: most of a model file is these numbers.

        A value is refused unless the file separates it from the next by exactly one space and it
        parses as a whole: Arrow's conversion fails on an empty or partial token, where a
        tolerant parser would stop early and read fewer values than the file claims.
        """
        n = len(blocks)
        columns: dict[str, _Column] = {}
        for whole, arrow_type in ((True, pa.int64()), (False, pa.float64())):
            lines: list[bytes] = []
            spans: list[tuple[str, int, list[int]]] = []
            for key, (kind, rule) in _TREE_KEYS.items():
                if rule in ("scalar", "free") or (kind == "int") != whole:
                    continue
                raws = [kv.get(key) for kv in blocks]
                present = np.array([raw is not None for raw in raws], dtype=bool)
                trees = [i for i, raw in enumerate(raws) if raw]
                if kind == "stat":
                    columns[key] = self._counted(key, raws, trees, present)
                    continue
                spans.append((key, len(lines), trees))
                columns[key] = _Column(None, np.zeros(n + 1, dtype=np.int64), present)
                lines += [raws[i] for i in trees]
            flat, offsets = np.zeros(0, dtype=np.int64 if whole else np.float64), np.zeros(1, dtype=np.int64)
            if lines:
                try:
                    parts = pc.split_pattern(_text_array(lines), " ")
                    values = pc.cast(parts.flatten(), arrow_type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                    where = [(i, key) for key, _, trees in spans for i in trees]
                    self._refuse_numbers(where, lines, arrow_type)
                    raise  # pragma: no cover - _refuse_numbers always raises
                # from the buffers: pyarrow's to_numpy imports pandas (a third of a second) on first use
                flat, offsets = values_of(values), values_of(parts.offsets)
            for key, first, trees in spans:
                lengths = np.zeros(n, dtype=np.int64)
                last = first + len(trees)
                lengths[trees] = np.diff(offsets[first:last + 1])
                columns[key] = _Column(flat[offsets[first]:offsets[last]], _starts(lengths), columns[key].present)
        return columns

    def _counted(self, key: str, raws: list[bytes | None], trees: list[int], present: np.ndarray) -> "_Column":
        """A training statistic no prediction reads: only its count of values and its characters
        matter (LightGBM reads as many as num_leaves says), so it is counted, not converted."""
        lengths = np.zeros(len(raws), dtype=np.int64)
        if trees:
            # all of the key's lines at once: only allowed characters, no separator (space or
            # line end) beside another or at either end
            joined = b"\n".join([raws[i] for i in trees])   # type: ignore[misc]
            chars = np.frombuffer(joined, dtype=np.uint8)
            gaps = (chars == 0x20) | (chars == 0x0A)
            if (joined.translate(None, _STAT_CHARS + b"\n") or gaps[0] or gaps[-1]
                    or (gaps[1:] & gaps[:-1]).any()):
                for i in trees:
                    raw = raws[i]
                    if raw.translate(None, _STAT_CHARS) or b"  " in raw or raw[:1] == b" " or raw[-1:] == b" ":
                        raise self.fail("must be numbers separated by single spaces", tree=i, key=key)
            lengths[trees] = [raws[i].count(b" ") + 1 for i in trees]   # type: ignore[union-attr]
        return _Column(None, _starts(lengths), present)

    def _refuse_numbers(self, where: list[tuple[int, str]], lines: list[bytes], arrow_type: pa.DataType) -> None:
        """Find the first tree and key whose numbers did not convert, and refuse them by name."""
        for (i, key), raw in sorted(zip(where, lines), key=lambda item: item[0][0]):
            try:
                pc.cast(pc.split_pattern(pa.array([raw], pa.binary()).cast(pa.string()), " ").flatten(),
                        arrow_type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                what = "whole numbers" if arrow_type == pa.int64() else "numbers"
                raise self.fail(f"must be {what} separated by single spaces", tree=i, key=key) from None
        raise self.fail("holds a value that is not a number")

    def _scalars(self, blocks: list[dict[str, bytes]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]:
        """``num_leaves``, ``num_cat``, ``is_linear`` and ``shrinkage`` of every tree."""
        num_leaves = np.zeros(len(blocks), dtype=np.int64)
        num_cat = np.zeros(len(blocks), dtype=np.int64)
        linear = np.zeros(len(blocks), dtype=bool)
        shrinkage: list[float] = []
        for i, kv in enumerate(blocks):
            def scalar(key: str, low: float, high: float, default: bytes | None = None) -> int | float:
                raw = kv.get(key, default)
                if raw is None:
                    raise self.fail("is missing", tree=i, key=key)
                whole = _TREE_KEYS[key][0] == "int"
                if not (_INT_RE if whole else _FLOAT_RE).fullmatch(raw):
                    raise self.fail(f"{raw[:30].decode('ascii', 'replace')!r} is not a number", tree=i, key=key)
                value = int(raw) if whole else float(raw)
                if not low <= value <= high:
                    raise self.fail(f"{value} is outside {low:g} to {high:g}", tree=i, key=key)
                return value

            num_leaves[i] = leaves = scalar("num_leaves", 1, MAX_LEAVES)
            num_cat[i] = scalar("num_cat", 0, max(leaves - 1, 0))
            linear[i] = scalar("is_linear", 0, 1, default=b"0")
            shrinkage.append(float(scalar("shrinkage", -1e300, 1e300, default=b"1")))
        return num_leaves, num_cat, linear, shrinkage

    def _trees(self, blocks: list[dict[str, bytes]], max_feature_idx: int) -> list[Tree]:
        """Every tree checked and read, each check made once over all trees' values end to end
        (a loop per tree would cost more than the checks). Of several faults the first in the
        order of the checks (scalars, lengths, values, shapes) is named, in its first tree."""
        num_leaves, num_cat, linear, shrinkage = self._scalars(blocks)
        cols = self._columns(blocks)
        n = len(blocks)
        nodes = num_leaves - 1
        has_cat = num_cat > 0
        applies = np.ones(n, dtype=bool)
        expected = {"nodes": nodes, "leaves": num_leaves, "cat": num_cat + 1}

        def first(bad: np.ndarray) -> int | None:
            return int(np.argmax(bad)) if bad.any() else None

        def refuse(faults: list[tuple[int | None, str, str]]) -> None:
            """Raise the fault of the lowest tree (the first listed on a tie), if any."""
            found = [(tree, order, key, message) for order, (tree, key, message) in enumerate(faults)
                     if tree is not None]
            if found:
                tree, _, key, message = min(found)
                raise self.fail(message(tree) if callable(message) else message, tree=tree, key=key)

        # -- lengths --------------------------------------------------------------------
        faults: list = []
        for key, rule, where, optional in (
                *((k, _TREE_KEYS[k][1], applies, False) for k in _REQUIRED[2:]),
                *((k, _TREE_KEYS[k][1], applies, True) for k in _OPTIONAL_STATS),
                ("cat_boundaries", "cat", has_cat, False),
                ("leaf_const", "leaves", linear, False), ("num_features", "leaves", linear, False)):
            col = cols[key]
            want = expected[rule]
            got = col.lengths()
            if not optional:
                faults.append((first(where & ~col.present), key, "is missing"))
            bad = where & col.present & (got != want)
            if optional:
                bad &= ~((num_leaves == 1) & (got == 0))
            faults.append((first(bad), key,
                           lambda t, got=got, want=want: f"holds {got[t]} values, num_leaves={num_leaves[t]} "
                                                         f"needs {want[t]}"))
        for key in _CATEGORICAL:
            faults.append((first(~has_cat & cols[key].present), key, "is present while num_cat=0"))
        for key in _LINEAR:
            faults.append((first(~linear & np.array([key in kv for kv in blocks])), key,
                           "is present in a tree that is not linear (is_linear=0)"))
        refuse(faults)

        # -- values ---------------------------------------------------------------------
        node_start = cols["split_feature"].start
        tree_of_node = np.repeat(np.arange(n), nodes)

        def tree_of(col: _Column, bad: np.ndarray) -> tuple[int | None, int]:
            """The tree of the first value ``bad`` flags, and the value's place in that tree."""
            if not bad.any():
                return None, 0
            at = int(np.argmax(bad))
            tree = int(np.searchsorted(col.start, at, side="right")) - 1
            return tree, at - int(col.start[tree])

        faults = []
        thresholds = cols["threshold"].values
        # LightGBM writes inf for a split of the missing values (NaN) from all others
        faults.append((tree_of(cols["threshold"], np.isnan(thresholds))[0], "threshold", "holds NaN, not a threshold"))
        for key in ("leaf_value", "leaf_const"):
            faults.append((tree_of(cols[key], ~np.isfinite(cols[key].values))[0], key,
                           "holds a value that is not a finite number"))
        for key in ("leaf_count", "internal_count"):
            faults.append((tree_of(cols[key], cols[key].values < 0)[0], key, "holds a negative count"))
        split_feature = cols["split_feature"].values
        tree, j = tree_of(cols["split_feature"], (split_feature < 0) | (split_feature > max_feature_idx))
        faults.append((tree, "split_feature", lambda t, j=j: f"node {j} splits on feature "
                       f"{int(split_feature[node_start[t] + j])}; the model has features 0 to {max_feature_idx}"))
        decision = cols["decision_type"].values
        tree, j = tree_of(cols["decision_type"],
                          ((decision & ~0x0F) != 0) | (((decision >> 2) & 3) == 3) | (decision < 0))
        faults.append((tree, "decision_type", lambda t, j=j: f"node {j} has decision type "
                       f"{int(decision[node_start[t] + j])}, not one LightGBM writes"))
        cb = cols["cat_boundaries"]
        ends = np.zeros(n, dtype=np.int64)
        if has_cat.any():
            first_word, last_word = cb.start[:-1][has_cat], cb.start[1:][has_cat] - 1
            steps = np.diff(cb.values) < 1
            steps[last_word[:-1]] = False          # a step from one tree's last bound to the next tree's first
            bad = np.zeros(n, dtype=bool)
            bad[has_cat] = cb.values[first_word] != 0
            bad |= np.bincount(np.searchsorted(cb.start, np.flatnonzero(steps), side="right") - 1,
                               minlength=n).astype(bool)
            faults.append((first(bad), "cat_boundaries", "must start at 0 and increase"))
            ends[has_cat] = cb.values[last_word]
            faults.append((first(ends > 1_000_000), "cat_boundaries",
                           lambda t: f"ends at {int(ends[t])} words, more than any category list"))
        refuse(faults)

        faults = []
        ct = cols["cat_threshold"]
        got = ct.lengths()
        faults.append((first(has_cat & ~ct.present), "cat_threshold", "is missing"))
        faults.append((first(has_cat & ct.present & (got != ends)), "cat_threshold",
                       lambda t: f"holds {got[t]} values, num_leaves={num_leaves[t]} needs {ends[t]}"))
        refuse(faults)
        faults.append((tree_of(ct, (ct.values < 0) | (ct.values > 0xFFFFFFFF))[0], "cat_threshold",
                       "must be 32-bit words (0 to 4294967295)"))
        categorical = (decision & 1) == 1
        bad = categorical & ((thresholds != np.floor(thresholds)) | (thresholds < 0)
                             | (thresholds >= num_cat[tree_of_node]))
        tree, j = tree_of(cols["threshold"], bad)
        faults.append((tree, "threshold", lambda t, j=j: f"categorical node {j} names bitset "
                       f"{thresholds[node_start[t] + j]:g}; the tree has {num_cat[t]} (num_cat)"))
        refuse(faults)

        depth = self._check_children(num_leaves, node_start, tree_of_node, cols["left_child"].values,
                                     cols["right_child"].values)

        # -- the trees --------------------------------------------------------------------
        feature32 = split_feature.astype(np.int32)
        decision8 = decision.astype(np.int8)
        left = cols["left_child"].values.astype(np.int32)
        right = cols["right_child"].values.astype(np.int32)
        leaf_value = cols["leaf_value"]
        leaf_start = leaf_value.start
        words = ct.values.astype(np.uint32)
        bounds = cb.values.astype(np.int32)
        counts = {key: cols[key] for key in ("leaf_count", "internal_count")}
        trees = []
        for i in range(n):
            a, b = node_start[i], node_start[i + 1]
            leaves = int(num_leaves[i])
            stat = {key: col.values[col.start[i]:col.start[i + 1]] for key, col in counts.items()}
            if len(stat["leaf_count"]) != leaves:
                stat["leaf_count"] = np.zeros(leaves, dtype=np.int64)
            if len(stat["internal_count"]) != leaves - 1:
                stat["internal_count"] = np.zeros(leaves - 1, dtype=np.int64)
            if has_cat[i]:
                cat_boundaries = bounds[cb.start[i]:cb.start[i + 1]]
                cat_threshold = words[ct.start[i]:ct.start[i + 1]]
            else:
                cat_boundaries, cat_threshold = np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.uint32)
            leaf_const, leaf_features, leaf_coeff = None, (), ()
            if linear[i]:
                leaf_const, leaf_features, leaf_coeff = self._linear(i, blocks[i], cols, max_feature_idx)
            trees.append(Tree(
                num_leaves=leaves, split_feature=feature32[a:b], threshold=thresholds[a:b],
                decision_type=decision8[a:b], left=left[a:b], right=right[a:b],
                leaf_value=leaf_value.values[leaf_start[i]:leaf_start[i + 1]],
                leaf_count=stat["leaf_count"], internal_count=stat["internal_count"],
                cat_boundaries=cat_boundaries, cat_threshold=cat_threshold, depth=int(depth[i]),
                linear=bool(linear[i]), leaf_const=leaf_const, leaf_features=leaf_features, leaf_coeff=leaf_coeff,
                index=i, num_cat=int(num_cat[i]), shrinkage=shrinkage[i]))
        return trees

    def _linear(self, index: int, kv: dict[str, bytes], cols: dict[str, "_Column"],
                max_feature_idx: int) -> tuple[np.ndarray, tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """A linear tree's constants, and its features and coefficients per leaf."""
        counts = cols["num_features"].of(index)
        if ((counts < 0) | (counts > max_feature_idx + 1)).any():
            raise self.fail(f"counts must be 0 to {max_feature_idx + 1}", tree=index, key="num_features")
        features = self._per_leaf(index, kv, "leaf_features", counts, np.int64)
        if any(((f < 0) | (f > max_feature_idx)).any() for f in features):
            raise self.fail(f"names a feature outside 0 to {max_feature_idx}", tree=index, key="leaf_features")
        coeff = self._per_leaf(index, kv, "leaf_coeff", counts, np.float64)
        return cols["leaf_const"].of(index), tuple(f.astype(np.int32) for f in features), coeff

    def _check_children(self, num_leaves: np.ndarray, node_start: np.ndarray, tree_of_node: np.ndarray,
                        left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Every tree's depth; refuses children out of range or not forming one tree from node 0.

        All trees at once, as one forest of global node numbers. Every node but a root and every
        leaf must be some node's child exactly once; then the only other shape possible is a
        detached cycle, whose nodes a walk from the roots, level by level, never reaches. The walk
        visits each node once and stops below `MAX_DEPTH` levels, so no file makes it long.
        """
        n = len(num_leaves)
        nodes = num_leaves - 1
        depth = np.zeros(n, dtype=np.int64)
        if not nodes.any():
            return depth
        faults = []
        for key, child in (("left_child", left), ("right_child", right)):
            bad = (child >= nodes[tree_of_node]) | (child < -num_leaves[tree_of_node])
            if bad.any():
                at = int(np.argmax(bad))
                tree = int(tree_of_node[at])
                faults.append((tree, key, at - int(node_start[tree]), int(child[at])))
        if faults:
            tree, key, j, value = min(faults)
            raise self.fail(f"node {j} points to {value}; this tree has nodes 0 to {nodes[tree] - 1} and "
                            f"leaves -1 to {-num_leaves[tree]}", tree=tree, key=key)
        leaf_start = _starts(num_leaves)
        total_nodes = int(node_start[-1])
        root_of, leaf_base = node_start[tree_of_node], leaf_start[tree_of_node]
        inner_left, inner_right = left >= 0, right >= 0
        left_node = np.where(inner_left, left + root_of, -1)      # global node numbers, -1 for a leaf
        right_node = np.where(inner_right, right + root_of, -1)
        node_refs = np.bincount(np.concatenate((left_node[inner_left], right_node[inner_right])),
                                minlength=total_nodes)
        leaf_refs = np.bincount(np.concatenate(((~left + leaf_base)[~inner_left], (~right + leaf_base)[~inner_right])),
                                minlength=int(leaf_start[-1]))
        grown = nodes > 0
        roots = node_start[:-1][grown]
        bad_node = node_refs != 1
        bad_node[roots] = node_refs[roots] != 0
        bad_leaf = (leaf_refs != 1) & np.repeat(grown, num_leaves)
        if bad_node.any() or bad_leaf.any():
            trees = [int(tree_of_node[np.argmax(bad_node)])] if bad_node.any() else []
            if bad_leaf.any():
                trees.append(int(np.searchsorted(leaf_start, np.argmax(bad_leaf), side="right")) - 1)
            tree = min(trees)
            refs = node_refs[node_start[tree]:node_start[tree + 1]]
            leaf = leaf_refs[leaf_start[tree]:leaf_start[tree + 1]]
            if refs[0]:
                what = "node 0 (the root) is some node's child"
            elif (refs[1:] != 1).any():
                j = int(np.flatnonzero(refs[1:] != 1)[0]) + 1
                what = f"node {j} is the child of {int(refs[j])} nodes"
            else:
                j = int(np.flatnonzero(leaf != 1)[0])
                what = f"leaf {j} is the child of {int(leaf[j])} nodes"
            raise self.fail(f"{what}, not one: the children do not form a tree", tree=tree, key="left_child")
        level = np.full(total_nodes, -1, dtype=np.int64)
        frontier = roots
        for d in range(MAX_DEPTH + 1):
            if not frontier.size:
                break
            if d == MAX_DEPTH:    # its leaves are deeper still
                tree = int(tree_of_node[frontier].min())
                raise self.fail(f"is at least {MAX_DEPTH + 1} levels deep, more than the {MAX_DEPTH} this "
                                "scorer accepts", tree=tree, key="left_child")
            level[frontier] = d
            below = np.concatenate((left_node[frontier], right_node[frontier]))
            frontier = below[below >= 0]
        if (level < 0).any():
            at = int(np.argmax(level < 0))
            tree = int(tree_of_node[at])
            raise self.fail(f"node {at - int(node_start[tree])} cannot be reached from node 0: the children form "
                            "a cycle", tree=tree, key="left_child")
        # the deepest node of a tree has leaves for children, one level below it
        depth[grown] = np.maximum.reduceat(level, roots) + 1
        return depth

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


@dataclass(frozen=True, slots=True)
class _Column:
    """One array key's values over all trees, end to end: tree ``i``'s are
    ``values[start[i]:start[i + 1]]``; ``values`` is None for statistics that are only counted."""

    values: np.ndarray | None
    start: np.ndarray        # int64, trees + 1
    present: np.ndarray      # bool per tree: the key is in the tree's block

    def lengths(self) -> np.ndarray:
        return np.diff(self.start)

    def of(self, tree: int) -> np.ndarray:
        assert self.values is not None
        return self.values[self.start[tree]:self.start[tree + 1]]


def _starts(lengths: np.ndarray) -> np.ndarray:
    """Where each of several runs of ``lengths`` values starts, and where the last ends."""
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


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
