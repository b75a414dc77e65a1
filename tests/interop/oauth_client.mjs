// openid-client (panva), as a stranger's partner system would use it: discovery (RFC 8414 or
// OpenID Connect), then a client credentials grant with client_secret_basic or private_key_jwt.
// Reads {issuer, discovery, client_id, secret | jwk, scope} on stdin; prints what it got.
import * as client from "openid-client";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const ask = JSON.parse(text);

async function privateKey(jwk) {
  const algorithm = jwk.kty === "OKP" ? { name: "Ed25519" }
    : { name: "ECDSA", namedCurve: jwk.crv };
  const key = await crypto.subtle.importKey("jwk", jwk, algorithm, false, ["sign"]);
  return { key, kid: jwk.kid };
}

try {
  const auth = ask.secret ? client.ClientSecretBasic(ask.secret)
    : client.PrivateKeyJwt(await privateKey(ask.jwk));
  const config = await client.discovery(new URL(ask.issuer), ask.client_id, undefined, auth,
    { algorithm: ask.discovery, execute: [client.allowInsecureRequests] });
  const tokens = await client.clientCredentialsGrant(config,
    ask.scope ? { scope: ask.scope } : {});
  const metadata = config.serverMetadata();
  console.log(JSON.stringify({ token_type: tokens.token_type, expires_in: tokens.expiresIn(),
    access_token: tokens.access_token, issuer: metadata.issuer }));
} catch (error) {
  console.log(JSON.stringify({ failed: error.constructor.name, error: error.error ?? null,
    message: error.message }));
}
