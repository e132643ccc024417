"""Synthetic records for a copybook (`mfbridge fake`): fixtures, benchmarks, training data, corpus tests.

`fake_table` gives one record type's values as a table of `read_records` columns;
`fake_file` writes a whole file of every record type, framed exactly as `read_records` and
``roundtrip`` read it with the same options, so ``fake | roundtrip`` passes with the
defaults. Values fit their PICTURE, follow level-88 conditions and are real dates where an
item is a date (`load_date_rules` overrides the guess).
"""
from __future__ import annotations

from bridge.fake.dates import DateRules, load_date_rules
from bridge.fake.file import FakeSummary, RecordType, fake_file, record_types
from bridge.fake.table import fake_table
from bridge.fake.values import decimal_array

__all__ = ["DateRules", "FakeSummary", "RecordType", "decimal_array", "fake_file", "fake_table",
           "load_date_rules", "record_types"]
