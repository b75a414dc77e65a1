"""Login and logout pages, and the administrator's overview."""

import json
from datetime import timedelta
from typing import Annotated, Any

from authlib.integrations.starlette_client import OAuthError, StarletteOAuth2App
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from broker.audit.recording import Action, Record, record
from broker.db import DbSession, Tx, undo_failed
from broker.errors import BrokerError, Forbidden, Invalid
from broker.identity import service
from broker.identity.deps import (
    SESSION_COOKIE,
    AppSettings,
    CurrentWebUser,
    MaybeWebUser,
    WebUser,
)
from broker.identity.provider import CALLBACK_PATH
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
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


# --- Beheer: organisations, teams, professionals and API clients -----------------------

ADMIN_NOTICE = "beheer_notice"  # a one-line confirmation for the next /beheer page
NEW_CLIENT = "beheer_new_client"  # the new client's secret, shown once and then forgotten

REFUSALS = {  # the identity service's codes, as the admin reads them
    "name_required": N_("Vul een naam in."),
    "unknown_party": N_("Kies een soort organisatie uit de lijst."),
    "invalid_team": N_("Vul een naam voor het team in."),
    "unknown_team": N_("Kies alleen teams van de gekozen organisatie."),
    "invalid_email": N_("Vul een geldig e-mailadres in."),
    "email_taken": N_("Er is al een medewerker met dit e-mailadres."),
    "password_too_short": N_("Een wachtwoord heeft minstens 12 tekens."),
    "invalid_roles": N_("Kies minstens één rol."),
    "invalid_jwks": N_("De publieke sleutels (JWKS) zijn niet te lezen. Plak de JSON met "
                       "\"keys\"."),
    "private_jwks": N_("De JWKS bevat een geheime sleutel. Geef alleen publieke sleutels."),
    "not_in_organisation": N_("Die medewerker hoort niet bij de gekozen organisatie."),
    "not_found": N_("Kies een organisatie uit de lijst."),
    "redirect_uri": N_("Een terugkeeradres begint met https:// (of http://127.0.0.1)."),
}
ROLE_ORDER = ["regisseur", "partner", "aandachtsfunctionaris", "privacy_officer", "teamleider",
              "admin"]


def _admin(user: WebUser) -> WebUser:
    if not user.principal.has_role("admin"):
        raise Forbidden("This page is for administrators.", code="wrong_role")
    return user


def _refusal(exc: BrokerError) -> str:
    return REFUSALS.get(exc.code, N_("Dit kon niet worden opgeslagen. Kijk de velden na."))


def _done(request: Request, kind: str, name: str) -> Response:
    request.session[ADMIN_NOTICE] = {"kind": kind, "name": name}
    return RedirectResponse("/beheer", status_code=303)


@router.get("/beheer")
def directory(request: Request, user: CurrentWebUser, session: DbSession) -> Response:
    _admin(user)
    policy = request.app.state.policy
    rows = [{"organisation": organisation, "professionals": count,
             "party_label": _party_label(policy, organisation.party)}
            for organisation, count in service.organisation_overview(session)]
    return render(request, "identity/directory.html", {
        "organisations": rows, "teams": service.teams_overview(session),
        "professionals": service.professionals_overview(session),
        "clients": service.clients_overview(session),
        "notice": request.session.pop(ADMIN_NOTICE, None)}, user=user)


def _party_label(policy: Any, party: str) -> str:
    return policy.parties[party].label if party in policy.parties else party


def _form(request: Request, session: DbSession, user: WebUser, name: str, *,
          values: dict[str, Any] | None = None, error: str | None = None) -> Response:
    policy = request.app.state.policy
    return render(request, f"identity/new_{name}.html", {
        "values": values or {}, "error": error,
        "parties": sorted(((key, party.label) for key, party in policy.parties.items()),
                          key=lambda item: item[1]),
        "organisations": service.organisations(session),
        "teams": service.teams_overview(session),
        "professionals": service.professionals_overview(session),
        "roles": ROLE_ORDER}, user=user, status_code=422 if error else 200)


@router.get("/beheer/organisaties/nieuw")
def new_organisation(request: Request, user: CurrentWebUser, session: DbSession) -> Response:
    return _form(request, session, _admin(user), "organisation")


