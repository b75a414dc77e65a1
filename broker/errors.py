"""Domain errors. Services raise these; one handler renders problem+json or an error page."""

from typing import Any


class BrokerError(Exception):
    """An error with an HTTP status and a machine-readable ``code`` (RFC 9457 problem)."""

    status = 400
    code = "bad_request"
    title = "Bad request"
    # A refusal is itself a fact to keep: when True, the request's transaction still commits
    # (its audit event) before the error goes to the caller. Only for errors raised before
    # anything but audit records was written.
    commits = False

    def __init__(self, detail: str | None = None, *, code: str | None = None,
                 **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code is not None:
            self.code = code
        self.extra = extra


class NotFound(BrokerError):
    status, code, title = 404, "not_found", "Not found"


class Unauthorized(BrokerError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(BrokerError):
    status, code, title = 403, "forbidden", "Forbidden"


class NoConsent(BrokerError):
    """The door refused: no basis to share this (the refusal event is kept)."""

    status, code, title, commits = 403, "no_consent", "No consent", True


class NotAcceptable(BrokerError):
    status, code, title = 406, "not_acceptable", "Not acceptable"


class Conflict(BrokerError):
    status, code, title = 409, "conflict", "Conflict"


class Invalid(BrokerError):
    """The request cannot succeed as sent (a broken rule, not a malformed body)."""

    status, code, title = 422, "invalid", "Unprocessable request"


class TooManyAttempts(BrokerError):
    status, code, title = 429, "too_many_attempts", "Too many attempts"


class RateLimited(BrokerError):
    """Too many requests from one address in a short time (login and token endpoints)."""

    status, code, title = 429, "rate_limited", "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; try again in {retry_after} seconds.",
                         retry_after=retry_after)
        self.retry_after = retry_after
