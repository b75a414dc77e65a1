"""A household's data key: AES-256-GCM bound to the household and each value's place."""

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12


@dataclass(frozen=True)
class DataKey:
    """One household's data key, unwrapped for the length of a transaction."""

    household_id: str
    _aead: AESGCM  # opening is `broker.vault.opening`'s, under a permitting decision only

    def seal(self, context: str, plaintext: str) -> bytes:
        """`context` (e.g. "observation:<id>") is bound to the ciphertext as associated data
        together with the household: a sealed body moved to another row does not open."""
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), self.ad(context))

    def ad(self, context: str) -> bytes:
        """The associated data of a sealed value: the household and the value's place."""
        return f"{self.household_id}|{context}".encode()
