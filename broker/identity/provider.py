"""The built-in OAuth2/OIDC provider, assembled from authlib's server classes.

Partner systems get short-lived JWT access tokens (RFC 9068) with client credentials,
authenticated by `client_secret_basic` or `private_key_jwt` (RFC 7523, replays refused).
Browsers log in through the authorization code flow with PKCE (S256 only) and get an
ID token; the broker's own web pages are a relying party of this provider.
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, InvalidClientError, InvalidRequestError, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, JsonRequest
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from broker.clock import now, timestamp
from broker.config import Settings
from broker.identity import service
from broker.identity.models import AuthorizationCode, Client, ClientAuthMethod, Professional
from broker.keys import KeyRing

WEB_CLIENT_ID = "broker-web"
CALLBACK_PATH = "/auth/callback"
ALG = "ES256"
# What a private_key_jwt assertion may be signed with: exactly what discovery advertises.
ASSERTION_ALGORITHMS = ("ES256", "RS256", "PS256", "EdDSA", "Ed25519")  # Ed25519: RFC 9864


class ProviderClient(ClientMixin):
    """authlib's view of a client: a partner system, an external RP, or the web pages."""

    def __init__(self, *, client_id: str, auth_methods: set[str], redirect_uris: list[str],
                 grant_types: set[str], row: Client | None = None) -> None:
        self.client_id = client_id
        self.auth_methods = auth_methods
        self.redirect_uris = redirect_uris
        self.grant_types = grant_types
        self.row = row

    @classmethod
    def from_row(cls, row: Client) -> "ProviderClient":
        interactive = bool(row.redirect_uris)
        return cls(client_id=row.client_id, auth_methods={row.auth_method},
                   redirect_uris=list(row.redirect_uris),
                   grant_types={"authorization_code"} if interactive else {"client_credentials"},
                   row=row)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        return " ".join(s for s in scope.split() if s in {"openid", "profile", "email"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.row is not None and service.check_client_secret(self.row, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in self.auth_methods

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


class ProviderUser:
    """authlib's view of the logged-in professional."""

    def __init__(self, professional: Professional) -> None:
        self.professional = professional

    def get_user_id(self) -> str:
        return self.professional.id


class BrokerRequest(OAuth2Request):
    """An OAuth2Request built from what a FastAPI route already parsed."""

    def __init__(self, *, method: str, uri: str, headers: Mapping[str, str],
                 data: Mapping[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = BasicOAuth2Payload(dict(data))
        self._data = dict(data)

    @property
    def args(self) -> dict[str, str]:
        return self._data

    @property
    def form(self) -> dict[str, str]:
        return self._data


class PrivateKeyJWT(JWTBearerClientAssertion):
    """private_key_jwt (RFC 7523): the client's public keys are registered as a JWKS."""

    CLIENT_AUTH_METHOD = ClientAuthMethod.PRIVATE_KEY_JWT.value
    MAX_LIFETIME = timedelta(minutes=10)

    def __init__(self, provider: "Provider") -> None:
        super().__init__(validate_jti=True, leeway=30)
        self.provider = provider

    def get_audiences(self) -> list[str]:
        issuer = self.provider.settings.issuer
        return [issuer + "/oauth/token", issuer]

    def resolve_client_public_key(self, client: ProviderClient) -> KeySet:
        assert client.row is not None and client.row.jwks is not None
        return KeySet.import_key_set(client.row.jwks)  # type: ignore[arg-type]

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Mapping[str, Any]:
        """The signature with one of ASSERTION_ALGORITHMS (joserfc would refuse PS256 and
        EdDSA as "not recommended" otherwise) by the registered key the header's `kid` names,
        or by the only one when there is no `kid`."""
        keys = resolve_key if isinstance(resolve_key, KeySet) else KeySet([resolve_key])
        try:
            header = jws.extract_compact(assertion.encode()).headers()
        except JoseError as exc:
            raise InvalidClientError(description="The assertion is not a compact JWS.") from exc
        key: Any = keys
        if "kid" not in header:
            if len(keys.keys) != 1:
                raise InvalidClientError(description=(
                    f"The assertion's header has no 'kid' and the client has "
                    f"{len(keys.keys)} keys: name the key that signed it."))
            key = keys.keys[0]
        elif not any(k.kid == header["kid"] for k in keys.keys):
            raise InvalidClientError(description=(
                "No key of this client has the 'kid' in the assertion's header."))
        try:
            token = jwt.decode(assertion, key, algorithms=list(ASSERTION_ALGORITHMS))
        except JoseError as exc:
            raise InvalidClientError(description=(
                f"{exc.description or 'The signature does not verify.'} (accepted "
                f"algorithms: {', '.join(ASSERTION_ALGORITHMS)})")) from exc
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: Mapping[str, Any]) -> None:
        """authlib's checks (RFC 7523 3), with `exp` read against the broker's clock."""
        try:
            jwt.JWTClaimsRegistry(
                now=timestamp, leeway=self.leeway,
                iss={"essential": True}, sub={"essential": True},
                aud={"essential": True, "values": self.get_audiences()},
                exp={"essential": True}).validate(dict(claims))
        except JoseError as exc:
            raise InvalidClientError(description=exc.description) from exc
        if claims["sub"] != claims["iss"]:
            raise InvalidClientError(description="Issuer and Subject MUST match.")
        if "jti" not in claims:
            raise InvalidClientError(description="Missing JWT ID.")
        lifetime = float(claims["exp"]) - timestamp()  # seconds; any number, however large
        if lifetime > self.MAX_LIFETIME.total_seconds():  # replay checks would grow costly
            raise InvalidClientError(description=(
                f"The assertion is valid for {min(lifetime // 60, 10**6):.0f} more minutes; "
                f"at most {int(self.MAX_LIFETIME.total_seconds() // 60)} are accepted (set "
                "'exp' closer to now)."))
        if not self.validate_jti(claims, claims["jti"]):
            raise InvalidClientError(description="This assertion (its 'jti') was used before.")

    def validate_jti(self, claims: Mapping[str, Any], jti: str) -> bool:
        """Each jti once, remembered as long as the assertion is accepted (its `exp` plus
        the leeway), so it cannot be replayed in the leeway either."""
        expires = datetime.fromtimestamp(int(claims["exp"]), UTC) + timedelta(
            seconds=self.leeway)
        return service.remember_assertion(self.provider.session, client_id=str(claims["sub"]),
                                          jti=str(jti), expires_at=expires)


class AccessTokens(JWTBearerTokenGenerator):
    """RFC 9068 access tokens carrying the organisation, its party type and the roles."""

    def __init__(self, provider: "Provider") -> None:
        settings = provider.settings
        super().__init__(issuer=settings.issuer, alg=ALG,
                         expires_generator=lambda client, grant_type:
                         settings.access_token_ttl_seconds)
        self.provider = provider

    def get_jwks(self) -> KeySet:
        return KeySet([self.provider.keys.signing_key])

    def get_audiences(self, client: ClientMixin, user: Any, scope: str | None) -> str:
        return self.provider.settings.token_audience

    def get_extra_claims(self, client: ClientMixin, grant_type: str, user: Any,
                         scope: str | None) -> dict[str, Any]:
        assert isinstance(client, ProviderClient)
        session = self.provider.session
        if isinstance(user, ProviderUser):
            professional = user.professional
            organisation = service.require_organisation(session, professional.organisation_id)
            principal = service.professional_principal(session, organisation, professional,
                                                       client_id=client.client_id)
        else:
            assert client.row is not None
            principal = service.client_principal(session, client.row)
        issued = timestamp()  # authlib's own iat and exp would read the system clock
        return {"iat": issued, "exp": issued + self.provider.settings.access_token_ttl_seconds,
                "kind": principal.kind.value, "org": principal.organisation_id,
                "party": principal.party, "roles": sorted(principal.roles),
                "teams": sorted(principal.team_ids),
                **({"sub": principal.professional_id} if principal.professional_id else {})}


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [ClientAuthMethod.SECRET_BASIC.value,
                                   ClientAuthMethod.PRIVATE_KEY_JWT.value]


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "private_key_jwt", "none"]
    provider: "Provider"

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        payload = request.payload
        assert payload is not None and isinstance(request.user, ProviderUser)
        service.save_authorization_code(
            self.provider.session, code=code, client_id=payload.client_id,
            professional_id=request.user.get_user_id(), redirect_uri=payload.redirect_uri or "",
            scope=payload.scope or "", nonce=payload.data.get("nonce"),
            code_challenge=payload.data["code_challenge"],
            code_challenge_method=payload.data.get("code_challenge_method", "S256"),
            auth_time=now())

    def query_authorization_code(self, code: str, client: ProviderClient) -> Any:
        row = service.get_authorization_code(self.provider.session, code=code,
                                             client_id=client.client_id)
        return StoredCode(row) if row is not None else None

    def delete_authorization_code(self, authorization_code: "StoredCode") -> None:
        service.delete_authorization_code(self.provider.session, authorization_code.row)

    def authenticate_user(self, authorization_code: "StoredCode") -> ProviderUser | None:
        professional = self.provider.session.get(Professional,
                                                 authorization_code.row.professional_id)
        if professional is None or not professional.active:
            return None
        return ProviderUser(professional)


class StoredCode:
    """authlib's AuthorizationCodeMixin over a stored code row."""

    def __init__(self, row: AuthorizationCode) -> None:
        self.row = row

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return int(self.row.auth_time.timestamp())

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> list[str]:
        return ["pwd"]

    def get_code_challenge(self) -> str:
        return self.row.code_challenge

    def get_code_challenge_method(self) -> str:
        return self.row.code_challenge_method


class S256Only(CodeChallenge):
    """PKCE is required at the authorization endpoint already, and only with S256
    (a missing method would mean "plain", RFC 7636 4.3)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required.")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: StoredCode) -> str:
        return authorization_code.get_code_challenge()

    def get_authorization_code_challenge_method(self, authorization_code: StoredCode) -> str:
        return authorization_code.get_code_challenge_method()


class BrokerOpenIDCode(OpenIDCode):
    def __init__(self, provider: "Provider") -> None:
        super().__init__(require_nonce=False)
        self.provider = provider

    def resolve_client_private_key(self, client: ClientMixin) -> KeySet:
        return KeySet([self.provider.keys.signing_key])

    def get_client_algorithm(self, client: ClientMixin) -> str:
        return ALG

    def get_client_claims(self, client: ClientMixin) -> dict[str, Any]:
        issued = timestamp()
        return {"iss": self.provider.settings.issuer, "aud": [client.get_client_id()],
                "iat": issued, "exp": issued + 300}

    def get_encode_header(self, client: ClientMixin) -> dict[str, str]:
        return {"alg": ALG, "kid": str(self.provider.keys.signing_key.kid)}

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        assert request.payload is not None
        return service.nonce_used(self.provider.session, client_id=request.payload.client_id,
                                  nonce=nonce)

    def generate_user_info(self, user: ProviderUser, scope: str) -> UserInfo:
        professional = user.professional
        return UserInfo(sub=professional.id, name=professional.name, email=professional.email,
                        email_verified=True)


class Provider(AuthorizationServer):
    """One per request: it works inside that request's database transaction."""

    def __init__(self, *, session: Session, settings: Settings, keys: KeyRing) -> None:
        super().__init__(scopes_supported=["openid", "profile", "email"])
        self.session = session
        self.settings = settings
        self.keys = keys
        self.register_token_generator("default", AccessTokens(self))
        self.register_client_auth_method(ClientAuthMethod.PRIVATE_KEY_JWT.value,
                                         PrivateKeyJWT(self))
        self.register_grant(ClientCredentialsGrant)
        self.register_grant(_bind(AuthorizationCodeGrant, self),
                            [S256Only(required=True), BrokerOpenIDCode(self)])

    def query_client(self, client_id: str) -> ProviderClient | None:
        if client_id == WEB_CLIENT_ID and not self.settings.external_idp:
            return ProviderClient(client_id=WEB_CLIENT_ID, auth_methods={"none"},
                                  redirect_uris=[self.settings.base_url + CALLBACK_PATH],
                                  grant_types={"authorization_code"})
        row = service.get_client(self.session, client_id)
        return ProviderClient.from_row(row) if row is not None else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Access tokens are self-contained JWTs; nothing to store."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        assert isinstance(request, OAuth2Request)
        return request

    def create_json_request(self, request: Any) -> JsonRequest:
        raise NotImplementedError

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        header_map = dict(headers)
        if isinstance(body, dict):
            if "error" in body:
                return oauth_error(status, body, header_map)
            return JSONResponse(body, status_code=status, headers=header_map)
        return Response(body or b"", status_code=status, headers=header_map)

    def metadata(self) -> dict[str, Any]:
        issuer = self.settings.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": issuer + "/oauth/authorize",
            "token_endpoint": issuer + "/oauth/token",
            "jwks_uri": issuer + "/oauth/jwks",
            "userinfo_endpoint": issuer + "/oauth/userinfo",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALG],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic", "private_key_jwt", "none"],
            "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGORITHMS),
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email"],
            "claims_supported": ["sub", "name", "email", "email_verified"],
        }


def _bind(grant_cls: type[AuthorizationCodeGrant], provider: Provider
          ) -> type[AuthorizationCodeGrant]:
    return type("BoundAuthorizationCodeGrant", (grant_cls,), {"provider": provider})


def oauth_error(status: int, body: dict[str, Any], headers: dict[str, str]) -> Response:
    """An OAuth error as RFC 6749 5.2 says: `application/json` with `error` and
    `error_description` (OAuth clients check the media type); it also carries the problem
    fields (`code`, `detail`, `trace_id`) the rest of the API answers with."""
    from broker.observability import trace_id_var

    code = str(body["error"])
    if code == "invalid_client":  # RFC 6749 5.2 allows 401 for every failed client login
        status = 401
        headers.setdefault("WWW-Authenticate", 'Basic realm="broker"')
    detail = str(body.get("error_description") or code.replace("_", " "))
    answer = {"error": code, "error_description": detail, **body,
              "type": f"urn:broker:problem:{code}", "title": "OAuth error", "status": status,
              "detail": detail, "code": code, "trace_id": trace_id_var.get() or None}
    headers.pop("Content-Type", None)
    headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
    return Response(json.dumps(answer), status_code=status, headers=headers,
                    media_type="application/json")
