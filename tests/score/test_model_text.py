"""model.txt is parsed and checked in full before LightGBM reads it (issue 8): damage is refused
with a message naming the file, the tree and the key, never a crash of the process."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.errors import ModelCardError, ModelFileError
from bridge.score.model_text import MAX_DEPTH, parse_model_text, read_model_text
from tests.conftest import COPYBOOKS, ROOT

MODEL = ROOT / "models" / "customer-risk"
TEXT = (MODEL / "model.txt").read_text()


def _with_sizes(text: str) -> str:
    """``text`` with tree_sizes recomputed from its Tree= blocks, so that damage inside a tree
    reaches the tree's own checks instead of the size check."""
    head, sep, rest = text.partition("\nTree=")
    if not sep:
        return text
    body, end_sep, tail = ("Tree=" + rest).partition("end of trees\n")
    starts = [m.start() for m in re.finditer(r"^Tree=", body, re.MULTILINE)] + [len(body.encode())]
    encoded = body.encode()
    starts = [m.start() for m in re.finditer(rb"^Tree=", encoded, re.MULTILINE)] + [len(encoded)]
    sizes = " ".join(str(b - a) for a, b in zip(starts, starts[1:]))
    head = re.sub(r"^tree_sizes=.*$", f"tree_sizes={sizes}", head, count=1, flags=re.MULTILINE)
    return head + "\n" + body + end_sep + tail


def _tree0(text: str, key: str, value: str) -> str:
    """Tree 0's ``key`` line replaced by ``key=value`` (tree_sizes kept consistent)."""
    head, sep, rest = text.partition("\nTree=0\n")
    block, sep2, after = rest.partition("\n\n")
    block = re.sub(rf"^{key}=.*$", f"{key}={value}", block, count=1, flags=re.MULTILINE)
    return _with_sizes(head + sep + block + sep2 + after)


def _refusal(text: str) -> ModelFileError:
    with pytest.raises(ModelFileError) as err:
        parse_model_text(text, source="m/model.txt")
    return err.value


def test_the_sample_model_parses_into_the_trees_lightgbm_reads():
    parsed = read_model_text(MODEL / "model.txt")
    booster = lgb.Booster(model_str=parsed.lightgbm_text())
    dump = booster.dump_model()["tree_info"]
    assert len(parsed.trees) == len(dump) == 100
    assert parsed.feature_names == tuple(booster.feature_name())
    assert parsed.objective == "binary" and parsed.objective_params == {"sigmoid": "1"}

    def walk(node, tree):
        if "leaf_index" in node:
            assert tree.leaf_value[node["leaf_index"]] == node["leaf_value"]
            return
        j = node["split_index"]
        assert tree.split_feature[j] == node["split_feature"]
        if node["decision_type"] == "<=":
            assert tree.threshold[j] == node["threshold"]
        walk(node["left_child"], tree)
        walk(node["right_child"], tree)

    for tree, info in zip(parsed.trees, dump):
        walk(info["tree_structure"], tree)


def test_lightgbm_is_given_only_the_checked_header_and_trees():
    parsed = parse_model_text(TEXT)
    given_text = parsed.lightgbm_text()
    assert given_text.endswith("end of trees\n") and "parameters:" not in given_text
    assert parsed.parameters["learning_rate"] == "0.05"
    booster = lgb.Booster(model_str=given_text)
    X = np.random.default_rng(0).normal(size=(50, 8))
    np.testing.assert_array_equal(booster.predict(X), lgb.Booster(model_str=TEXT).predict(X))


def test_a_missing_tree_size_is_refused_by_name_issue_8():
    sizes = re.search(r"^tree_sizes=(.*)$", TEXT, re.MULTILINE).group(1).split()
    err = _refusal(TEXT.replace(" ".join(sizes), " ".join(sizes[1:])))
    assert err.key == "tree_sizes" and "lists 99 tree sizes and holds 100 trees" in str(err)
    assert str(err).startswith("m/model.txt, key tree_sizes:")


def test_a_negative_tree_size_is_refused_issue_8():
    sizes = re.search(r"^tree_sizes=(.*)$", TEXT, re.MULTILINE).group(1).split()
    err = _refusal(TEXT.replace(" ".join(sizes), " ".join(["-3299"] + sizes[1:])))
    assert err.key == "tree_sizes" and "whole numbers of 0 or more" in str(err)


