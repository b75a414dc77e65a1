"""Opening sealed text. Only the door (`broker.disclosure.door.unseal`) imports this module,
and it opens only under a decision that permits: a service that has not asked the door
cannot read a body, a step text, a plan, a meeting title (import-linter, contract
"sealed")."""

from cryptography.exceptions import InvalidTag

from broker.vault.sealing import NONCE, DataKey


def open_or_none(key: DataKey | None, context: str, sealed: bytes | None) -> str | None:
    """Plaintext, or None when the key is gone (destroyed) or the ciphertext does not open."""
    if key is None or sealed is None:
        return None
    try:
        return key._aead.decrypt(sealed[:NONCE], sealed[NONCE:], key.ad(context)).decode()
    except (InvalidTag, ValueError):  # tampered, moved, or not a sealed value at all
        return None
