"""Protocol endpoints of the built-in provider: token, authorize, JWKS and discovery."""

import secrets
from datetime import timedelta
from typing import Annotated, Any

from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from broker.audit.recording import Action, Outcome, Record, record
from broker.db import DbSession
from broker.errors import TooManyAttempts
from broker.identity import service
from broker.identity.deps import (
    ApiPrincipal,
    AppSettings,
    Keys,
    LoginLimit,
    MaybeWebUser,
    TokenLimit,
)
from broker.identity.provider import BrokerRequest, Provider, ProviderUser
from broker.identity.schemas import OAuthErrorRead, UserInfoRead
from broker.web.forms import CheckedForm, FormData
from broker.web.templating import render

router = APIRouter(tags=["oauth"])


def get_provider(session: DbSession, settings: AppSettings, keys: Keys) -> Provider:
    return Provider(session=session, settings=settings, keys=keys)


ProviderDep = Annotated[Provider, Depends(get_provider)]


def _oauth_request(request: Request, provider: Provider, data: dict[str, str]) -> BrokerRequest:
    # The public URL, so authlib's https check sees what the client sees.
    uri = provider.settings.base_url + request.url.path
    return BrokerRequest(method=request.method, uri=uri, headers=request.headers, data=data)


OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": f"{status}: an OAuth error (RFC 6749 5.2)", "content": {
        "application/json": {"schema": OAuthErrorRead.model_json_schema()}}}
    for status in (400, 401)}


@router.post("/oauth/token", summary="OAuth2 token endpoint (client credentials, code + PKCE)",
             responses=OAUTH_ERRORS)
def token(request: Request, _: TokenLimit, form: FormData, provider: ProviderDep) -> Response:
    return provider.create_token_response(_oauth_request(request, provider, form))


@router.get("/oauth/jwks", summary="Public keys that sign access and ID tokens")
def jwks(keys: Keys) -> dict[str, Any]:
    return keys.public_jwks


@router.get("/.well-known/openid-configuration", summary="OpenID provider metadata")
def openid_configuration(provider: ProviderDep) -> dict[str, Any]:
    return provider.metadata()


@router.get("/.well-known/oauth-authorization-server",
            summary="OAuth 2.0 authorization server metadata (RFC 8414)")
def authorization_server_metadata(provider: ProviderDep) -> dict[str, Any]:
    return provider.metadata()


@router.get("/oauth/userinfo", response_model=UserInfoRead, operation_id="userinfo",
            summary="OpenID Connect UserInfo: the professional the access token is for")
@router.post("/oauth/userinfo", response_model=UserInfoRead, operation_id="userinfo_post",
             summary="OpenID Connect UserInfo (POST, as OIDC Core 5.3.1 allows)")
def userinfo(session: DbSession, principal: ApiPrincipal) -> UserInfoRead:
    return service.userinfo(session, principal)


def _login_page(request: Request, *, error: str | None = None, status_code: int = 200,
                email: str = "") -> Response:
    return render(request, "identity/login.html",
                  {"error": error, "email": email, "query": request.url.query},
                  status_code=status_code)


def _invalid_request(request: Request, provider: Provider, oauth_request: BrokerRequest,
                     error: OAuth2Error) -> Response:
    """A checked redirect URI gets the error; otherwise the browser sees it (no open redirect)."""
    if error.redirect_uri:
        return provider.handle_error_response(oauth_request, error)
    return render(request, "error.html", {"problem": {
        "status": 400, "code": error.error, "trace_id": None}}, status_code=400)


@router.get("/oauth/authorize", include_in_schema=False)
def authorize(request: Request, provider: ProviderDep, user: MaybeWebUser) -> Response:
    oauth_request = _oauth_request(request, provider, dict(request.query_params))
    end_user = ProviderUser(user.professional) if user else None
    try:
        grant = provider.get_consent_grant(oauth_request, end_user=end_user)
    except OAuth2Error as error:
        return _invalid_request(request, provider, oauth_request, error)
    if end_user is not None and request.query_params.get("prompt") != "login":
        return provider.create_authorization_response(
            oauth_request, grant_user=end_user, grant=grant)
    return _login_page(request)


@router.post("/oauth/authorize", include_in_schema=False)
def authorize_login(request: Request, _: LoginLimit, form: CheckedForm, provider: ProviderDep,
                    session: DbSession) -> Response:
    oauth_request = _oauth_request(request, provider, dict(request.query_params))
    try:
        grant = provider.get_consent_grant(oauth_request, end_user=None)
    except OAuth2Error as error:
        return _invalid_request(request, provider, oauth_request, error)
    email = form.get("email", "")
    settings = provider.settings
    try:
        professional = service.authenticate_password(
            session, email=email, password=form.get("password", ""),
            max_failures=settings.login_max_failures,
            lockout=timedelta(minutes=settings.login_lockout_minutes))
    except TooManyAttempts:
        record(session, Record(Action.LOGIN_FAILED, None, outcome=Outcome.DENIED))
        return _login_page(request, error="locked", status_code=429, email=email)
    except service.LoginFailed:
        record(session, Record(Action.LOGIN_FAILED, None, outcome=Outcome.FAILURE))
        return _login_page(request, error="invalid", status_code=401, email=email)
    organisation = service.require_organisation(session, professional.organisation_id)
    record(session, Record(Action.LOGIN, service.professional_principal(session, organisation,
                                                                        professional)))
    request.session["csrf"] = secrets.token_urlsafe(32)
    return provider.create_authorization_response(
        oauth_request, grant_user=ProviderUser(professional), grant=grant)