def test_a_tree_size_that_does_not_match_its_block_names_the_tree():
    err = _refusal(TEXT.replace("tree_sizes=3299 3330", "tree_sizes=3299 3331", 1))
    assert (err.tree, err.key) == (1, "tree_sizes") and "gives 3331 bytes, the tree's block holds 3330" in str(err)


def test_num_class_2_on_a_binary_model_is_refused_issue_8():
    err = _refusal(TEXT.replace("num_class=1", "num_class=2", 1))
    assert err.key == "num_class" and "objective binary has one output" in str(err)


def test_a_leaf_value_removed_is_refused_with_the_tree_and_the_count():
    values = re.search(r"^leaf_value=(.*)$", TEXT, re.MULTILINE).group(1).split()
    err = _refusal(_tree0(TEXT, "leaf_value", " ".join(values[1:])))
    assert (err.tree, err.key) == (0, "leaf_value") and "holds 30 values, num_leaves=31 needs 31" in str(err)


def test_a_child_out_of_range_is_refused():
    left = re.search(r"^left_child=(.*)$", TEXT, re.MULTILINE).group(1).split()
    err = _refusal(_tree0(TEXT, "left_child", " ".join(left[:-1] + ["30"])))
    assert (err.tree, err.key) == (0, "left_child") and "node 29 points to 30" in str(err)


def test_children_that_form_a_cycle_are_refused():
    # node 0 -> 3 -> 8; make node 8's left child point back to node 3 and drop leaf -1
    left = re.search(r"^left_child=(.*)$", TEXT, re.MULTILINE).group(1).split()
    assert left[8] == "-1"
    left[8] = "3"
    err = _refusal(_tree0(TEXT, "left_child", " ".join(left)))
    assert err.tree == 0 and "do not form a tree" in str(err)


def test_a_split_on_a_feature_the_model_lacks_is_refused():
    feats = re.search(r"^split_feature=(.*)$", TEXT, re.MULTILINE).group(1).split()
    err = _refusal(_tree0(TEXT, "split_feature", " ".join(["70"] + feats[1:])))
    assert (err.tree, err.key) == (0, "split_feature") and "node 0 splits on feature 70" in str(err)


def test_a_categorical_split_naming_a_missing_bitset_is_refused():
    err = _refusal(_tree0(TEXT, "cat_boundaries", "0 1 2"))
    assert (err.tree, err.key) == (0, "cat_boundaries") and "holds 3 values" in str(err)


def test_an_unknown_decision_type_is_refused():
    types = re.search(r"^decision_type=(.*)$", TEXT, re.MULTILINE).group(1).split()
    err = _refusal(_tree0(TEXT, "decision_type", " ".join(["12"] + types[1:])))
    assert (err.tree, err.key) == (0, "decision_type") and "node 0 has decision type 12" in str(err)


def test_a_tree_line_hidden_inside_a_block_whose_size_counts_it_is_refused():
    sizes = re.search(r"^tree_sizes=(.*)$", TEXT, re.MULTILINE).group(1).split()
    sizes[3] = str(int(sizes[3]) + len("Tree=3\n"))
    text = re.sub(r"^tree_sizes=.*$", "tree_sizes=" + " ".join(sizes), TEXT, count=1, flags=re.MULTILINE).replace(
        "Tree=3\nnum_leaves=31\n", "Tree=3\nnum_leaves=31\nTree=3\n", 1)
    err = _refusal(text)
    assert err.tree == 3 and "line 'Tree=3' is not a key of a LightGBM tree" in str(err)


def test_a_split_of_missing_values_from_the_rest_with_threshold_inf_is_accepted_issue_10():
    # LightGBM writes threshold=inf (decision type 8: NaN goes right) for a split on missingness;
    # the compiler always read it, the file check refused it until the two became one parser
    thresholds = re.search(r"^threshold=(.*)$", TEXT, re.MULTILINE).group(1).split()
    types = re.search(r"^decision_type=(.*)$", TEXT, re.MULTILINE).group(1).split()
    text = _tree0(_tree0(TEXT, "threshold", " ".join(["inf"] + thresholds[1:])), "decision_type",
                  " ".join(["8"] + types[1:]))
    tree = parse_model_text(text).trees[0]
    assert tree.threshold[0] == np.inf and tree.decision_type[0] == 8
    X = np.random.default_rng(1).normal(size=(40, 8))
    X[::2, int(tree.split_feature[0])] = np.nan
    np.testing.assert_array_equal(lgb.Booster(model_str=parse_model_text(text).lightgbm_text()).predict(X),
                                  lgb.Booster(model_str=text).predict(X))


