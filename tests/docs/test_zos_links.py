"""docs/zos.md's links and file names point at things that exist."""
from __future__ import annotations

import re

from tests.conftest import ROOT

ZOS = (ROOT / "docs" / "zos.md").read_text(encoding="utf-8")


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", markdown, re.MULTILINE)}


def test_every_relative_link_names_a_file_and_heading_that_exist():
    links = re.findall(r"\]\(([^)#\s]+)(?:#([^)\s]+))?\)", ZOS)
    assert links
    for target, anchor in links:
        path = ROOT / "docs" / target
        assert path.is_file(), target
        if anchor:
            assert anchor in anchors(path.read_text(encoding="utf-8")), f"{target}#{anchor}"


def test_every_example_file_it_names_exists():
    named = set(re.findall(r"`(examples/[\w./-]+)`", ZOS))
    assert "examples/sftp-vb-customers.toml" in named
    for name in named:
        assert (ROOT / name).exists(), name
