"""Key material in the key directory: generated on first start (mode 0600), reused afterwards."""

import hashlib
import hmac
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc.jwk import ECKey, KeySet

SIGNING_KEY_FILE = "jwt-signing-es256.pem"
SESSION_SECRET_FILE = "session.key"
AUDIT_KEY_FILE = "audit-checkpoint-ed25519.pem"
PSEUDONYM_KEY_FILE = "audit-pseudonym.key"
KEK_DIR = "kek"
CURRENT_KEK_FILE = "current"


def ensure_key_file(path: Path, factory: Callable[[], bytes]) -> bytes:
    """Return the file's bytes, creating it atomically with mode 0600 if it does not exist.

    Several processes may start at once: the first link wins, the others read its key.
    """
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, factory())
        os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return path.read_bytes()


def _new_ed25519_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


def _new_ec_key() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass(frozen=True)
class KeyRing:
    """The broker's own keys: the token signing key and the cookie secret."""

    key_dir: Path

    @cached_property
    def signing_key(self) -> ECKey:
        pem = ensure_key_file(self.key_dir / SIGNING_KEY_FILE, _new_ec_key)
        key = ECKey.import_key(pem)
        key.ensure_kid()
        return key

    @cached_property
    def session_secret(self) -> str:
        raw = ensure_key_file(
            self.key_dir / SESSION_SECRET_FILE, lambda: secrets.token_hex(32).encode()
        )
        return raw.decode().strip()

    @cached_property
    def reply_key(self) -> bytes:
        """Keys the tokens of calendar reply addresses; derived from the cookie secret."""
        return hmac.new(self.session_secret.encode(), b"calendar-reply",
                        hashlib.sha256).digest()

    @cached_property
    def address_key(self) -> bytes:
        """Keys the hashes of client addresses in the rate limits; derived from the cookie
        secret, so every broker process sharing the key folder counts an address alike."""
        return hmac.new(self.session_secret.encode(), b"rate-limit-address",
                        hashlib.sha256).digest()

    @cached_property
    def public_jwks(self) -> dict[str, object]:
        return dict(KeySet([self.signing_key]).as_dict(private=False))

    @cached_property
    def verification_keys(self) -> KeySet:
        return KeySet.import_key_set(self.public_jwks)  # type: ignore[arg-type]

    @cached_property
    def audit_key(self) -> Ed25519PrivateKey:
        """Signs audit checkpoints (C2SP signed notes)."""
        pem = ensure_key_file(self.key_dir / AUDIT_KEY_FILE, _new_ed25519_key)
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return key

    @cached_property
    def pseudonym_key(self) -> bytes:
        """Keys the audit log's subject pseudonyms (HMAC-SHA256 of a member id)."""
        return bytes.fromhex(ensure_key_file(
            self.key_dir / PSEUDONYM_KEY_FILE, lambda: secrets.token_hex(32).encode()).decode())

    @cached_property
    def _keks(self) -> dict[str, bytes]:
        return {}

    def current_kek_id(self) -> str:
        """The key-encryption key new data keys are wrapped under (`broker keys rotate` makes
        a new one; read from disk each time, so a rotation by the CLI is seen at once)."""
        current = self.key_dir / KEK_DIR / CURRENT_KEK_FILE
        if not current.exists():
            ensure_key_file(current, self._new_kek_id)
        return current.read_text().strip()

    def kek(self, kek_id: str) -> bytes:
        """A key-encryption key (AES-256) by id; old ones stay until nothing uses them."""
        if kek_id not in self._keks:
            if not kek_id.isalnum():
                raise ValueError("malformed key id")
            raw = (self.key_dir / KEK_DIR / f"{kek_id}.key").read_bytes()
            self._keks[kek_id] = bytes.fromhex(raw.decode().strip())
        return self._keks[kek_id]

    def rotate_kek(self) -> str:
        """Make a new key-encryption key and make it current; returns its id."""
        kek_id = self._new_kek_id().decode()
        current = self.key_dir / KEK_DIR / CURRENT_KEK_FILE
        fd, tmp = tempfile.mkstemp(dir=current.parent, prefix=".tmp-")
        os.fchmod(fd, 0o600)
        os.write(fd, kek_id.encode())
        os.close(fd)
        os.replace(tmp, current)
        return kek_id

    def remove_keks(self, *, keep: set[str]) -> list[str]:
        """Delete the key-encryption key files not in `keep`; returns their ids."""
        removed = []
        for path in sorted((self.key_dir / KEK_DIR).glob("kek*.key")):
            if path.stem not in keep:
                path.unlink()
                self._keks.pop(path.stem, None)
                removed.append(path.stem)
        return removed

    def _new_kek_id(self) -> bytes:
        kek_id = "kek" + secrets.token_hex(8)
        ensure_key_file(self.key_dir / KEK_DIR / f"{kek_id}.key",
                        lambda: secrets.token_hex(32).encode())
        return kek_id.encode()

    def load_all(self) -> None:
        """Create or read every key now, so a bad key directory fails at start-up."""
        _ = self.signing_key, self.session_secret, self.audit_key, self.pseudonym_key
        self.kek(self.current_kek_id())
