"""Errors that services raise and every door (view, API, task) understands."""


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


def http_status(error: DomainError) -> int:
    """The HTTP status a refusal answers with, in pages and the API alike."""
    if isinstance(error, TooManyRequests):
        return 429
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, IllegalTransition | StaleVersion):
        return 409
    return 400
