"""Errors that services raise and every door (view, API, task) understands."""

from collections.abc import Iterator
from contextlib import contextmanager


class DomainError(Exception):
    """A business rule refused the action; the message says why."""

    def __init__(self, message: str, *, code: str = "refused", details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details or {}


class IllegalTransition(DomainError):
    """The action is not allowed in the object's current state (HTTP 409)."""

    def __init__(self, message: str, **kwargs):
        kwargs.setdefault("code", "illegal_transition")
        super().__init__(message, **kwargs)


class StaleVersion(DomainError):
    """The object changed since the caller read it (HTTP 409)."""

    def __init__(self, message: str, **kwargs):
        kwargs.setdefault("code", "stale_version")
        super().__init__(message, **kwargs)


class NotAllowed(DomainError):
    """The person may not take this action (HTTP 403)."""

    def __init__(self, message: str, **kwargs):
        kwargs.setdefault("code", "not_allowed")
        super().__init__(message, **kwargs)


class TooManyRequests(DomainError):
    """The caller used up a window's allowance; it may try again after `retry_after`
    seconds (HTTP 429, with Retry-After)."""

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        kwargs.setdefault("code", "too_many_requests")
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class Refusals:
    """Collects the field refusals of independent checks, so that one answer names every
    problem: a form shows them all at once, next to their fields, instead of one per try.

        refusals = Refusals()
        with refusals.check():
            check_one(...)
        with refusals.check():
            check_two(...)
        refusals.raise_any()

    Only plain refusals that name their fields are collected; any other error (not
    allowed, stale, illegal in this state) stops at once, as it would without this.
    """

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except DomainError as error:
            if type(error) is not DomainError or not error.details:
                raise
            self.errors.append(error)

    def refused(self, *fields: str) -> bool:
        """Whether a check so far refused one of these fields (a later check that builds
        on them is then left out)."""
        return any(name in error.details for error in self.errors for name in fields)

    def raise_any(self) -> None:
        """One refusal: the first one's message and code, every field's messages."""
        if not self.errors:
            return
        first = self.errors[0]
        if len(self.errors) == 1:
            raise first
        details: dict = {}
        for error in self.errors:
            for name, messages in error.details.items():
                details.setdefault(name, []).extend(messages)
        raise DomainError(first.message, code=first.code, details=details)


def http_status(error: DomainError) -> int:
    """The HTTP status a refusal answers with, in pages and the API alike."""
    if isinstance(error, TooManyRequests):
        return 429
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, IllegalTransition | StaleVersion):
        return 409
    return 400
