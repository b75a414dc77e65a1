"""The FastAPI application factory: settings, policy, keys, database, routers, middleware."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from broker import __version__
from broker.audit import api as audit_api
from broker.audit import pages as audit_pages
from broker.audit.context import INFO_KEY as AUDIT_INFO
from broker.audit.context import AuditContext
from broker.care import api as care_api
from broker.care import pages as care_pages
from broker.config import Settings, get_settings
from broker.consent import api as consent_api
from broker.consent import pages as consent_pages
from broker.db import Database
from broker.family import api as family_api
from broker.family import pages as family_pages
from broker.households import api as households_api
from broker.households import pages as households_pages
from broker.identity import api as identity_api
from broker.identity import oauth as identity_oauth
from broker.identity import pages as identity_pages
from broker.identity.deps import LoginRequired
from broker.identity.limits import LimitKind
from broker.identity.pages import safe_next
from broker.identity.relying_party import make_relying_party
from broker.identity.tokens import VerifiedTokens
from broker.information_requests import api as information_requests_api
from broker.information_requests import pages as information_requests_pages
from broker.jobs import background_loop
from broker.keys import KeyRing
from broker.mail import api as mail_api
from broker.mail import pages as mail_pages
from broker.mandates import api as mandates_api
from broker.meetings import api as meetings_api
from broker.meetings import pages as meetings_pages
from broker.meldcode import api as meldcode_api
from broker.meldcode import pages as meldcode_pages
from broker.observability import SecurityHeadersMiddleware, TraceMiddleware, configure_logging
from broker.observations import api as observations_api
from broker.observations import pages as observations_pages
from broker.partners import pages as partners_pages
from broker.plans import api as plans_api
from broker.plans import pages as plans_pages
from broker.policy import Policy, load_policy
from broker.problems import CatchAllMiddleware, install_error_handlers
from broker.quality import api as quality_api
from broker.quality import pages as quality_pages
from broker.schemas import PROBLEM_RESPONSES
from broker.start import pages as start_pages
from broker.subject_access import pages as subject_access_pages
from broker.system import api as system_api
from broker.web import pages as web_pages
from broker.web.templating import PACKAGE

FLOW_COOKIE = "broker_flow"

DESCRIPTION = """Consent-aware information sharing and network meetings for municipal youth
care. Authenticate with `POST /oauth/token` (client credentials) and send the token as
`Authorization: Bearer <token>`. Errors are `application/problem+json` with a `code`."""


def create_app(settings: Settings | None = None, *, policy: Policy | None = None,
               database: Database | None = None) -> FastAPI:
    """Build the app. A broken policy raises PolicyError here, before anything serves."""
    settings = settings or get_settings()
    configure_logging(settings)
    policy = policy or load_policy(settings.policy_dir)
    keys = KeyRing(settings.key_dir)
    keys.load_all()
    app = FastAPI(title="Broker", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.policy = policy
    app.state.keys = keys
    app.state.tokens = VerifiedTokens(keys=keys, settings=settings)
    app.state.limits = {LimitKind.LOGIN: settings.login_attempts_per_minute,
                        LimitKind.TOKEN: settings.token_requests_per_minute}
    app.state.db = database or Database.from_url(settings.database_url)
    app.state.audit = AuditContext.create(settings, policy, keys)
    app.state.db.bind(AUDIT_INFO, app.state.audit)
    app.state.relying_party = make_relying_party(app, settings)

    install_error_handlers(app)
    app.add_exception_handler(LoginRequired, _to_login)
    api = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)
    api.include_router(identity_api.router)
    api.include_router(audit_api.router)
    api.include_router(audit_api.register_router)
    api.include_router(households_api.router)
    api.include_router(consent_api.router)
    api.include_router(observations_api.router)
    api.include_router(meldcode_api.router)
    api.include_router(mandates_api.router)
    api.include_router(information_requests_api.router)
    api.include_router(meetings_api.router)
    api.include_router(plans_api.router)
    api.include_router(care_api.router)
    api.include_router(quality_api.router)
    api.include_router(family_api.router)
    api.include_router(mail_api.router)
    app.include_router(api)
    app.include_router(system_api.router, responses=PROBLEM_RESPONSES)
    app.include_router(identity_oauth.router, responses=PROBLEM_RESPONSES)
    app.include_router(identity_pages.router)
    app.include_router(audit_pages.router)
    app.include_router(subject_access_pages.router)
    app.include_router(households_pages.router)
    app.include_router(care_pages.router)
    app.include_router(consent_pages.router)
    app.include_router(observations_pages.router)
    app.include_router(meldcode_pages.router)
    app.include_router(information_requests_pages.router)
    app.include_router(meetings_pages.router)
    app.include_router(meetings_api.feed_router)
    app.include_router(consent_api.fhir_router)
    app.include_router(plans_pages.router)
    app.include_router(quality_pages.router)
    app.include_router(family_pages.router)
    app.include_router(partners_pages.router)
    app.include_router(mail_pages.router)
    app.include_router(start_pages.router)
    app.include_router(web_pages.router)
    app.mount("/static", StaticFiles(directory=PACKAGE / "web" / "static"), name="static")

    # Added inside-out: the last one added is the outermost.
    app.add_middleware(SessionMiddleware, secret_key=keys.session_secret,
                       session_cookie=FLOW_COOKIE, same_site="lax",
                       https_only=settings.secure_cookies, max_age=None)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies)
    app.add_middleware(TraceMiddleware)
    return app


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """In `serve`: the background jobs (the audit log sequenced and checkpointed, the outbox
    delivered, reminders), run by whichever process holds the job lease."""
    settings: Settings = app.state.settings
    task = None
    if settings.audit_background:
        task = asyncio.create_task(background_loop(app.state.db, settings))
    yield
    if task is not None:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def _to_login(request: Request, exc: Exception) -> Response:
    target = safe_next(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
