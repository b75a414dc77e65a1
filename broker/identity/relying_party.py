"""The web pages log in as an OIDC relying party (authlib's Starlette client).

Against the built-in provider the client talks to this same app in-process (ASGI transport),
so both modes run the same code: authorization code + PKCE (S256), ID token checked against
the issuer's JWKS, the professional found by e-mail.
"""

import httpx
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from fastapi import FastAPI

from broker.config import Settings
from broker.identity.provider import WEB_CLIENT_ID

SCOPE = "openid email profile"


def make_relying_party(app: FastAPI, settings: Settings) -> StarletteOAuth2App:
    oauth = OAuth()
    if settings.external_idp:
        assert settings.oidc_issuer is not None
        client = oauth.register(
            "broker", client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_issuer + "/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256",
                           "token_endpoint_auth_method": "client_secret_basic"})
    else:
        client = oauth.register(
            "broker", client_id=WEB_CLIENT_ID, client_secret=None,
            server_metadata_url=settings.issuer + "/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256",
                           "token_endpoint_auth_method": "none",
                           "transport": httpx.ASGITransport(app=app)})
    assert isinstance(client, StarletteOAuth2App)
    return client
