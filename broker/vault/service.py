"""Envelope encryption: free text about a family is sealed with AES-256-GCM under the
household's data key; data keys are wrapped by a key-encryption key (KEK) from the key
directory. Rotating the KEK rewraps data keys without touching what they sealed; destroying a
household's data key makes everything sealed under it unreadable (crypto-shredding), while
the audit log, which holds no content, stays whole and verifiable."""

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record
from broker.clock import now
from broker.errors import Conflict, Invalid
from broker.identity.principal import Principal
from broker.keys import KeyRing
from broker.vault.models import HouseholdKey
from broker.vault.sealing import NONCE, DataKey


class Destroyed(Exception):
    """The household's data key was destroyed: what it sealed cannot be read any more."""


def _wrap(keys: KeyRing, kek_id: str, household_id: str, data_key: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(keys.kek(kek_id)).encrypt(nonce, data_key, _wrap_ad(household_id))


def _unwrap(keys: KeyRing, row: HouseholdKey) -> bytes:
    assert row.wrapped is not None and row.kek_id is not None
    return AESGCM(keys.kek(row.kek_id)).decrypt(row.wrapped[:NONCE], row.wrapped[NONCE:],
                                                _wrap_ad(row.household_id))


def _wrap_ad(household_id: str) -> bytes:
    return f"household-key|{household_id}".encode()


def data_key(session: Session, household_id: str) -> DataKey:
    """The household's data key, made on first use. Raises Destroyed after destruction."""
    keys = audit_context(session).keys
    row = session.get(HouseholdKey, household_id, with_for_update=True)
    if row is None:
        kek_id, raw = keys.current_kek_id(), AESGCM.generate_key(bit_length=256)
        try:
            with session.begin_nested():  # two first uses at once: one key wins
                session.add(HouseholdKey(household_id=household_id, kek_id=kek_id,
                                         wrapped=_wrap(keys, kek_id, household_id, raw)))
            return DataKey(household_id, AESGCM(raw))
        except IntegrityError:
            row = session.get(HouseholdKey, household_id, with_for_update=True,
                              populate_existing=True)
            assert row is not None
    if row.wrapped is None:
        raise Destroyed(household_id)
    return DataKey(household_id, AESGCM(_unwrap(keys, row)))


def writable_key(session: Session, household_id: str) -> DataKey:
    """The data key to seal something new with; 422 `household_erased` after destruction."""
    try:
        return data_key(session, household_id)
    except Destroyed:
        raise Invalid("This family's data was erased; nothing new can be stored.",
                      code="household_erased") from None


def existing_data_key(session: Session, household_id: str) -> DataKey | None:
    """For reading: the data key, or None when it was destroyed or never made."""
    row = session.get(HouseholdKey, household_id)
    if row is None or row.wrapped is None:
        return None
    return DataKey(household_id, AESGCM(_unwrap(audit_context(session).keys, row)))


def destroy_data_key(session: Session, *, actor: Principal | None, household_id: str) -> None:
    """Crypto-shred a household: its data key is erased, its sealed content unreadable."""
    row = session.get(HouseholdKey, household_id, with_for_update=True)
    if row is None:
        row = HouseholdKey(household_id=household_id)
        session.add(row)
    elif row.wrapped is None:
        raise Conflict("This household's data key was already destroyed.",
                       code="already_destroyed")
    row.wrapped, row.kek_id, row.destroyed_at = None, None, now()
    session.flush()
    record(session, Record(Action.KEY_DESTROY, actor, object_type="household",
                           object_id=household_id))


def rotate_keys(session: Session) -> tuple[str, int]:
    """Make a new KEK current and rewrap every live data key under it (the sealed content is
    not touched). Returns the new KEK id and how many data keys were rewrapped."""
    keys = audit_context(session).keys
    kek_id = keys.rotate_kek()
    rows = session.scalars(select(HouseholdKey).where(HouseholdKey.wrapped.is_not(None))
                           .with_for_update()).all()
    for row in rows:
        row.wrapped = _wrap(keys, kek_id, row.household_id, _unwrap(keys, row))
        row.kek_id, row.rotated_at = kek_id, now()
    session.flush()
    record(session, Record(Action.KEY_ROTATE, None, object_type="kek", object_id=kek_id))
    return kek_id, len(rows)


def retire_unused_keks(session: Session) -> list[str]:
    """Remove key-encryption keys that no data key is wrapped under, except the current one
    (after a rotation, the old key is gone from disk once nothing needs it)."""
    keys = audit_context(session).keys
    used = {kek_id for kek_id in session.scalars(select(HouseholdKey.kek_id).distinct())
            if kek_id is not None}
    return keys.remove_keks(keep=used | {keys.current_kek_id()})
