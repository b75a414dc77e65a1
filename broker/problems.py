"""Every error becomes RFC 9457 problem+json (API) or the error page (browser)."""

import traceback
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broker.errors import BrokerError, RateLimited, Unauthorized
from broker.observability import trace_id_var

log = structlog.get_logger("broker.errors")
PROBLEM_JSON = "application/problem+json"
_TITLES = {400: "Bad request", 401: "Authentication required", 403: "Forbidden",
           404: "Not found", 405: "Method not allowed", 409: "Conflict",
           413: "Payload too large", 415: "Unsupported media type",
           422: "Unprocessable request", 429: "Too many requests",
           500: "Internal error", 503: "Service unavailable"}
_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
          415: "unsupported_media_type"}


def wants_html(request: Request) -> bool:
    """Browser navigation gets a page; API clients and the OAuth endpoints get JSON."""
    path = request.url.path
    if path.startswith(("/api/", "/oauth/token", "/oauth/jwks", "/.well-known/")):
        return False
    return "text/html" in request.headers.get("accept", "")


async def page_user(request: Request) -> Any:
    """The logged-in professional of a browser request (for the menu on the error page), or
    None: without a session cookie, for the API, and when the lookup itself fails. A route
    that resolved its user left it on the request; otherwise (an unknown path) it is looked
    up read-only, outside the request's transaction, which has ended or never began."""
    from broker.identity.deps import SESSION_COOKIE, optional_web_user

    if not wants_html(request) or not request.cookies.get(SESSION_COOKIE):
        return None
    known = getattr(request.state, "web_user", None)
    if known is not None:
        return known

    def look_up() -> Any:
        from sqlalchemy.orm import Session

        with Session(bind=request.app.state.db.engine) as session:
            return optional_web_user(request, session)

    try:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(look_up)
    except Exception:  # an error page must not fail for want of a menu
        return None


def problem(request: Request, *, status: int, code: str, detail: str, title: str | None = None,
            headers: dict[str, str] | None = None, user: Any = None, **extra: Any) -> Response:
    body = {"type": f"urn:broker:problem:{code}", "title": title or _TITLES.get(status, "Error"),
            "status": status, "detail": detail, "code": code,
            "trace_id": trace_id_var.get() or None, **extra}
    if request.url.path.startswith("/fhir/"):
        return JSONResponse(operation_outcome(body), status_code=status,
                            media_type="application/fhir+json", headers=headers)
    if wants_html(request):
        from broker.web.templating import render

        response = render(request, "error.html", {"problem": body}, status_code=status,
                          user=user)
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# FHIR's issue types (R4 valueset issue-type) for the HTTP statuses the broker answers with.
_ISSUE_TYPES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
                405: "not-supported", 406: "not-supported", 409: "conflict", 413: "too-costly",
                422: "invalid", 429: "throttled"}


def operation_outcome(problem_body: dict[str, Any]) -> dict[str, Any]:
    """A problem as a FHIR client reads errors: an OperationOutcome with the same code."""
    issue = {"severity": "error", "code": _ISSUE_TYPES.get(problem_body["status"], "exception"),
             "details": {"coding": [{"system": "urn:broker:problem",
                                     "code": problem_body["code"]}],
                         "text": problem_body["detail"]}}
    if problem_body["trace_id"]:  # FHIR JSON has no nulls
        issue["diagnostics"] = f"trace {problem_body['trace_id']}"
    return {"resourceType": "OperationOutcome", "issue": [issue]}


async def _broker_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BrokerError)
    headers = None
    if isinstance(exc, Unauthorized):
        headers = {"WWW-Authenticate": 'Bearer realm="broker", error="invalid_token"'}
    elif isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem(request, status=exc.status, code=exc.code, detail=exc.detail,
                   title=exc.title, headers=headers, user=await page_user(request), **exc.extra)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(request, status=400, code="malformed_json",
                       detail="The request body is not valid JSON.")
    fields = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"],
               "type": e["type"]} for e in errors]  # never echo the input: it may be personal
    code = "unknown_field" if all(f["type"] == "extra_forbidden" for f in fields) else "validation"
    return problem(request, status=422, code=code,
                   detail="The request does not match the schema.", errors=fields,
                   user=await page_user(request))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES.get(exc.status_code, f"http_{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    return problem(request, status=exc.status_code, code=code, detail=detail,
                   headers=dict(exc.headers or {}), user=await page_user(request))


async def _data_error(request: Request, exc: Exception) -> Response:
    """A value the database cannot hold or compare (PostgreSQL refuses NUL characters in
    text, for one): the request's fault, not ours. Its transaction has rolled back."""
    return problem(request, status=422, code="invalid_value",
                   detail="A value in the request cannot be stored or searched (for example "
                          "a NUL character).", user=await page_user(request))


class CatchAllMiddleware:
    """An unexpected exception answers 500 with the trace id and no internals.

    It sits inside the trace middleware, so the answer carries the trace id; the log gets the
    exception type and frames only: the message may quote data (e.g. SQL parameters).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            frames = [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}"
                      for f in traceback.extract_tb(exc.__traceback__)][-8:]
            log.error("unhandled_exception", exc_type=type(exc).__name__, frames=frames)
            if started:
                raise
            response = problem(Request(scope), status=500, code="internal",
                               detail="Something went wrong on our side; "
                                      "quote the trace id when asking.")
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BrokerError, _broker_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)
