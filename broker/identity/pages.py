"""Login and logout pages, and the administrator's overview."""

from datetime import timedelta
from typing import Annotated

from authlib.integrations.starlette_client import OAuthError, StarletteOAuth2App
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from broker.audit.recording import Action, Record, record
from broker.db import DbSession, Tx
from broker.errors import Forbidden
from broker.identity import service
from broker.identity.deps import SESSION_COOKIE, AppSettings, CurrentWebUser, MaybeWebUser
from broker.identity.provider import CALLBACK_PATH
from broker.web.forms import CheckedForm
from broker.web.templating import render

router = APIRouter(include_in_schema=False)


async def get_relying_party(request: Request) -> StarletteOAuth2App:
    client: StarletteOAuth2App = request.app.state.relying_party
    return client


RelyingParty = Annotated[StarletteOAuth2App, Depends(get_relying_party)]


def safe_next(value: str | None) -> str:
    """Only a local path: `//host` or `https://host` would be an open redirect, and so would
    `/<tab>/host`, as browsers drop tabs and newlines from URLs."""
    if not value or not value.startswith("/") or "\\" in value or \
            any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value) or \
            value.startswith("//"):
        return "/"
    return value


@router.get("/login")
async def login(request: Request, client: RelyingParty, settings: AppSettings,
                next: str | None = None) -> Response:
    request.session["next"] = safe_next(next)
    return await client.authorize_redirect(request, settings.base_url + CALLBACK_PATH)


@router.get(CALLBACK_PATH)
async def callback(request: Request, client: RelyingParty, settings: AppSettings,
                   tx: Tx) -> Response:
    try:
        token = await client.authorize_access_token(request)
    except OAuthError:
        raise Forbidden("The login could not be completed; please try again.",
                        code="login_failed") from None
    email = (token.get("userinfo") or {}).get("email")
    # The token exchange above is a request to the provider (in-process for the built-in
    # one): it must not wait for a transaction this request holds, so none is open yet.
    raw = await tx.run(service.start_web_login, email=email,
                       ttl=timedelta(minutes=settings.session_ttl_minutes))
    if raw is None:
        return render(request, "identity/no_account.html", status_code=403)
    target = safe_next(request.session.get("next"))
    request.session.clear()  # new CSRF token and no leftover flow state after login
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, raw, max_age=settings.session_ttl_minutes * 60,
                        httponly=True, samesite="lax", secure=settings.secure_cookies)
    return response


@router.post("/logout")
def logout(request: Request, form: CheckedForm, session: DbSession, user: MaybeWebUser
           ) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw and user:
        service.end_web_session(session, raw)
        record(session, Record(Action.LOGOUT, user.principal))
    request.session.clear()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/beheer")
def directory(request: Request, user: CurrentWebUser, session: DbSession) -> Response:
    if not user.principal.has_role("admin"):
        raise Forbidden("This page is for administrators.", code="wrong_role")
    policy = request.app.state.policy
    rows = [{"organisation": organisation, "professionals": count,
             "party_label": policy.parties[organisation.party].label
             if organisation.party in policy.parties else organisation.party}
            for organisation, count in service.organisation_overview(session)]
    return render(request, "identity/directory.html", {"organisations": rows}, user=user)
