"""Helpers for users' tests: synthetic records for a layout (see `bridge.fake`).

Values are valid for their PICTURE: digits and scale respected, signs only where the item
can hold one, 88-level values used where an item has them, dates real where an item is a
date, OCCURS DEPENDING ON counts spread over their range (occurrences past the count are
null). Generation is columnar numpy, seeded, so the same seed gives the same file.
"""
from __future__ import annotations

from bridge.fake import decimal_array, fake_file, fake_table

__all__ = ["decimal_array", "fake_file", "fake_table"]
