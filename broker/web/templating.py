"""One Jinja2 environment for every domain's `templates/` folder; autoescape on."""

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from broker.errors import BrokerError
from broker.web.error_messages import error_message
from broker.web.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    current_language,
    gettext_,
    ngettext_,
    translations,
)
from broker.web.navigation import ROLE_LABELS, navigation_for

PACKAGE = Path(__file__).resolve().parent.parent
LANG_COOKIE = "lang"

environment = Environment(
    loader=ChoiceLoader([FileSystemLoader(str(path)) for path in
                         sorted(PACKAGE.glob("*/templates"))]),
    autoescape=select_autoescape(default=True, default_for_string=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.install_gettext_callables(gettext_, ngettext_, newstyle=True)  # type: ignore[attr-defined]
environment.globals.update(role_labels=ROLE_LABELS, languages=LANGUAGES,
                           error_message=error_message)


def local_time(value: str | datetime | None, zone: ZoneInfo) -> str:
    """An ISO time (UTC) as people read it: 23-11-2026 20:25 in their time zone."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) \
        else value
    return moment.astimezone(zone).strftime("%d-%m-%Y %H:%M")


environment.filters["local_time"] = local_time


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def gettext_for(request: Request, message: str) -> str:
    """A message in the reader's language, for text a page composes before rendering (an
    error from a service's code)."""
    return translations(language_of(request)).gettext(message)


def refusal_text(request: Request, exc: BrokerError, texts: Mapping[str, str], *,
                 otherwise: str | None = None, values: Mapping[str, object] | None = None
                 ) -> str:
    """A service's refusal in the reader's language: the text for its code, filled in with the
    refusal's values; `otherwise` (or the service's own detail) for a code without one."""
    message = texts.get(exc.code, otherwise)
    if message is None:
        return exc.detail
    text = gettext_for(request, message)
    try:
        return text % dict(exc.extra if values is None else values)
    except (KeyError, TypeError, ValueError):
        return text


def csrf_token(request: Request) -> str:
    """The form token lives in the signed flow cookie; every POST form must echo it."""
    import secrets

    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, user: Any = None) -> HTMLResponse:
    """Render a page; `user` (a WebUser) drives the navigation and the logout button."""
    language = language_of(request)
    token = current_language.set(language)
    try:
        html = environment.get_template(name).render(
            request=request, lang=language, user=user, csrf_token=csrf_token(request),
            zone=request.app.state.settings.zone,
            nav=navigation_for(user.principal if user else None, request.url.path),
            **(context or {}))
    finally:
        current_language.reset(token)
    return HTMLResponse(html, status_code=status_code)
