"""Signed checkpoints in the C2SP formats: tlog-checkpoint text in a signed note (Ed25519).

A checkpoint is verified with nothing but its text and the verifier key
`<name>+<key hash hex>+<base64(0x01 || public key)>` (c2sp.org/signed-note).
"""

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
DASH = "\u2014"


def key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class NoteSigner:
    name: str
    key: Ed25519PrivateKey

    @property
    def key_id(self) -> str:
        return key_hash(self.name, _public_bytes(self.key.public_key())).hex()

    @property
    def verifier_key(self) -> str:
        public = _public_bytes(self.key.public_key())
        return f"{self.name}+{self.key_id}+{base64.b64encode(ED25519 + public).decode()}"

    def sign(self, text: str) -> tuple[str, str]:
        """The signed note and its bare signature (base64)."""
        if not text.endswith("\n"):
            raise ValueError("a note's text ends with a newline")
        signature = self.key.sign(text.encode())
        blob = base64.b64encode(bytes.fromhex(self.key_id) + signature).decode()
        return f"{text}\n{DASH} {self.name} {blob}\n", base64.b64encode(signature).decode()


def checkpoint_text(origin: str, size: int, root: bytes, timestamp: str) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\nTimestamp: {timestamp}\n"


def _canonical_b64(text: str) -> bytes:
    """Strict base64: one encoding per signature, so no byte of a stored note can change
    without the verification failing (lenient decoders ignore the last character's spare
    bits)."""
    try:
        blob = base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError("signature is not base64") from None
    if base64.b64encode(blob).decode() != text:
        raise ValueError("signature is not in canonical base64")
    return blob


def verify_note(note: str, verifier_key: str) -> str:
    """Return the note's text if a signature by `verifier_key` is valid; raise otherwise."""
    name, hash_hex, key_b64 = verifier_key.split("+", 2)
    raw = base64.b64decode(key_b64)
    if raw[:1] != ED25519 or key_hash(name, raw[1:]).hex() != hash_hex:
        raise ValueError("malformed verifier key")
    public = Ed25519PublicKey.from_public_bytes(raw[1:])
    text, sep, signatures = note.rpartition("\n\n")
    if not sep:
        raise ValueError("not a signed note")
    text += "\n"
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or parts[1] != name:
            continue
        blob = _canonical_b64(parts[2])
        if blob[:4].hex() != hash_hex:
            continue
        try:
            public.verify(blob[4:], text.encode())
        except InvalidSignature:
            raise ValueError("bad signature") from None
        return text
    raise ValueError("no signature by this key")
