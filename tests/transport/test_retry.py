"""RetryPolicy: which errors are retried, how long it waits, and what it raises when it gives up."""
from __future__ import annotations

import pytest

from bridge.errors import TransportError
from bridge.transport import FileMissingError, RetryPolicy


class Flaky:
    """An operation that fails with the given errors, in order, then returns "done"."""

    def __init__(self, *errors: TransportError) -> None:
        self.errors = list(errors)
        self.attempts: list[int] = []

    def __call__(self, number: int) -> str:
        self.attempts.append(number)
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def dropped(text: str = "connection lost") -> TransportError:
    return TransportError(text, where="sftp://u@h:22/inbox/A.DAT", retryable=True)


def test_a_dropped_connection_is_retried_until_the_operation_succeeds() -> None:
    waits: list[float] = []
    operation = Flaky(dropped(), dropped())
    assert RetryPolicy(attempts=3, base_delay=0.5).run(operation, sleep=waits.append) == "done"
    assert operation.attempts == [0, 1, 2]
    assert waits == [0.5, 1.0]


def test_the_wait_doubles_and_is_capped_at_max_delay() -> None:
    policy = RetryPolicy(attempts=8, base_delay=1.0, max_delay=5.0)
    assert [policy.delay(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_a_non_retryable_error_is_raised_at_once_without_waiting() -> None:
    waits: list[float] = []
    operation = Flaky(FileMissingError("no such file", where="inbox/A.DAT"))
    with pytest.raises(FileMissingError, match="no such file"):
        RetryPolicy(attempts=5).run(operation, sleep=waits.append)
    assert operation.attempts == [0] and waits == []


def test_giving_up_raises_a_retryable_error_that_counts_the_attempts() -> None:
    operation = Flaky(dropped("put failed, connection lost"), dropped(), dropped("put failed, EOF"))
    with pytest.raises(TransportError) as caught:
        RetryPolicy(attempts=3, base_delay=0).run(operation, sleep=lambda _: None)
    error = caught.value
    assert error.retryable
    assert "put failed, EOF (gave up after 3 attempts)" in str(error)
    assert error.where == "sftp://u@h:22/inbox/A.DAT"
    assert operation.attempts == [0, 1, 2]


def test_a_single_attempt_policy_raises_the_original_error() -> None:
    original = dropped()
    with pytest.raises(TransportError) as caught:
        RetryPolicy(attempts=1).run(Flaky(original), sleep=lambda _: pytest.fail("must not wait"))
    assert caught.value is original


def test_other_exceptions_are_not_retried() -> None:
    def buggy(_: int) -> None:
        raise KeyError("a bug stays a traceback")
    with pytest.raises(KeyError):
        RetryPolicy(attempts=3).run(buggy, sleep=lambda _: pytest.fail("must not wait"))


@pytest.mark.parametrize("settings", [dict(attempts=0), dict(base_delay=-1), dict(max_delay=-1)])
def test_nonsensical_policies_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**settings)  # type: ignore[arg-type]
