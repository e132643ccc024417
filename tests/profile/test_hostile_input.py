"""Odd copybooks and data never crash a profile: each case ends in numbers or one clear error."""
from __future__ import annotations

import json
import math
import struct

import numpy as np

from bridge.copybook import load_copybook
from bridge.profile import profile_file


def _layout(tmp_path, text: str):
    path = tmp_path / "odd.cpy"
    path.write_text(text)
    return load_copybook(str(path))


def test_an_88_level_letter_on_a_numeric_item_matches_nothing_instead_of_crashing(tmp_path):
    layout = _layout(tmp_path, """\
       01  R.
           05  CODE   PIC 9(2).
               88  KNOWN VALUE 1 THRU 5.
               88  ODD   VALUE 'AB'.
""")
    data = "01020799".encode("cp037")
    fields = profile_file(data, layout)["record_types"][0]["fields"]
    assert fields[0]["conditions"]["outside"] == 2
    assert fields[0]["conditions"]["outside_values"] == [{"value": 7, "count": 1}, {"value": 99, "count": 1}]


def test_ieee_infinities_and_nans_become_null_in_strict_json(tmp_path):
    layout = _layout(tmp_path, """\
       01  R.
           05  X   COMP-2.
""")
    data = b"".join(struct.pack(">d", v) for v in (1.5, math.inf, math.nan, -2.0))
    result = profile_file(data, layout, float_format="ieee")
    json.dumps(result, allow_nan=False)
    x = result["record_types"][0]["fields"][0]
    assert x["records"] == 4


def test_an_empty_file_gives_an_empty_profile(tmp_path):
    layout = _layout(tmp_path, """\
       01  R.
           05  A   PIC X(3).
           05  N   PIC S9(5) COMP-3.
""")
    result = profile_file(b"", layout)
    assert result["records"] == 0
    assert all(f["records"] == 0 and f["distinct"] == 0 for f in result["record_types"][0]["fields"])


def test_every_byte_value_in_every_field_is_counted_without_error(tmp_path):
    layout = _layout(tmp_path, """\
       01  R.
           05  A   PIC X(2).
           05  Z   PIC S9(3).
           05  P   PIC S9(3) COMP-3.
           05  B   PIC S9(4) COMP.
           05  D   PIC 9(8).
""")
    width = layout.length
    data = np.repeat(np.arange(256, dtype=np.uint8)[:, None], width, axis=1).tobytes()
    result = profile_file(data, layout)
    for f in result["record_types"][0]["fields"]:
        assert f["valid"] + f["invalid"] + f["no_value"] + f["absent"] == 256, f["name"]
