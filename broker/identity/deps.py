"""Who is calling, as FastAPI dependencies: bearer tokens for the API, sessions for pages."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import HTTPBearer, OAuth2

from broker.config import Settings
from broker.db import DbSession, Tx
from broker.errors import BrokerError, Forbidden, Unauthorized
from broker.identity import limits, service
from broker.identity.limits import LimitKind
from broker.identity.models import Organisation, Professional, WebSession
from broker.identity.principal import Principal
from broker.identity.tokens import VerifiedTokens
from broker.keys import KeyRing

SESSION_COOKIE = "broker_session"


# The light dependencies are `async def`: a sync one costs a thread-pool hop per request.
async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_keys(request: Request) -> KeyRing:
    keys: KeyRing = request.app.state.keys
    return keys


AppSettings = Annotated[Settings, Depends(get_app_settings)]
Keys = Annotated[KeyRing, Depends(get_keys)]


def client_address(request: Request) -> str:
    """The peer's address. `serve` believes X-Forwarded-For only from the proxies in
    BROKER_TRUSTED_PROXIES (uvicorn's proxy headers); from anyone else it is ignored."""
    return request.client.host if request.client else "unknown"


async def _take(request: Request, tx: Tx, kind: LimitKind) -> None:
    """Counted in a transaction of its own, committed before the route's work begins, so a
    request that then fails (a wrong password) counts too. On SQLite it waits for the one
    transaction at a time: name the limit before any DbSession among a route's parameters."""
    keys: KeyRing = request.app.state.keys
    per_minute: dict[LimitKind, int] = request.app.state.limits
    await tx.run(limits.take, kind=kind, per_minute=per_minute[kind],
                 address_hash=limits.address_hash(keys.address_key, client_address(request)))


async def limit_login(request: Request, tx: Tx) -> None:
    await _take(request, tx, LimitKind.LOGIN)


async def limit_token(request: Request, tx: Tx) -> None:
    await _take(request, tx, LimitKind.TOKEN)


LoginLimit = Annotated[None, Depends(limit_login)]
TokenLimit = Annotated[None, Depends(limit_token)]


# Named in the OpenAPI document as the ways to call a route: a client gets a token with its
# credentials (OAuth2 client credentials), or sends one it has (bearer JWT). Neither refuses
# anything itself; bearer_principal does.
OAUTH2 = OAuth2(flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(
    tokenUrl="/oauth/token")), scheme_name="oauth2", auto_error=False,
    description="Client credentials (client_secret_basic or private_key_jwt) at /oauth/token")
BEARER = HTTPBearer(bearerFormat="JWT", scheme_name="bearer", auto_error=False,
                    description="An access token (RFC 9068 JWT) from /oauth/token")


async def bearer_principal(request: Request, _oauth2: Annotated[object, Security(OAUTH2)],
                           _bearer: Annotated[object, Security(BEARER)]) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required.")
    tokens: VerifiedTokens = request.app.state.tokens
    return tokens.principal(token.strip())


ApiPrincipal = Annotated[Principal, Depends(bearer_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only principals holding one of `roles`."""

    async def guard(principal: ApiPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise Forbidden(f"This needs the role {' or '.join(roles)}.", code="wrong_role")
        return principal

    return guard


class LoginRequired(BrokerError):
    """A page needs a logged-in professional; the browser is sent to the login."""

    status, code, title = 401, "login_required", "Login required"


@dataclass(frozen=True)
class WebUser:
    professional: Professional
    organisation: Organisation
    principal: Principal
    web_session: WebSession


def optional_web_user(request: Request, session: DbSession) -> WebUser | None:
    raw = request.cookies.get(SESSION_COOKIE)
    found = service.get_web_session(session, raw) if raw else None
    if found is None:
        return None
    web_session, professional = found
    organisation = service.require_organisation(session, professional.organisation_id)
    user = WebUser(professional, organisation,
                   service.professional_principal(session, organisation, professional),
                   web_session)
    request.state.web_user = user  # for the error page's menu, should the route fail
    return user


async def require_web_user(user: Annotated[WebUser | None, Depends(optional_web_user)]) -> WebUser:
    if user is None:
        raise LoginRequired()
    return user


MaybeWebUser = Annotated[WebUser | None, Depends(optional_web_user)]
CurrentWebUser = Annotated[WebUser, Depends(require_web_user)]
