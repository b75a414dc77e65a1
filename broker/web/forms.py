"""Form posts: parsed once, and refused without the CSRF token of the flow cookie."""

import hmac
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request

from broker.errors import Forbidden


async def form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


async def checked_form(request: Request, form: FormData) -> dict[str, str]:
    expected = request.session.get("csrf")
    given = form.get("csrf_token", "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected, given):
        raise Forbidden("The form is missing its CSRF token; reload the page and try again.",
                        code="csrf")
    return form


CheckedForm = Annotated[dict[str, str], Depends(checked_form)]


def parse_day(text: str) -> date | None:
    """A day as a date field sends it (2026-12-31) or as people type it (31-12-2026); None
    when empty. Raises ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)
