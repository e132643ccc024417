"""From raw predictions to the values written into the copybook's output fields.

Decisions:

* A score is written as an exact decimal: the unscaled integer of the field's PICTURE
  (``0.1235`` in ``PIC 9V9999`` is ``1235`` with scale 4). Rounding is half-up (away from
  zero, COBOL's ROUNDED) applied to the exact binary value of the float64 prediction, as
  ``Decimal(p).quantize(..., ROUND_HALF_UP)`` would, but vectorised: ``p * 10**scale`` is
  formed exactly as the unevaluated sum of two doubles (Dekker's product), so a probability
  such as 0.28885, whose double lies just below the tie, rounds down, not up.
* A value that does not fit the PICTURE (a probability that rounds to 1.0000 in
  ``PIC V9999``; points outside the card's range) is never wrapped or truncated: the card's
  ``on_overflow`` says ``"clamp"`` (write the nearest value that fits, status
  `StatusCodes.clamped`) or ``"error"`` (raise `EncodeError` naming the row and field).
* Bands and the reason-code condition compare the *written* score, so that a COBOL program
  reading the record sees a band consistent with the score beside it. Their bounds are
  converted to the score's scale exactly (``Decimal``), once.
* Status codes: the worst condition of a record wins, as JCL return codes do (see
  `StatusCodes`).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Sequence

import numpy as np

from bridge.errors import EncodeError

__all__ = [
    "StatusCodes",
    "band_labels",
    "points_from_raw",
    "round_half_up",
    "select_rows",
    "sigmoid",
]

_SPLIT = 134217729.0  # 2**27 + 1, Dekker's splitter for float64


@dataclass(frozen=True, slots=True)
class StatusCodes:
    """The status values written per record; when several apply, the highest code wins.

    * ``scored`` "00": scored from complete, valid features.
    * ``clamped`` "02": scored; the score did not fit its field and was clamped to the
      nearest value that fits (``on_overflow = "clamp"``).
    * ``missing`` "04": scored, but one or more features were missing or invalid (null after
      decoding, or an unknown category) and went to LightGBM as missing values.
    * ``rejected`` "08": not scored: a feature whose policy is ``on_missing = "reject"`` was
      missing or invalid. Score zero, band, reasons blank.
    * ``model_error`` "12": not scored: the model returned a non-finite prediction.
    """

    scored: str = "00"
    clamped: str = "02"
    missing: str = "04"
    rejected: str = "08"
    model_error: str = "12"

    def ordered(self) -> tuple[str, ...]:
        """The codes from mildest to worst (the order `combine` uses)."""
        return (self.scored, self.clamped, self.missing, self.rejected, self.model_error)


def sigmoid(raw: np.ndarray) -> np.ndarray:
    """Probability of the positive class from LightGBM's raw binary score (log-odds)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(raw, dtype=np.float64)))


def points_from_raw(raw: np.ndarray, *, base_points: float, base_odds: float, pdo: float) -> np.ndarray:
    """Points on the usual credit scale: ``base_points`` at good:bad odds ``base_odds``, ``pdo``
    more points each time those odds double; higher points mean lower risk.

    ``points = base_points - pdo / ln 2 * (ln(base_odds) + raw)``, since LightGBM's raw binary
    score is ``ln(bad/good)``: the odds good:bad are ``exp(-raw)``, and at ``base_odds`` the
    bracket is zero.
    """
    factor = pdo / np.log(2.0)
    return base_points - factor * (np.log(base_odds) + np.asarray(raw, dtype=np.float64))


