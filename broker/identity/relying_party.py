"""The web pages log in as an OIDC relying party (authlib's Starlette client).

Against the built-in provider the client talks to this same app in-process (ASGI transport),
so both modes run the same code: authorization code + PKCE (S256), ID token checked against
the issuer's JWKS, the professional found by e-mail.
"""

from typing import Any

import httpx
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from authlib.oidc.core import CodeIDToken, UserInfo
from fastapi import FastAPI

from broker.clock import timestamp
from broker.config import Settings
from broker.identity.provider import WEB_CLIENT_ID

SCOPE = "openid email profile"


class ClockedIDToken(CodeIDToken):
    """authlib's checks of an ID token from the code flow, with `exp` and `iat` read against
    the broker's clock."""

    def validate(self, now: int | None = None, leeway: int = 0) -> None:
        super().validate(timestamp(), leeway)


class RelyingParty(StarletteOAuth2App):
    async def parse_id_token(self, token: dict[str, Any], nonce: str,
                             claims_options: dict[str, Any] | None = None,
                             claims_cls: Any = None, leeway: int = 120) -> UserInfo | None:
        """authlib's, with the clocked checks. authlib compares `at_hash` with the access token
        only when it picks the claims class itself, so the access token is handed on here."""
        access_token = token.get("access_token")

        def clocked(claims: Any, header: Any, options: Any, params: dict[str, Any]
                    ) -> ClockedIDToken:
            return ClockedIDToken(claims, header, options, {**params,
                                                            "access_token": access_token})

        userinfo: UserInfo | None = await super().parse_id_token(
            token, nonce, claims_options, claims_cls or clocked, leeway)
        return userinfo


def make_relying_party(app: FastAPI, settings: Settings) -> StarletteOAuth2App:
    oauth = OAuth()
    if settings.external_idp:
        assert settings.oidc_issuer is not None
        client = oauth.register(
            "broker", client_cls=RelyingParty, client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_issuer + "/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256",
                           "token_endpoint_auth_method": "client_secret_basic"})
    else:
        client = oauth.register(
            "broker", client_cls=RelyingParty, client_id=WEB_CLIENT_ID, client_secret=None,
            server_metadata_url=settings.issuer + "/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256",
                           "token_endpoint_auth_method": "none",
                           "transport": httpx.ASGITransport(app=app)})
    assert isinstance(client, StarletteOAuth2App)
    return client
