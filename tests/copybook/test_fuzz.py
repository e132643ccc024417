"""Fuzzing the copybook compiler: any text gives a correct layout or a `CopybookError`, nothing else,
in bounded time and memory (issue 8). ``bench/fuzz_copybook.py`` runs the same strategies longer."""
from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from bridge.copybook import compile_copybook
from bridge.errors import CopybookError
from bridge.layout.model import Kind, Layout
from tests.copybook.copybook_strategies import copybook_text, raw_text, token_soup, write_members

SECONDS = 5.0                  # per example; compiling a real copybook takes milliseconds
PEAK_BYTES = 64 * 1024 * 1024
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return write_members(tmp_path_factory.mktemp("members"))


def compile_or_refuse(text: str, library: Path, **options) -> Layout | CopybookError:
    """The compiler's answer, checked for time and memory; anything but CopybookError propagates."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result: Layout | CopybookError = compile_copybook(text, name=str(library / "FUZZ.cpy"), **options)
    except CopybookError as exc:
        result = exc
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < SECONDS, f"{elapsed:.1f} s for {text[:200]!r}"
    assert peak < PEAK_BYTES, f"{peak / 1e6:.0f} MB for {text[:200]!r}"
    if isinstance(result, CopybookError):
        assert str(result).strip() and "\n" not in str(result)
        assert str(result).startswith(result.location_prefix())
    else:
        assert_consistent(result)
    return result


def assert_consistent(layout: Layout) -> None:
    """What every layout holds: items inside their record, groups around their children."""
    for rec in layout.records:
        assert 0 < rec.length <= 999_999_999 and 0 <= rec.min_length <= rec.length
        for f in rec.fields:
            if f.kind is Kind.RENAMES:
                continue
            assert f.length >= 0 and 0 <= f.offset
            assert f.offset + f.total_length <= rec.length, f.qualified_name
            for c in f.children:
                assert f.offset <= c.offset and c.offset + c.total_length <= f.offset + f.total_length
            if f.kind in (Kind.ZONED, Kind.PACKED):
                assert f.digits <= 76


@FUZZ
@given(text=copybook_text())
def test_copybook_text_with_hostile_values_compiles_or_is_refused(text, library):
    compile_or_refuse(text, library)


@FUZZ
@given(text=copybook_text())
def test_hostile_copybook_text_under_strict_and_other_dialects_compiles_or_is_refused(text, library):
    compile_or_refuse(text, library, strict=True)
    compile_or_refuse(text, library, dialect="microfocus")


@FUZZ
@given(text=token_soup())
def test_random_cobol_tokens_compile_or_are_refused(text, library):
    compile_or_refuse(text, library, source_format="free")


@FUZZ
@given(text=raw_text())
def test_random_characters_compile_or_are_refused(text, library):
    compile_or_refuse(text, library)
    compile_or_refuse(text, library, source_format="free")


@pytest.mark.parametrize("statement, message", [
    ("COPY SELF.", "COPY SELF includes itself (SELF.cpy -> SELF.cpy)"),
    ("COPY PING.", "COPY PING includes itself (PING.cpy -> PONG.cpy -> PING.cpy)"),
    ("COPY BOMB0.", "COPY BOMB"),
    ("COPY GOOD REPLACING ==G1== BY", "COPY ... REPLACING ends before its operand"),
])
def test_copy_statements_that_never_end_or_explode_are_refused_in_bounded_time(statement, message, library):
    result = compile_or_refuse(f"       01 R.\n       {statement}\n", library)
    assert isinstance(result, CopybookError)
    assert message in str(result)


def test_a_copy_bomb_names_the_expansion_limit(library):
    result = compile_or_refuse("       01 R.\n       COPY BOMB0.\n", library)
    assert "more than 1,000 members in all; is a member copied many times over?" in str(result)


def test_nesting_as_deep_as_level_numbers_allow_compiles(library):
    lines = ["       01 R."] + [f"       {lvl:02d} G{lvl}." for lvl in range(2, 49)] + ["       49 LEAF PIC X."]
    layout = compile_or_refuse("\n".join(lines) + "\n", library)
    assert isinstance(layout, Layout) and layout.records[0].length == 1
