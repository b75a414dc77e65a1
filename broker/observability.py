"""Trace ids (W3C traceparent), structured logs and security headers.

Logs never hold names, BSNs or free text: the access log records method, route template,
status and duration, not the query string or body.
"""

import logging
import re
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broker.clock import now
from broker.config import Settings

trace_id_var: ContextVar[str] = ContextVar("trace_id", default="")
span_id_var: ContextVar[str] = ContextVar("span_id", default="")
parent_span_var: ContextVar[str | None] = ContextVar("parent_span", default=None)
started_at_var: ContextVar[datetime | None] = ContextVar("started_at", default=None)
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
log = structlog.get_logger("broker.http")


def configure_logging(settings: Settings) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    level = logging.getLevelName(settings.log_level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )


def parse_traceparent(value: str | None) -> tuple[str, str] | None:
    """Return (trace_id, parent span id) of a valid W3C traceparent header, else None."""
    match = _TRACEPARENT.match((value or "").strip().lower())
    if not match or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
        return None
    return match.group(1), match.group(2)


class TraceMiddleware:
    """Accepts or starts a trace, answers with `traceparent` and `X-Trace-Id`, logs access."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = parse_traceparent(headers.get(b"traceparent", b"").decode("latin-1"))
        trace_id, parent = incoming if incoming else (secrets.token_hex(16), None)
        span_id = secrets.token_hex(8)
        tokens = (trace_id_var.set(trace_id), span_id_var.set(span_id),
                  parent_span_var.set(parent), started_at_var.set(now()))
        structlog.contextvars.bind_contextvars(trace_id=trace_id)
        started = time.perf_counter()
        status = 500

        async def send_with_trace(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] += [
                    (b"traceparent", f"00-{trace_id}-{span_id}-01".encode()),
                    (b"x-trace-id", trace_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_trace)
        finally:
            log.info("request", method=scope["method"], route=route_template(scope),
                     status=status,
                     ms=round((time.perf_counter() - started) * 1000, 1))
            structlog.contextvars.unbind_contextvars("trace_id")
            _reset(tokens)


def _reset(tokens: tuple[object, ...]) -> None:
    for var, token in zip((trace_id_var, span_id_var, parent_span_var, started_at_var), tokens,
                          strict=True):
        var.reset(token)  # type: ignore[attr-defined]


@contextmanager
def operation() -> Iterator[None]:
    """Work outside a request (a background job's run, a CLI command) as a trace of its own,
    so what it records in the audit log has trace and span ids and a start time too."""
    tokens = (trace_id_var.set(secrets.token_hex(16)), span_id_var.set(secrets.token_hex(8)),
              parent_span_var.set(None), started_at_var.set(now()))
    try:
        yield
    finally:
        _reset(tokens)


def route_template(scope: Scope) -> str:
    """The path with its parameters named, e.g. `/api/v1/households/{household_id}`.

    Logged instead of the real path, which may hold a personal link's token.
    """
    if "route" not in scope:
        return "(unmatched)"
    path: str = scope["path"]
    for name, value in scope.get("path_params", {}).items():
        path = path.replace(f"/{value}", f"/{{{name}}}")
    return path


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = SECURITY_HEADERS + (
            [(b"strict-transport-security", b"max-age=31536000; includeSubDomains")]
            if hsts else []
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] += self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
