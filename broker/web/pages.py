"""The language switch and the API documentation page (the start page is broker/start)."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from broker.web.i18n import LANGUAGES
from broker.web.templating import LANG_COOKIE, render

router = APIRouter(include_in_schema=False)


@router.get("/taal/{language}")
def choose_language(language: str, request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.get("/docs")
def api_docs(request: Request) -> Response:
    return render(request, "docs.html")
