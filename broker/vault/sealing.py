"""A data key (a household's, or one person's): AES-256-GCM bound to its scope and each
value's place."""

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12


@dataclass(frozen=True)
class DataKey:
    """One data key, unwrapped for the length of a transaction. `scope` is the household id
    for what the family shares, '<household id>/<member id>' for what is one person's."""

    scope: str
    _aead: AESGCM  # opening is `broker.vault.opening`'s, under a permitting decision only

    def seal(self, context: str, plaintext: str) -> bytes:
        """`context` (e.g. "observation:<id>") is bound to the ciphertext as associated data
        together with the key's scope: a sealed body moved to another row does not open."""
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), self.ad(context))

    def ad(self, context: str) -> bytes:
        """The associated data of a sealed value: the key's scope and the value's place."""
        return f"{self.scope}|{context}".encode()
