"""tools/mutation_score.py: which mutants it leaves out as equivalent by construction, and the test
command it gives cosmic-ray (the figure it reports is only as honest as these two)."""
from __future__ import annotations

import importlib.util
import shlex
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("mutation_score", ROOT / "tools" / "mutation_score.py")
tool = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("mutation_score", tool)  # its dataclass looks its module up
_spec.loader.exec_module(tool)

SOURCE = '''from __future__ import annotations


def f(a: int | None, *rest: str, key: bytes | None = None) -> int | None:
    x: list[int] = [a | 1]
    return x[0] | 2  # pragma: no mutate (reason)
'''


def _mutation(start: tuple[int, int], end: tuple[int, int]) -> SimpleNamespace:
    return SimpleNamespace(start_pos=start, end_pos=end)


def _excluded(start, end, text=SOURCE) -> bool:
    return tool._equivalent_by_construction(_mutation(start, end), text, tool._annotation_spans(text))


def test_mutants_inside_postponed_annotations_are_left_out():
    assert _excluded((4, 13), (4, 14))      # int | None of a
    assert _excluded((4, 44), (4, 45))      # bytes | None of key
    assert _excluded((4, 66), (4, 67))      # the return annotation
    assert _excluded((5, 7), (5, 16))       # an annotated assignment's annotation


def test_mutants_in_code_next_to_annotations_are_kept():
    assert not _excluded((5, 22), (5, 23))  # a | 1 in the assigned value


def test_annotations_are_kept_when_the_module_evaluates_them():
    text = SOURCE.replace("from __future__ import annotations\n", "")
    spans = tool._annotation_spans(text)
    assert spans == [] and not _excluded((3, 13), (3, 14), text)


def test_a_mutant_ending_on_a_pragma_line_is_left_out_as_cosmic_ray_does():
    assert _excluded((6, 15), (6, 16))
    assert _excluded((6, 4), (7, 0))        # a span that ends at the start of the next line


def test_one_stage_is_one_pytest_run(tmp_path):
    (tmp_path / "a.py").write_text("def test_a(): pass\n")
    (tmp_path / "b.py").write_text("from hypothesis import given\n")
    command = tool._test_command("a.py b.py", tmp_path)
    assert shlex.split(command)[1:] == ["-m", "pytest", "-p", "no:cacheprovider", "-x", "-q", "a.py", "b.py"]


def test_stages_run_in_order_each_only_after_the_one_before_passed(tmp_path):
    (tmp_path / "fast.py").write_text("def test_a(): pass\n")
    (tmp_path / "slow").mkdir()
    (tmp_path / "slow" / "test_b.py").write_text("import hypothesis\n")
    argv = shlex.split(tool._test_command("fast.py; slow", tmp_path))
    assert argv[:2] == ["sh", "-c"]
    first, second = argv[2].split(" && ")
    assert first.endswith("-p no:cacheprovider -p no:hypothesispytest -x -q fast.py")
    assert second.endswith("-p no:cacheprovider -x -q slow")


def test_every_module_names_a_source_file_and_test_files_that_exist():
    for key, (source, tests) in tool.MODULES.items():
        assert (ROOT / source).is_file(), key
        for path in tests.replace(";", " ").split():
            assert (ROOT / path).exists(), (key, path)