def _two_product(a: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """``a * b == hi + lo`` exactly (Dekker), for finite values without overflow."""
    hi = a * b
    t = _SPLIT * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    u = _SPLIT * b
    b_hi = u - (u - b)
    b_lo = b - b_hi
    lo = ((a_hi * b_hi - hi) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return hi, lo


def round_half_up(values: np.ndarray, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact half-up rounding of float64 ``values`` to ``scale`` decimals.

    Returns ``(unscaled int64, ok)``: ``ok`` is False where the value is not finite or its
    magnitude reaches 2**62 after scaling (those unscaled entries are 0). Equal to
    ``int(Decimal(v).scaleb(scale).quantize(1, ROUND_HALF_UP))`` for every finite ``v``.
    """
    v = np.asarray(values, dtype=np.float64)
    sign = np.where(np.signbit(v), -1, 1).astype(np.int64)
    finite = np.isfinite(v)
    mag = np.where(finite, np.abs(v), 0.0)  # pragma: no mutate (any finite stand-in: `ok` drops these rows)
    if scale >= 0:  # pragma: no mutate (at scale 0 both branches are exact: x * 1 and x / 1)
        hi, lo = _two_product(mag, float(10 ** scale)) if scale <= 22 else (mag * 10.0 ** scale, np.zeros_like(mag))
    else:
        hi, lo = mag / 10.0 ** -scale, np.zeros_like(mag)  # negative scale (PIC 9PPP): rare; not exact at ties
    ok = finite & np.isfinite(hi) & (hi < 2.0 ** 62)
    hi = np.where(ok, hi, 0.0)
    lo = np.where(ok, lo, 0.0)
    whole = np.floor(hi)
    # hi - whole is exact; near the tie (frac ~ 0.5) so is frac - 0.5, so the test is exact.
    frac = hi - whole
    # hi may be a whole number with a negative lo (the true value is just below hi): then frac
    # is 0 and the test is -0.5 >= |lo|, false, so the value stays at hi, as half-up says.
    up = (frac - 0.5) >= -lo
    result = whole.astype(np.int64) + up.astype(np.int64)
    return sign * result, ok


def fit_to_picture(unscaled: np.ndarray, ok: np.ndarray, *, low: int, high: int, field: str,
                   picture: str | None, on_overflow: str, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Clamp (or refuse) unscaled values outside ``[low, high]``; returns (values, clamped mask)."""
    over = ok & ((unscaled > high) | (unscaled < low))
    if over.any() and on_overflow == "error":
        row = int(np.flatnonzero(over)[0])
        value = Decimal(int(unscaled[row])).scaleb(-scale)
        raise EncodeError(f"score {value} does not fit (range {Decimal(low).scaleb(-scale)} to "
                          f"{Decimal(high).scaleb(-scale)}); set on_overflow = \"clamp\" in the card's "
                          "[outputs.score] to clamp it with a status code",
                          row=row, field=field, value=value, picture=picture)
    return np.clip(unscaled, low, high), over


def scaled_bound(bound: Decimal, scale: int, *, upper: bool) -> int:
    """The unscaled integer bound equivalent to ``score <= bound`` (upper) or ``score >= bound``."""
    exact = bound.scaleb(scale)
    return int(exact.to_integral_value(rounding=ROUND_FLOOR if upper else ROUND_CEILING))


def band_labels(unscaled: np.ndarray, uppers: Sequence[int], labels: Sequence[str]) -> np.ndarray:
    """Label of the first band whose (unscaled) upper bound the score does not exceed; ``""`` above all."""
    width = max([len(x) for x in labels] + [1])  # pragma: no mutate (any floor keeps the labels whole)
    table = np.array(list(labels) + [""], dtype=f"<U{width}")
    index = np.searchsorted(np.asarray(uppers, dtype=np.int64), unscaled, side="left")
    return table[index]


_OPERATORS = (">=", "<=", "==", ">", "<")


def parse_condition(text: str) -> tuple[str, Decimal]:
    """``"score>=0.5"`` → ``(">=", Decimal("0.5"))``; raises ValueError when it is not of that form."""
    compact = text.replace(" ", "")
    if not compact.lower().startswith("score"):
        raise ValueError(f"condition {text!r} must read score<op><number>, e.g. score>=0.5")
    rest = compact[5:]
    for op in _OPERATORS:
        if rest.startswith(op):
            try:
                return op, Decimal(rest[len(op):])
            except ArithmeticError:
                break  # pragma: no mutate (continue reads the same: no number starts with "=")
    raise ValueError(f"condition {text!r} must read score<op><number> with op one of {', '.join(_OPERATORS)}")


def select_rows(unscaled: np.ndarray, scale: int, condition: str | None) -> np.ndarray:
    """Rows whose written score meets ``condition`` (all rows when None), compared exactly."""
    if condition is None or condition.strip() == "":
        return np.ones(len(unscaled), dtype=bool)
    op, bound = parse_condition(condition)
    exact = bound.scaleb(scale)
    if op == ">=":
        return unscaled >= int(exact.to_integral_value(rounding=ROUND_CEILING))
    if op == ">":
        return unscaled > int(exact.to_integral_value(rounding=ROUND_FLOOR))
    if op == "<=":
        return unscaled <= int(exact.to_integral_value(rounding=ROUND_FLOOR))
    if op == "<":
        return unscaled < int(exact.to_integral_value(rounding=ROUND_CEILING))
    if exact != exact.to_integral_value():
        return np.zeros(len(unscaled), dtype=bool)
    return unscaled == int(exact)