@router.post("/beheer/organisaties")
def create_organisation(request: Request, user: CurrentWebUser, session: DbSession,
                        form: CheckedForm) -> Response:
    _admin(user)
    values = {"name": form.get("name", ""), "party": form.get("party", "")}
    if not values["name"].strip() or values["party"] not in request.app.state.policy.parties:
        return _form(request, session, user, "organisation", values=values, error=REFUSALS[
            "name_required" if not values["name"].strip() else "unknown_party"])
    try:
        organisation = service.create_organisation(session, name=values["name"],
                                                   party=values["party"],
                                                   policy=request.app.state.policy)
    except BrokerError as exc:
        undo_failed(session, exc)
        return _form(request, session, user, "organisation", values=values,
                     error=_refusal(exc))
    return _done(request, "organisation", organisation.name)


@router.get("/beheer/teams/nieuw")
def new_team(request: Request, user: CurrentWebUser, session: DbSession) -> Response:
    return _form(request, session, _admin(user), "team")


@router.post("/beheer/teams")
def create_team(request: Request, user: CurrentWebUser, session: DbSession,
                form: CheckedForm) -> Response:
    _admin(user)
    values = {"organisation_id": form.get("organisation_id", ""), "name": form.get("name", "")}
    try:
        team = service.create_team(session, organisation_id=values["organisation_id"],
                                   name=values["name"])
    except BrokerError as exc:
        if exc.status != 404:
            undo_failed(session, exc)
        return _form(request, session, user, "team", values=values, error=_refusal(exc))
    return _done(request, "team", team.name)


@router.get("/beheer/medewerkers/nieuw")
def new_professional(request: Request, user: CurrentWebUser, session: DbSession) -> Response:
    return _form(request, session, _admin(user), "professional")


@router.post("/beheer/medewerkers")
async def create_professional(request: Request, user: CurrentWebUser, session: DbSession,
                              form: CheckedForm) -> Response:
    _admin(user)
    multi = await request.form()
    values: dict[str, Any] = {
        "organisation_id": form.get("organisation_id", ""), "name": form.get("name", ""),
        "email": form.get("email", ""), "roles": [str(r) for r in multi.getlist("roles")],
        "team_ids": [str(t) for t in multi.getlist("team_ids")]}
    try:
        professional = service.create_professional(
            session, organisation_id=values["organisation_id"], email=values["email"],
            name=values["name"], roles=values["roles"],
            password=form.get("password") or None, team_ids=values["team_ids"])
    except BrokerError as exc:
        if exc.status != 404:
            undo_failed(session, exc)
        return _form(request, session, user, "professional", values=values,
                     error=_refusal(exc))
    return _done(request, "professional", professional.email)


@router.get("/beheer/koppelingen/nieuw")
def new_client(request: Request, user: CurrentWebUser, session: DbSession) -> Response:
    return _form(request, session, _admin(user), "client")


@router.post("/beheer/koppelingen")
def create_client(request: Request, user: CurrentWebUser, session: DbSession,
                  form: CheckedForm) -> Response:
    _admin(user)
    values = {key: form.get(key, "") for key in ("organisation_id", "name", "professional_id",
                                                  "redirect_uri", "jwks")}
    try:
        jwks = json.loads(values["jwks"]) if values["jwks"].strip() else None
        if jwks is not None and not isinstance(jwks, dict):
            raise ValueError
    except ValueError:
        return _form(request, session, user, "client", values=values,
                     error=_refusal(Invalid("", code="invalid_jwks")))
    if not values["name"].strip():
        return _form(request, session, user, "client", values=values,
                     error=REFUSALS["name_required"])
    redirect = values["redirect_uri"].strip()
    if redirect and not redirect.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        return _form(request, session, user, "client", values=values,
                     error=_refusal(Invalid("", code="redirect_uri")))
    try:
        client, secret = service.create_client(
            session, organisation_id=values["organisation_id"],
            name=values["name"].strip(),
            professional_id=values["professional_id"] or None, jwks=jwks,
            redirect_uris=[redirect] if redirect else [])
    except BrokerError as exc:
        if exc.status != 404:
            undo_failed(session, exc)
        return _form(request, session, user, "client", values=values, error=_refusal(exc))
    request.session[NEW_CLIENT] = {"client_id": client.client_id, "name": client.name,
                                   "auth_method": client.auth_method, "secret": secret}
    return RedirectResponse("/beheer/koppelingen/nieuw/klaar", status_code=303)


@router.get("/beheer/koppelingen/nieuw/klaar")
def client_made(request: Request, user: CurrentWebUser) -> Response:
    """The new client's id and secret, once: the secret is kept only as a hash, and is gone
    from the flow cookie as soon as this page is shown."""
    _admin(user)
    made = request.session.pop(NEW_CLIENT, None)
    response = render(request, "identity/client_made.html", {"made": made}, user=user)
    response.headers["Cache-Control"] = "no-store"
    return response
