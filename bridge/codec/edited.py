"""Numeric-edited fields (``-ZZZ,ZZ9.99``, ``$$$,$$9.99CR``, ``+++9``, ``***9.99``, ``99/99/99``).

Decode is lenient, as real files need: the characters are read as a person would read a printed
number, whatever their alignment: spaces (surrounding, left-justified content, B insertions),
``,`` ``*`` ``$`` ``/`` are skipped, one ``+``, ``-``, ``CR`` or ``DB`` anywhere gives the sign,
a ``.`` is the decimal point where it stands. Without a ``.`` in the content the digits are the
integer part when the picture has an explicit point, and the value at the picture's scale when
its point is implied (``V``). Digits at insertion-zero positions of the picture are skipped.
A picture with ``S`` but no sign symbol (``S9(3).99``, accepted with a warning) carries its sign
overpunched on its last digit, as zoned numbers do: ``{ A-I`` positive, ``} J-R`` (and
GnuCOBOL's ``p``-``y``) negative, whatever the code page (EBCDIC zones C/D read as those
letters); encode writes a negative value that way and a positive one with a plain digit.
A field with no digits reads as zero when it is BLANK WHEN ZERO or its picture has no ``9``
(all-``Z`` and floating pictures print zero as spaces, ``*`` pictures as ``*``); anything else,
or more digits than the picture, is invalid.

Encode edits exactly as COBOL's MOVE to the item does: zero suppression (``Z`` to spaces, ``*``
to asterisks, insertion characters inside the suppressed part suppressed too), floating
insertion (``$``/``+``/``-`` placed just left of the first printed digit), fixed signs
(``+`` prints ``+``/``-``; ``-`` prints space/``-``; ``CR``/``DB`` print when negative), simple
insertion (``,`` ``B`` ``0`` ``/``), the point, BLANK WHEN ZERO, and an all-suppressing picture
printing zero as spaces (or ``*`` with the point kept). The currency sign is ``$`` and the point
is ``.`` (DECIMAL-POINT IS COMMA is not supported). Up to 76 digits (beyond 18, the digits are
read into a digit matrix and built into 128- or 256-bit values).

Canonical bytes (decode then encode gives them back): what encode writes.
IBM reference: Enterprise COBOL "Editing rules" (simple, special, fixed, floating insertion; zero suppression).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bridge.codec.jit import njit
from bridge.codec.numeric import (
    Numbers,
    _fit,
    check_digits,
    from_digits,
    digits_of,
    encode_rows,
    for_field,
    kind_for,
    refuse_overflow,
    rescale,
)
from bridge.codec.options import CodecOptions
from bridge.codec.zoned import charset
from bridge.errors import LayoutError
from bridge.layout.model import Field

__all__ = ["EditMask", "decode", "edit_mask", "encode", "encode_into", "length"]

#: The most digit positions an edited picture may have (as for every number: decimal256).
MAX_EDITED_DIGITS = 76

# position codes of a compiled mask
DIG9, ZSUP, STAR, FLOAT, FLOAT_LEAD, INSERT, POINT, SIGN_PLUS, SIGN_MINUS, CRDB, CURRENCY = range(11)


@dataclass(frozen=True, eq=False)
class EditMask:
    """A numeric-edited picture compiled into one code per printed position."""

    text: str
    codes: np.ndarray        # int8 (width,)
    chars: np.ndarray        # uint8 (width,): the ASCII character an insertion or sign position prints
    digit_at: np.ndarray     # int16 (width,): index of the digit a position shows, -1 for none
    int_digits: int
    frac_digits: int
    float_symbol: int        # ASCII of the floating symbol ($, +, -), 0 when none
    has_nine: bool
    star: bool
    explicit_point: bool

    @property
    def width(self) -> int:
        return int(self.codes.shape[0])

    @property
    def digits(self) -> int:
        return self.int_digits + self.frac_digits


def length(field: Field) -> int:
    """Bytes of the printed item: one per position of its edit mask."""
    return field.length


def _expand(picture: str) -> str:
    out = []
    i = 0
    p = picture.upper()
    while i < len(p):
        ch = p[i]
        if i + 1 < len(p) and p[i + 1] == "(":
            j = p.find(")", i)
            count = p[i + 2:j] if j > 0 else ""
            if not count.isdigit():
                raise LayoutError(f"{picture!r}: {ch}( needs a count and a closing parenthesis, "
                                  f"as in {ch}(5)", field=picture)
            out.append(ch * int(count))
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def edit_mask(text: str) -> EditMask:
    """Compile an (expanded or not) numeric-edited picture such as ``-ZZZ,ZZ9.99``.

    :raises LayoutError: a character that has no place in a numeric-edited picture.
    """
    mask = _expand(text)
    tokens: list[str] = []
    i = 0
    while i < len(mask):
        if mask[i:i + 2] in ("CR", "DB"):
            tokens += [mask[i:i + 2] + "1", mask[i:i + 2] + "2"]
            i += 2
        else:
            tokens.append(mask[i])
            i += 1
    # Floating insertion: the first of $ + - that appears more than once.
    floating = ""
    for sym in ("$", "£", "¥", "+", "-"):
        if sum(1 for t in tokens if t == sym) >= 2:
            floating = sym
            break
    fl_first = tokens.index(floating) if floating else -1
    fl_last = len(tokens) - 1 - tokens[::-1].index(floating) if floating else -1
    codes, chars, digit_at = [], [], []
    ndig = 0
    int_digits = frac_digits = 0
    after_point = False
    has_nine = star = explicit_point = False
    for pos, t in enumerate(tokens):
        char = 0
        if t in ("V", "P"):
            after_point = after_point or t == "V"
            continue
        if floating and t == floating and fl_first <= pos <= fl_last:
            code = FLOAT_LEAD if pos == fl_first else FLOAT
        elif t == "9":
            code, has_nine = DIG9, True
        elif t == "Z":
            code = ZSUP
        elif t == "*":
            code, star = STAR, True
        elif t == ".":
            code, char, after_point, explicit_point = POINT, ord("."), True, True
        elif t in (",", "B", "0", "/"):
            code, char = INSERT, ord(" " if t == "B" else t)
        elif t == "+":
            code, char = SIGN_PLUS, ord("+")
        elif t == "-":
            code, char = SIGN_MINUS, ord("-")
        elif t[:2] in ("CR", "DB"):
            code, char = CRDB, ord(t[0] if t[2] == "1" else t[1])
        elif t in ("$", "£", "¥"):  # currency signs of one byte in the code pages that have them
            code, char = CURRENCY, ord(t)
        else:
            raise LayoutError(f"{text!r}: {t!r} has no place in a numeric-edited picture", field=text)
        shows_digit = code in (DIG9, ZSUP, STAR, FLOAT)
        codes.append(code)
        chars.append(char)
        digit_at.append(ndig if shows_digit else -1)
        if shows_digit:
            ndig += 1
            if after_point:
                frac_digits += 1
            else:
                int_digits += 1
    return EditMask(text, np.array(codes, np.int8), np.array(chars, np.uint8), np.array(digit_at, np.int16),
                    int_digits, frac_digits, ord(floating) if floating else 0, has_nine, star, explicit_point)


def _scale(field: Field, mask: EditMask) -> int:
    # A layout that gives an edited item no scale still prints the mask's decimal places.
    return field.scale if field.scale else mask.frac_digits


def _mask_of(field: Field) -> EditMask:
    text = field.edit_mask or field.picture
    if not text:
        raise LayoutError(f"{field.qualified_name}: a numeric-edited item needs its edit mask", field=field.qualified_name)
    return edit_mask(text)


# --------------------------------------------------------------------------------------------
#: what a character of an edited value is, for the decode kernels
_DIGIT, _FILL, _POINT, _PLUS, _MINUS, _BAD = 0, 1, 2, 3, 4, 5


@njit(cache=True, nogil=True, inline="always")
def _symbol(matrix, i, offset, j, width, chars):
    """The kind of the edited character at position ``j`` of record ``i`` and the positions it
    takes (CR and DB take two): one reading shared by the 18-digit and the wide kernels."""
    c = chars[matrix[i, offset + j]]
    if 48 <= c <= 57:
        return _DIGIT, 1
    if c == 32 or c == 44 or c == 42 or c == 36 or c == 47 or c == 163 or c == 165:
        return _FILL, 1   # space , * / and the currency signs $ £ ¥
    if c == 46:
        return _POINT, 1
    if c == 43:
        return _PLUS, 1
    if c == 45:
        return _MINUS, 1
    if j + 1 < width:
        nxt = chars[matrix[i, offset + j + 1]] | 32
        if (c == 67 or c == 99) and nxt == 114:     # CR
            return _MINUS, 2
        if (c == 68 or c == 100) and nxt == 98:     # DB
            return _MINUS, 2
    return _BAD, 1


@njit(cache=True, nogil=True)
def _decode_kernel(matrix, offset, width, chars, skip_zero, explicit_point, scale, max_digits,
                   zero_when_blank, values, invalid):
    pow10 = np.empty(19, np.int64)
    pow10[0] = 1
    for k in range(1, 19):
        pow10[k] = pow10[k - 1] * 10
    for i in range(matrix.shape[0]):
        acc = np.int64(0)
        sig = 0              # significant digits taken
        ndig = 0
        frac = 0
        point = False
        neg = False
        signs = 0
        bad = False
        other = False        # a sign or letter seen (a zero reading needs none)
        j = 0
        while j < width:
            c = chars[matrix[i, offset + j]]
            kind, size = _symbol(matrix, i, offset, j, width, chars)
            if kind == _DIGIT:
                if not (skip_zero[j] and c == 48):
                    d = c - 48  # pragma: no mutate (a digit character, 0x30-0x39: - 48 and ^ 48 agree)
                    ndig += 1
                    if point:
                        frac += 1
                    if sig > 0 or d != 0:
                        sig += 1
                    if sig > 18:
                        bad = True
                        break
                    acc = acc * 10 + d
            elif kind == _FILL:
                pass
            elif kind == _POINT:
                if point:
                    bad = True
                    break
                point = True
            elif kind == _PLUS or kind == _MINUS:
                signs += 1
                other = True
                if kind == _MINUS:
                    neg = True
            else:
                bad = True
                break
            j += size
        if signs > 1:
            bad = True
        if not bad and ndig == 0:
            bad = other or not zero_when_blank
            acc = 0
            neg = False
        if not bad:
            have = frac if point else (0 if explicit_point else scale)
            if have > scale:
                div = pow10[have - scale]
                if acc % div != 0:
                    bad = True
                else:
                    acc = acc // div
            elif have < scale:
                k = scale - have
                if sig + k > 18:
                    bad = True
                else:
                    acc = acc * pow10[k]
            if not bad and max_digits < 19 and acc >= pow10[max_digits]:
                bad = True
        if bad:
            acc = 0
            neg = False
        values[i] = -acc if neg else acc
        invalid[i] = bad


@njit(cache=True, nogil=True)
def _decode_digits_kernel(matrix, offset, width, chars, skip_zero, explicit_point, scale, max_digits,
                          zero_when_blank, out, negative, invalid):
    # _decode_kernel for more than 18 digits: the value's digits, right-aligned at the field's
    # scale, go to out (n, max_digits) for from_digits instead of into an int64
    cap = out.shape[1]
    buf = np.zeros(width + scale + 2, np.uint8)
    for i in range(matrix.shape[0]):
        sig = 0
        ndig = 0
        frac = 0
        point = False
        neg = False
        signs = 0
        bad = False
        other = False
        j = 0
        while j < width:
            c = chars[matrix[i, offset + j]]
            kind, size = _symbol(matrix, i, offset, j, width, chars)
            if kind == _DIGIT:
                if not (skip_zero[j] and c == 48):
                    d = c - 48  # pragma: no mutate (a digit character, 0x30-0x39: - 48 and ^ 48 agree)
                    ndig += 1
                    if point:
                        frac += 1
                    if sig > 0 or d != 0:
                        buf[sig] = d
                        sig += 1
            elif kind == _FILL:
                pass
            elif kind == _POINT:
                if point:
                    bad = True
                    break
                point = True
            elif kind == _PLUS or kind == _MINUS:
                signs += 1
                other = True
                if kind == _MINUS:
                    neg = True
            else:
                bad = True
                break
            j += size
        if signs > 1:
            bad = True
        if not bad and ndig == 0:
            bad = other or not zero_when_blank
            sig = 0
            neg = False
        if not bad and sig > 0:
            have = frac if point else (0 if explicit_point else scale)
            if have > scale:
                drop = have - scale
                for t in range(drop):
                    if t < sig and buf[sig - 1 - t] != 0:
                        bad = True
                sig = sig - drop if sig > drop else 0
            elif have < scale:
                for t in range(scale - have):
                    buf[sig + t] = 0
                sig += scale - have
            if sig > max_digits:
                bad = True
        for k in range(cap):
            out[i, k] = 0
        if bad:
            neg = False
        else:
            for k in range(sig):
                out[i, cap - sig + k] = buf[k]
        negative[i] = neg
        invalid[i] = bad


def decode(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions) -> Numbers:
    """The numeric-edited field at ``offset`` of every record, read leniently (see the module)."""
    check_digits(field)
    mask = _mask_of(field)
    cs = charset(options.codepage_for(field.path))
    width = field.length
    skip_zero = np.zeros(width, np.bool_)
    for pos in range(min(width, mask.width)):
        if mask.codes[pos] == INSERT and mask.chars[pos] == ord("0"):
            skip_zero[pos] = True
    digits = field.digits or mask.digits
    n = matrix.shape[0]
    values = np.empty(n, np.int64)
    invalid = np.empty(n, np.bool_)
    zero_when_blank = field.blank_when_zero or not mask.has_nine
    scale = _scale(field, mask)
    punched = _overpunch_position(field, mask)
    negative = None
    if punched >= 0:
        matrix, offset, negative = _lift_overpunch(matrix, offset, width, punched, cs)
    if digits > 18:
        out = np.empty((n, digits), np.uint8)
        minus = np.empty(n, np.bool_)
        _decode_digits_kernel(matrix, offset, width, cs.chars, skip_zero, mask.explicit_point, scale,
                              digits, zero_when_blank, out, minus, invalid)
        if negative is not None:
            minus |= negative & ~invalid
        wide = from_digits(out, minus & out.any(axis=1))
        return Numbers(_fit(wide, digits), invalid, digits, scale, kind_for(scale))
    _decode_kernel(matrix, offset, width, cs.chars, skip_zero, mask.explicit_point, scale,
                   min(digits, 19), zero_when_blank, values, invalid)
    if negative is not None:
        # the overpunch makes the value negative (a '-' as well leaves it negative)
        values = np.where(negative & ~invalid & (values > 0), -values, values)
    return Numbers(values, invalid, max(1, digits), scale, kind_for(scale))


def _overpunch_position(field: Field, mask: EditMask) -> int:
    """Where a signed picture without a sign symbol (``S9(3).99``, accepted with a warning) carries
    its sign: overpunched on its last digit, as zoned numbers do; -1 when it has a sign symbol."""
    if not field.signed:
        return -1
    if np.isin(mask.codes, (SIGN_PLUS, SIGN_MINUS, CRDB)).any() or mask.float_symbol in (43, 45):
        return -1
    digit_positions = np.flatnonzero(mask.digit_at >= 0)
    return int(digit_positions[-1]) if digit_positions.size else -1


# character (the code page's, through Charset.chars) -> (digit, negative) of an overpunched digit:
# IBM's { A-I } J-R (what EBCDIC zones C/D read as, and IBM-style ASCII), GnuCOBOL's p-y.
_PUNCH_DIGIT = np.full(256, -1, np.int8)
_PUNCH_NEGATIVE = np.zeros(256, np.bool_)
for _d, (_pos, _neg) in enumerate(zip("{ABCDEFGHI", "}JKLMNOPQR")):
    _PUNCH_DIGIT[ord(_pos)] = _d
    _PUNCH_DIGIT[ord(_neg)] = _d
    _PUNCH_NEGATIVE[ord(_neg)] = True
    _PUNCH_DIGIT[0x70 + _d] = _d  # pragma: no mutate (p-y: 0x70 plus a digit, + | ^ agree)
    _PUNCH_NEGATIVE[0x70 + _d] = True  # pragma: no mutate (p-y: 0x70 plus a digit, + | ^ agree)


def _lift_overpunch(matrix: np.ndarray, offset: int, width: int, at: int, cs) -> tuple[np.ndarray, int, np.ndarray]:
    """(the field's bytes with an overpunched last digit replaced by the plain digit, 0, negative rows)."""
    field_bytes = np.array(matrix[:, offset:offset + width], dtype=np.uint8, order="C")  # a copy: never the input
    chars = cs.chars[field_bytes[:, at]]
    digit = _PUNCH_DIGIT[chars]
    punched = digit >= 0
    negative = punched & _PUNCH_NEGATIVE[chars]
    digit_bytes = cs.bytes_of[np.arange(48, 58)]
    field_bytes[punched, at] = digit_bytes[digit[punched]]
    return field_bytes, 0, negative


# --------------------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def _edit_kernel(digits, negative, codes, chars, digit_at, float_symbol, has_nine, star, bwz, out):
    width = codes.shape[0]
    for i in range(digits.shape[0]):
        zero = True
        for k in range(digits.shape[1]):
            if digits[i, k] != 0:
                zero = False
                break
        neg = negative[i] and not zero
        if (bwz and zero) or (zero and not has_nine and not star):
            for p in range(width):
                out[i, p] = 32
            continue
        if zero and not has_nine and star:
            for p in range(width):
                out[i, p] = 46 if codes[p] == POINT else 42
            continue
        symbol = float_symbol
        if float_symbol == 43 and neg:
            symbol = 45
        elif float_symbol == 45 and not neg:
            symbol = 32
        significant = False
        zone = 0            # the suppression in force: 1 Z, 2 *, 3 floating
        last_sup = -1
        pending = False
        for p in range(width):
            code = codes[p]
            if code == DIG9 or code == POINT:
                if pending:
                    out[i, last_sup] = symbol
                    pending = False
                significant = True
                out[i, p] = 48 + digits[i, digit_at[p]] if code == DIG9 else 46
            elif code == ZSUP or code == STAR:
                d = digits[i, digit_at[p]]
                if not significant and d == 0:
                    out[i, p] = 32 if code == ZSUP else 42
                    zone = 1 if code == ZSUP else 2
                else:
                    significant = True
                    out[i, p] = 48 + d
            elif code == FLOAT_LEAD:
                out[i, p] = 32
                last_sup = p
                pending = True
                zone = 3
            elif code == FLOAT:
                d = digits[i, digit_at[p]]
                if not significant and d == 0:
                    out[i, p] = 32
                    last_sup = p
                else:
                    if pending:
                        out[i, last_sup] = symbol
                        pending = False
                    significant = True
                    out[i, p] = 48 + d
            elif code == INSERT:
                if significant or zone == 0:
                    out[i, p] = chars[p]
                elif zone == 2:
                    out[i, p] = 42
                else:
                    out[i, p] = 32
                    if zone == 3 and pending:
                        last_sup = p
            elif code == SIGN_PLUS:
                out[i, p] = 45 if neg else 43
            elif code == SIGN_MINUS:
                out[i, p] = 45 if neg else 32
            elif code == CRDB:
                out[i, p] = chars[p] if neg else 32
            else:
                out[i, p] = chars[p]
        if pending:
            out[i, last_sup] = symbol


def encode(numbers: Numbers, field: Field, options: CodecOptions, *, rows: np.ndarray | None = None,
           truncate: bool = False) -> np.ndarray:
    """The printed field (n, length) in the code page, edited by the picture as COBOL's MOVE does.

    :raises EncodeError: a null value, more integer digits than the picture prints, a negative
        value for a picture without a sign (both allowed with ``truncate``, which prints what
        COBOL would: the low-order digits, unsigned), or more decimal places than it prints.
    """
    check_digits(field)
    mask = _mask_of(field)
    if mask.width != field.length:
        raise LayoutError(f"{field.qualified_name}: edit mask {mask.text!r} prints {mask.width} characters "
                          f"but the item has {field.length} bytes", field=field.qualified_name)
    numbers = for_field(numbers, field.with_changes(scale=_scale(field, mask)), rows)
    numbers = rescale(numbers, _scale(field, mask), field=field, rows=rows)
    digits, negative, overflow = digits_of(numbers.values, mask.digits)
    if overflow.any() and not truncate:
        refuse_overflow(numbers, field, overflow, rows, f"has more digits than the picture {mask.text} prints")
    signs = (SIGN_PLUS, SIGN_MINUS, CRDB)
    punched = _overpunch_position(field, mask)
    if punched < 0 and not truncate and not (np.isin(mask.codes, signs).any() or mask.float_symbol in (43, 45)):
        lost = negative & digits.any(axis=1)
        if lost.any():
            refuse_overflow(numbers, field, lost, rows, f"is negative and the picture {mask.text} prints no sign")
    printed = np.empty((len(numbers), mask.width), np.uint8)
    _edit_kernel(digits, negative, mask.codes, mask.chars, mask.digit_at, mask.float_symbol, mask.has_nine,
                 mask.star, field.blank_when_zero, printed)
    if punched >= 0:
        # S without a sign symbol: a negative value's last digit is overpunched (} J-R), as read
        # a non-zero value always prints its last digit: the digit-range test is a guard no value
        # reaches, so its mutants are equivalent (hence the pragma)
        printable = (printed[:, punched] >= 48) & (printed[:, punched] <= 57)  # pragma: no mutate
        minus = negative & digits.any(axis=1) & printable
        printed[minus, punched] = np.frombuffer(b"}JKLMNOPQR", np.uint8)[printed[minus, punched] - 48]
    cs = charset(options.codepage_for(field.path))
    return cs.bytes_of[printed]


def encode_into(matrix: np.ndarray, offset: int, numbers: Numbers, field: Field, options: CodecOptions,
                mask: np.ndarray | None = None, *, truncate: bool = False) -> None:
    """Encode in place into records at ``offset``, only the rows where ``mask`` is True."""
    encode_rows(encode, matrix, offset, numbers, field, options, mask, truncate=truncate)
