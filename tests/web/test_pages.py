"""The web shell: Dutch pages, role navigation, vendored assets, translations, headers."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.config import PROJECT_ROOT
from broker.policy import Policy
from tests.factories import PASSWORD, make_org, make_professional
from tests.identity.flows import login

PACKAGE = PROJECT_ROOT / "broker"


class TestHomePage:
    def test_anonymous_home_is_dutch_with_a_login_link(self, client: TestClient) -> None:
        response = client.get("/")
        assert response.status_code == 200
        assert '<html lang="nl">' in response.text
        assert 'href="/login"' in response.text
        assert 'class="skip-link" href="#inhoud"' in response.text

    def test_english_is_chosen_with_the_language_switch(self, client: TestClient) -> None:
        client.get("/taal/en")
        response = client.get("/")
        assert '<html lang="en">' in response.text
        assert "Log in" in response.text and "Skip to content" in response.text
        client.get("/taal/nl")
        assert "Inloggen" in client.get("/").text

    def test_unknown_language_keeps_dutch(self, client: TestClient) -> None:
        client.get("/taal/xx")
        assert '<html lang="nl">' in client.get("/").text


class TestNavigation:
    def test_admin_sees_the_administration(self, client: TestClient, session: Session,
                                           policy: Policy) -> None:
        org = make_org(session, policy, party="gemeente", name="Gemeente Voorbeeld")
        make_professional(session, org, roles=["admin"], email="admin@example.org")
        home = login(client, "admin@example.org", PASSWORD)
        assert 'href="/beheer"' in home.text
        page = client.get("/beheer")
        assert page.status_code == 200 and "Gemeente Voorbeeld" in page.text

    def test_regisseur_does_not_see_or_reach_the_administration(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        make_professional(session, make_org(session, policy), roles=["regisseur"],
                          email="reg@example.org")
        home = login(client, "reg@example.org", PASSWORD)
        assert 'href="/beheer"' not in home.text
        assert client.get("/beheer", headers={"accept": "text/html"}).status_code == 403

    def test_pages_need_a_login(self, client: TestClient) -> None:
        response = client.get("/beheer", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/beheer"


class TestAssets:
    def test_vendored_assets_are_served(self, client: TestClient) -> None:
        for path in ["/static/vendor/pico.min.css", "/static/vendor/htmx.min.js",
                     "/static/vendor/swagger-ui-bundle.js", "/static/app.css"]:
            assert client.get(path).status_code == 200, path

    def test_no_page_loads_anything_from_another_host(self) -> None:
        for template in PACKAGE.glob("**/templates/**/*.html"):
            text = template.read_text()
            assert not re.search(r'(src|href)="(https?:)?//', text), template

    def test_api_docs_use_the_vendored_swagger_ui(self, client: TestClient) -> None:
        page = client.get("/docs").text
        assert "/static/vendor/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
        assert client.get("/openapi.json").json()["info"]["title"] == "Broker"

    def test_vendored_versions_are_recorded(self) -> None:
        versions = (PACKAGE / "web/static/vendor/VERSIONS.md").read_text()
        assert "@picocss/pico" in versions and "htmx.org" in versions


class TestSecurityHeaders:
    def test_pages_carry_csp_and_friends(self, client: TestClient) -> None:
        headers = client.get("/").headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"

    def test_templates_have_no_inline_script(self) -> None:
        for template in PACKAGE.glob("**/templates/**/*.html"):
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", template.read_text()), template


class TestTranslations:
    def test_every_page_text_has_an_english_translation(self) -> None:
        method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
        options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
        found = {message for _, _, message, _, _ in extract_from_dir(
            str(PACKAGE), method_map, options, keywords={"_": None, "gettext_": None,
                                                         "N_": None})
                 if isinstance(message, str)}
        catalogue = read_po(Path(PACKAGE / "web/i18n/en/LC_MESSAGES/messages.po").open("rb"))
        translated = {m.id for m in catalogue if m.id and m.string}
        assert found, "extraction found nothing"
        assert found - translated == set(), "run `make messages` and translate"
