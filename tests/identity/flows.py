"""Drive the OIDC login with an HTTP client, as a browser would, without JavaScript."""

import re
from typing import Any
from urllib.parse import urljoin

import httpx

FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login_form(client: Any, next_path: str | None = None) -> tuple[str, str]:
    """Open /login; return the login form's action URL and its CSRF token."""
    response = client.get("/login", params={"next": next_path} if next_path else None)
    assert response.status_code == 200, response.text
    action = FORM_ACTION.search(response.text)
    assert action, "no login form"
    # The form may be on another host (an external IdP): resolve against the page's URL.
    return urljoin(str(response.url), action.group(1).replace("&amp;", "&")), csrf_of(
        response.text)


def login(client: Any, email: str, password: str, next_path: str | None = None
          ) -> httpx.Response:
    action, csrf = login_form(client, next_path)
    response: httpx.Response = client.post(
        action, data={"email": email, "password": password, "csrf_token": csrf})
    return response
