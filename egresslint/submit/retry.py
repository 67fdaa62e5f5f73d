"""Bounded retries with exponential backoff and full jitter, around one API call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from egresslint.submit.errors import ApiCallError, ErrorKind, SubmitConfigError

T = TypeVar("T")
Sleep = Callable[[float], None]
Random = Callable[[], float]
Clock = Callable[[], float]

log = logging.getLogger("egresslint.submit")


@dataclass(frozen=True)
class RetryPolicy:
    """How long one call may keep trying. Times in seconds."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 10.0
    # Bounds the whole call, waits included, so a run cannot hang on a sick endpoint.
    max_total: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise SubmitConfigError("max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.max_total) < 0:
            raise SubmitConfigError("retry delays must not be negative")

    def delay(self, attempt: int, rand: Random, retry_after: float | None = None) -> float:
        """The wait after failed attempt number `attempt` (1-based): full jitter."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        wait = rand() * ceiling
        if retry_after is not None:  # the server said how long; never ask sooner
            wait = max(wait, min(retry_after, self.max_delay))
        return wait


def call_with_retry(
    call: Callable[[], T],
    *,
    action: str,
    policy: RetryPolicy,
    sleep: Sleep,
    rand: Random,
    clock: Clock,
) -> T:
    """Run `call`, retrying transient failures within the policy's bounds.

    Raises the last ApiCallError (with the attempt count) when it is not transient or the
    attempts or the time budget are used up.
    """
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except ApiCallError as error:
            if error.kind is not ErrorKind.TRANSIENT:
                raise error.after_attempts(attempt) from None
            if attempt >= policy.max_attempts:
                raise error.after_attempts(attempt) from None
            wait = policy.delay(attempt, rand, error.retry_after)
            if clock() - started + wait > policy.max_total:
                raise error.after_attempts(attempt) from None
            log.info(
                "%s: %s (attempt %d of %d), retrying in %.2f s",
                action,
                error.code,
                attempt,
                policy.max_attempts,
                wait,
            )
        sleep(wait)
