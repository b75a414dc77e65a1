"""External IdP mode: the broker is an OIDC relying party of another broker acting as IdP."""

from collections.abc import Callable

import httpx

from broker.identity import service
from tests.conftest import LiveServer, free_port
from tests.factories import PASSWORD
from tests.identity.flows import login


def arrange(server: LiveServer, work: Callable[..., object]) -> object:
    with server.session() as session, session.begin():
        return work(session)


def idp_with_relying_party(idp: LiveServer, email: str, redirect_uri: str) -> tuple[str, str]:
    """On the IdP broker: a professional with a password and the RP's client registration."""

    def work(session: object) -> str:
        org = service.create_organisation(session, name="Gemeente IdP", party="gemeente",  # type: ignore[arg-type]
                                          policy=idp.app.state.policy)
        service.create_professional(session, organisation_id=org.id, email=email,  # type: ignore[arg-type]
                                    name="Name at the IdP", roles=["partner"],
                                    password=PASSWORD)
        client, secret = service.create_client(session, organisation_id=org.id,  # type: ignore[arg-type]
                                               name="broker RP", redirect_uris=[redirect_uri])
        return f"{client.client_id} {secret}"

    client_id, secret = str(arrange(idp, work)).split()
    return client_id, secret


def test_login_through_an_external_idp_maps_the_professional_by_email(
        live_server_factory: Callable[..., LiveServer]) -> None:
    idp = live_server_factory("idp", host_name="localhost")
    rp_port = free_port()
    rp_url = f"http://127.0.0.1:{rp_port}"

    client_id, secret = idp_with_relying_party(idp, "sanne@example.org",
                                               rp_url + "/auth/callback")
    rp = live_server_factory("rp", port=rp_port, oidc_issuer=idp.url,
                             oidc_client_id=client_id, oidc_client_secret=secret)

    def rp_side(session: object) -> None:
        org = service.create_organisation(session, name="Wijkteam RP", party="wijkteam",  # type: ignore[arg-type]
                                          policy=rp.app.state.policy)
        service.create_professional(session, organisation_id=org.id,  # type: ignore[arg-type]
                                    email="sanne@example.org", name="Sanne Jansen",
                                    roles=["regisseur"], password=None)

    arrange(rp, rp_side)
    with httpx.Client(base_url=rp.url, follow_redirects=True, timeout=20) as browser:
        response = login(browser, "sanne@example.org", PASSWORD)
        assert response.status_code == 200, response.text
        assert str(response.url) == rp.url + "/"
        assert "Welkom, Sanne Jansen" in response.text  # the RP's own record, found by e-mail
        assert "Regisseur" in response.text


def test_idp_user_without_a_broker_account_is_refused(
        live_server_factory: Callable[..., LiveServer]) -> None:
    idp = live_server_factory("idp2", host_name="localhost")
    rp_port = free_port()

    client_id, secret = idp_with_relying_party(
        idp, "x@example.org", f"http://127.0.0.1:{rp_port}/auth/callback")
    rp = live_server_factory("rp2", port=rp_port, oidc_issuer=idp.url,
                             oidc_client_id=client_id, oidc_client_secret=secret)
    with httpx.Client(base_url=rp.url, follow_redirects=True, timeout=20) as browser:
        response = login(browser, "x@example.org", PASSWORD)
        assert response.status_code == 403
        assert "geen actief account" in response.text
        assert "broker_session" not in browser.cookies
