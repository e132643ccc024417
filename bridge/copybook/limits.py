"""The compiler's limits: IBM Enterprise COBOL's, and how far beyond them the compiler goes.

Every size, count and digit total in a copybook is held against these numbers before anything
is built from it, so hostile text (``PIC X(99999999999999999999)``, ``OCCURS 10**20``) is a
located `CopybookError` that names the limit, never a huge allocation or an endless export.

Decisions where IBM and the readers of rehosted files part:

* Digits. IBM allows 31 digits in a DISPLAY or packed number (ARITH(EXTEND)) and 18 in a binary
  one. Beyond that, up to 76 digits (the precision of Arrow's decimal256, which holds them
  exactly) is accepted with a warning, an error under ``strict=True``; beyond 76 is refused.
  A binary number stops at 38 digits: 16 bytes, the widest two's complement the binary codec
  reads (Cobrix sizes binary items beyond 18 digits the same way).
* Sizes. An item, a table and a record may take at most 999,999,999 bytes (IBM's limit for a
  01-49 or 77 item under LP(32)); a PICTURE repeat count is held to the same number, and to
  499,999,999 for national and DBCS characters (two bytes each).
* OCCURS. At most 999,999,999 occurrences; the table's bytes fall under the size limit too.
* Editing. A numeric-edited PICTURE beyond IBM's 249 character positions is accepted with a
  warning up to 32,767 (IBM's replication limit for editing symbols) and refused beyond.
* COPY. Members nest at most 64 deep, at most 1,000 COPY statements are expanded in all, and
  the expanded copybook may hold at most 1,000,000 words (a member copied twice by a member
  copied twice ... doubles at every level).
* Length of the PICTURE character-string: IBM's 50 characters; longer strings are accepted with
  a warning (the parser is linear in the string, so length costs nothing).

IBM reference: Enterprise COBOL for z/OS 6.4 Language Reference, "Compiler limits".
"""
from __future__ import annotations

__all__ = [
    "IBM_BINARY_DIGITS",
    "IBM_DECIMAL_DIGITS",
    "IBM_EDITED_POSITIONS",
    "IBM_PICTURE_CHARACTERS",
    "MAX_BINARY_DIGITS",
    "MAX_COPY_DEPTH",
    "MAX_COPY_INCLUSIONS",
    "MAX_DIGITS",
    "MAX_EDITED_POSITIONS",
    "MAX_EXPANDED_TOKENS",
    "MAX_ITEM_BYTES",
    "MAX_OCCURS",
    "MAX_REPEAT",
    "MAX_WIDE_REPEAT",
    "too_many_digits",
]

IBM_DECIMAL_DIGITS = 31          # DISPLAY, NATIONAL and packed numbers under ARITH(EXTEND)
IBM_BINARY_DIGITS = 18           # COMP, COMP-4, BINARY, COMP-5
MAX_DIGITS = 76                  # decimal256: beyond this no exact column holds the value
MAX_BINARY_DIGITS = 38           # 16 bytes (bridge.codec.binary reads 1 to 16)
MAX_ITEM_BYTES = 999_999_999     # 01-49 and 77 data item size, LP(32)
MAX_OCCURS = 999_999_999
MAX_REPEAT = 999_999_999         # PICTURE symbol replication
MAX_WIDE_REPEAT = 499_999_999    # ... for national and DBCS symbols (2 bytes each)
IBM_EDITED_POSITIONS = 249
MAX_EDITED_POSITIONS = 32_767    # PICTURE symbol replication (editing)
IBM_PICTURE_CHARACTERS = 50
MAX_COPY_DEPTH = 64
MAX_COPY_INCLUSIONS = 1_000
MAX_EXPANDED_TOKENS = 1_000_000
_MAX_NUMBER_TEXT = 12            # digits of a repeat or OCCURS count worth converting at all


def too_many_digits(text: str) -> bool:
    """Whether a string of decimal digits is surely above every count limit (checked before ``int``,
    which refuses strings of thousands of digits and is slow on long ones)."""
    return len(text.lstrip("0")) > _MAX_NUMBER_TEXT
