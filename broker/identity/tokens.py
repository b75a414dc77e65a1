"""Validation of the broker's access tokens: signature, algorithm, type, issuer, audience, exp."""

from collections import OrderedDict
from threading import Lock
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from broker.clock import now, timestamp
from broker.config import Settings
from broker.errors import Unauthorized
from broker.identity.principal import Principal, PrincipalKind
from broker.keys import KeyRing

ALGORITHMS = ["ES256"]  # never "none", never HS256 with a public key as secret


def verify_access_token(token: str, *, keys: KeyRing, settings: Settings) -> dict[str, Any]:
    try:
        decoded = jwt.decode(token, keys.verification_keys, algorithms=ALGORITHMS)
        if decoded.header.get("typ") != "at+jwt":
            raise Unauthorized("The token is not an access token.")
        jwt.JWTClaimsRegistry(
            now=timestamp, leeway=30,
            iss={"essential": True, "value": settings.issuer},
            aud={"essential": True, "value": settings.token_audience},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise Unauthorized(f"Invalid access token ({type(exc).__name__}).") from None
    return decoded.claims


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Tokens are short-lived and signed, so the principal is read from them, not the database."""
    try:
        kind = PrincipalKind(claims["kind"])
        return Principal(
            kind=kind, organisation_id=str(claims["org"]), party=str(claims["party"]),
            roles=frozenset(str(r) for r in claims["roles"]),
            professional_id=str(claims["sub"]) if kind is PrincipalKind.PROFESSIONAL else None,
            client_id=str(claims["client_id"]),
            team_ids=frozenset(str(t) for t in claims.get("teams", ())),
        )
    except (KeyError, ValueError, TypeError):
        raise Unauthorized("The access token lacks the broker's claims.") from None


class VerifiedTokens:
    """The principals of access tokens already verified, until their `exp`: an ES256 check
    costs about 100 µs on every API call, a lookup one. Bounded, oldest out first."""

    def __init__(self, *, keys: KeyRing, settings: Settings, size: int = 4096) -> None:
        self._keys, self._settings, self._size = keys, settings, size
        self._seen: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = Lock()

    def principal(self, token: str) -> Principal:
        at = now().timestamp()
        with self._lock:
            found = self._seen.get(token)
        if found is not None and at < found[0]:
            return found[1]
        claims = verify_access_token(token, keys=self._keys, settings=self._settings)
        principal = principal_from_claims(claims)
        with self._lock:
            self._seen[token] = (float(claims["exp"]), principal)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
        return principal