def test_a_nan_threshold_is_refused():
    thresholds = re.search(r"^threshold=(.*)$", TEXT, re.MULTILINE).group(1).split()
    err = _refusal(_tree0(TEXT, "threshold", " ".join(thresholds[:-1] + ["nan"])))
    assert (err.tree, err.key) == (0, "threshold") and "holds NaN, not a threshold" in str(err)


def test_a_non_finite_leaf_value_is_refused():
    values = re.search(r"^leaf_value=(.*)$", TEXT, re.MULTILINE).group(1).split()
    err = _refusal(_tree0(TEXT, "leaf_value", " ".join(["-inf"] + values[1:])))
    assert (err.tree, err.key) == (0, "leaf_value") and "not a finite number" in str(err)


def test_numbers_with_two_spaces_between_them_are_refused():
    values = re.search(r"^leaf_value=(.*)$", TEXT, re.MULTILINE).group(1)
    err = _refusal(_tree0(TEXT, "leaf_value", values.replace(" ", "  ", 1)))
    assert (err.tree, err.key) == (0, "leaf_value") and "separated by single spaces" in str(err)


def test_a_truncated_file_is_refused_before_any_tree_is_read():
    err = _refusal(TEXT[: len(TEXT) // 3])
    assert "is truncated: no 'end of trees' line" in str(err)


def test_garbage_is_not_a_model():
    assert "is not a LightGBM text model" in str(_refusal("\x00\x01 not a model"))
    assert "NUL byte at offset 5" in str(_refusal("tree\n\x00"))


def test_an_unknown_header_key_is_refused():
    err = _refusal(TEXT.replace("label_index=0", "label_index=0\nlabel_idx=0", 1))
    assert err.key == "label_idx" and "is not a header line" in str(err)


def test_a_tree_deeper_than_the_limit_is_refused():
    leaves = MAX_DEPTH + 2
    nodes = leaves - 1
    left = " ".join(str(-(i + 1)) for i in range(nodes))                 # every left child a leaf
    right = " ".join([str(i + 1) for i in range(nodes - 1)] + [str(-leaves)])  # a chain to the right
    zeros = " ".join("0" for _ in range(nodes))
    tree = (f"Tree=0\nnum_leaves={leaves}\nnum_cat=0\nsplit_feature={zeros}\nthreshold={zeros}\n"
            f"decision_type={' '.join('2' for _ in range(nodes))}\nleft_child={left}\nright_child={right}\n"
            f"leaf_value={' '.join('0.5' for _ in range(leaves))}\nis_linear=0\nshrinkage=1\n\n\n")
    text = ("tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=0\n"
            "objective=binary sigmoid:1\nfeature_names=A\nfeature_infos=none\n"
            f"tree_sizes={len(tree.encode())}\n\n{tree}end of trees\n")
    err = _refusal(text)
    assert err.tree == 0 and f"more than the {MAX_DEPTH} this scorer accepts" in str(err)


def _tree_k(text: str, k: int, key: str, edit) -> str:
    """Tree ``k``'s ``key`` values passed through ``edit`` (a list of strings in, one out)."""
    head, sep, rest = text.partition(f"\nTree={k}\n")
    block, sep2, after = rest.partition("\n\n")
    values = re.search(rf"^{key}=(.*)$", block, re.MULTILINE).group(1).split(" ")
    block = re.sub(rf"^{key}=.*$", f"{key}={edit(values)}", block, count=1, flags=re.MULTILINE)
    return _with_sizes(head + sep + block + sep2 + after)


def _set(j: int, value: str):
    return lambda values: " ".join(values[:j] + [value] + values[j + 1:])


@pytest.mark.parametrize("k", [1, 57, 97])     # tree 1 and tree 97 have categorical splits
@pytest.mark.parametrize("key, edit, named, message", [
    ("split_feature", _set(4, "8"), "split_feature", "node 4 splits on feature 8; the model has features 0 to 7"),
    ("decision_type", _set(5, "14"), "decision_type", "node 5 has decision type 14, not one LightGBM writes"),
    ("threshold", _set(6, "nan"), "threshold", "holds NaN, not a threshold"),
    ("leaf_value", _set(7, "inf"), "leaf_value", "holds a value that is not a finite number"),
    ("leaf_count", _set(3, "-2"), "leaf_count", "holds a negative count"),
    ("internal_value", lambda v: " ".join(v[1:]), "internal_value", "holds 29 values, num_leaves=31 needs 30"),
    ("right_child", _set(9, "-32"), "right_child",
     "node 9 points to -32; this tree has nodes 0 to 29 and leaves -1 to -31"),
    ("right_child", _set(0, "0"), "left_child", "node 0 (the root) is some node's child, not one"),
])
def test_damage_in_any_tree_is_named_with_that_tree_and_node(k, key, edit, named, message):
    err = _refusal(_tree_k(TEXT, k, key, edit))
    assert (err.tree, err.key) == (k, named) and message in str(err), str(err)


@pytest.mark.parametrize("k", [1, 97])
@pytest.mark.parametrize("key, edit, message", [
    ("cat_boundaries", _set(1, "0"), "must start at 0 and increase"),
    ("cat_threshold", _set(0, "4294967296"), "must be 32-bit words (0 to 4294967295)"),
    ("cat_threshold", lambda v: " ".join(v[1:]), " values, num_leaves=31 needs "),
])
def test_damaged_category_bitsets_in_any_tree_are_named_with_that_tree(k, key, edit, message):
    err = _refusal(_tree_k(TEXT, k, key, edit))
    assert (err.tree, err.key) == (k, key) and message in str(err), str(err)


@pytest.mark.parametrize("edit", [
    lambda v: "  ".join(v),                 # two spaces between values
    lambda v: " " + " ".join(v),            # a space before the first
    lambda v: " ".join(v) + " ",            # a space after the last
    lambda v: " ".join(v[:3] + ["1.5x"] + v[4:]),
])
def test_a_training_statistic_that_is_not_numbers_separated_by_single_spaces_is_refused(edit):
    err = _refusal(_tree_k(TEXT, 57, "split_gain", edit))
    assert (err.tree, err.key) == (57, "split_gain") and "must be numbers separated by single spaces" in str(err)


def test_of_two_damaged_trees_the_first_is_named():
    text = _tree_k(_tree_k(TEXT, 80, "leaf_value", _set(0, "inf")), 30, "split_feature", _set(2, "9"))
    err = _refusal(text)
    assert (err.tree, err.key) == (30, "split_feature")


def test_model_file_errors_are_model_card_errors_for_the_batch_job():
    assert issubclass(ModelFileError, ModelCardError)


# -- fuzzing: mutated real model files ------------------------------------------------------

_LINES = TEXT.split("\n")
_TREE_LINES = [i for i, line in enumerate(_LINES) if "=" in line and not line.startswith(("[", "Tree="))
               and i < _LINES.index("end of trees")]


@st.composite
def _mutations(draw):
    kind = draw(st.sampled_from(["truncate", "drop_token", "set_token", "byte", "drop_line", "dup_line",
                                 "sizes"]))
    lines = list(_LINES)
    if kind == "truncate":
        text = TEXT[: draw(st.integers(0, len(TEXT)))]
    elif kind == "byte":
        at = draw(st.integers(0, len(TEXT) - 1))
        text = TEXT[:at] + draw(st.sampled_from(["\x00", "=", " ", "\n", "-", "9", "x", "é"])) + TEXT[at + 1:]
    elif kind == "sizes":
        i = _LINES.index(next(line for line in _LINES if line.startswith("tree_sizes=")))
        sizes = lines[i].split("=", 1)[1].split()
        j = draw(st.integers(0, len(sizes) - 1))
        sizes[j] = str(draw(st.integers(-10**6, 10**9)))
        lines[i] = "tree_sizes=" + " ".join(sizes)
        text = "\n".join(lines)
    else:
        i = draw(st.sampled_from(_TREE_LINES))
        key, value = lines[i].split("=", 1)
        tokens = value.split(" ")
        if kind == "drop_token":
            del tokens[draw(st.integers(0, len(tokens) - 1))]
            lines[i] = key + "=" + " ".join(tokens)
        elif kind == "set_token":
            tokens[draw(st.integers(0, len(tokens) - 1))] = draw(st.sampled_from(
                ["-1", "0", "1", "30", "31", "-32", "2147483648", "-2147483649", "1e308", "1e999", "nan", "inf",
                 "", "x", "7", "255", "-31"]))
            lines[i] = key + "=" + " ".join(tokens)
        elif kind == "drop_line":
            del lines[i]
        else:
            lines.insert(i, lines[i])
        text = "\n".join(lines)
    if draw(st.booleans()):
        text = _with_sizes(text)   # reach the checks inside the trees, past the size check
    return text


def test_mutated_model_files_are_refused_or_load_cleanly_in_bounded_time(tmp_path):
    accepted: list[str] = []

    @settings(max_examples=80, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(_mutations())
    def check(text: str) -> None:
        start = time.perf_counter()
        try:
            parsed = parse_model_text(text, source="fuzz/model.txt")
        except ModelFileError as exc:
            assert str(exc).startswith("fuzz/model.txt") and "\n" not in str(exc)
        else:
            accepted.append(parsed.lightgbm_text())
        assert time.perf_counter() - start < 10

    check()
    # What the checks let through must load and predict in LightGBM without killing the process:
    # loaded in a child process, so that a native crash fails this test instead of pytest.
    folder = tmp_path / "accepted"
    folder.mkdir()
    for i, text in enumerate(accepted):
        (folder / f"{i}.txt").write_text(text)
    script = textwrap.dedent(f"""
        import pathlib, lightgbm as lgb, numpy as np
        from bridge.score.reasons import TreeShap
        X = np.random.default_rng(0).normal(size=(20, 8)) * 100
        X[::3, 7] = np.nan
        for k, path in enumerate(sorted(pathlib.Path({str(folder)!r}).glob("*.txt"))):
            try:
                b = lgb.Booster(model_str=path.read_text())
            except lgb.basic.LightGBMError:
                continue
            b.predict(X); b.predict(X, pred_contrib=True)
            if k < 6:   # the reason-code tables too, for a few (building them costs a second each)
                TreeShap.from_booster(b).contributions(X)
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=str(ROOT))
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_damaged_models_end_score_with_one_line_and_a_return_code_never_a_signal(tmp_path):
    sizes = re.search(r"^tree_sizes=(.*)$", TEXT, re.MULTILINE).group(1).split()
    damaged = {
        "missing_size": TEXT.replace(" ".join(sizes), " ".join(sizes[1:])),
        "negative_size": TEXT.replace(" ".join(sizes), " ".join(["-5"] + sizes[1:])),
        "num_class_2": TEXT.replace("num_class=1", "num_class=2", 1),
        "leaf_cut": _tree0(TEXT, "leaf_value", "1 2"),
    }
    card = (MODEL / "card.toml").read_text()
    folders = {}
    for name, text in damaged.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "model.txt").write_text(text)
        (folder / "card.toml").write_text(card)
        folders[name] = folder
    typed = tmp_path / "rows_text"
    typed.mkdir()
    (typed / "model.txt").write_text(TEXT)
    (typed / "card.toml").write_text(card.replace("rows = 40000", 'rows = "40,000"'))
    folders["rows_text"] = typed
    data = tmp_path / "in.dat"
    data.write_bytes(b"\x40" * 117 * 3)
    script = textwrap.dedent(f"""
        import json, sys
        from bridge.cli.main import main
        folders = {json.dumps({k: str(v) for k, v in folders.items()})}
        for name, folder in folders.items():
            rc = main(["score", {str(data)!r}, "-c", {str(COPYBOOKS / "customer.cpy")!r}, "--model", folder,
                       "-o", folder + "/out.dat"])
            print(name, rc, flush=True)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=str(ROOT))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    rcs = dict(line.split() for line in done.stdout.splitlines())
    assert rcs == {name: "8" for name in folders}
    messages = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(messages) == len(folders)
    assert any("key tree_sizes" in m for m in messages) and any("key num_class" in m for m in messages)
    assert any("[training] rows = '40,000' is text; it must be a whole number" in m for m in messages)
    assert not any(Path(f, "out.dat").exists() for f in folders.values())


def test_reason_codes_of_a_loaded_model_use_its_checked_trees_without_reading_the_text_again(monkeypatch):
    import bridge.score.reasons as reasons
    from bridge.score.text_booster import TextBooster

    model = read_model_text(MODEL / "model.txt")

    def no_second_parse(*args, **kwargs):
        raise AssertionError("the model text was parsed a second time")

    monkeypatch.setattr(reasons, "parse_model_text", no_second_parse)
    shap = reasons.TreeShap.from_booster(TextBooster(model))
    X = np.random.default_rng(2).normal(size=(30, 8)) * 100
    raw = lgb.Booster(model_str=model.lightgbm_text()).predict(X, raw_score=True)
    np.testing.assert_allclose(shap.contributions(X).sum(axis=1), raw, rtol=1e-12, atol=1e-12)
