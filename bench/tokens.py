"""Access-token checking on every API request, against a bare ES256 JWT verification."""

import tempfile
import time
from pathlib import Path

from joserfc import jwt

from bench.runner import Result, rate
from broker.config import Settings
from broker.identity.tokens import principal_from_claims, verify_access_token
from broker.keys import KeyRing


def run(seconds: float) -> list[Result]:
    keys = KeyRing(Path(tempfile.mkdtemp()) / "keys")
    settings = Settings(base_url="http://127.0.0.1:8000")
    now = int(time.time())
    token = jwt.encode(
        {"alg": "ES256", "typ": "at+jwt", "kid": keys.signing_key.kid},
        {"iss": settings.issuer, "aud": settings.token_audience, "sub": "cl_bench",
         "client_id": "cl_bench", "iat": now, "exp": now + 3600, "kind": "client",
         "org": "o", "party": "school", "roles": ["partner"]},
        keys.signing_key)

    def broker_check() -> object:
        return principal_from_claims(verify_access_token(token, keys=keys, settings=settings))

    def bare_verify() -> object:
        return jwt.decode(token, keys.signing_key)

    return [Result("tokens", "verify_access_token + principal", rate(broker_check, seconds),
                   "joserfc ES256 decode", rate(bare_verify, seconds), ">= 0.8")]
