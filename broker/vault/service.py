"""Envelope encryption: free text about a family is sealed with AES-256-GCM under a data key:
one person's (what is about them alone) or the household's (what the family shares). Data
keys are wrapped by a key-encryption key (KEK) from the key directory. Rotating the KEK
rewraps data keys without touching what they sealed; destroying a person's data key makes
what is theirs unreadable (crypto-shredding) and leaves the rest of the family's file, and
the audit log, which holds no content, whole and verifiable."""

import os
from collections.abc import Callable

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
from broker.vault.models import HouseholdKey, MemberKey
from broker.vault.opening import open_or_none
from broker.vault.sealing import NONCE, DataKey

KeyRow = HouseholdKey | MemberKey


class Destroyed(Exception):
    """The data key was destroyed: what it sealed cannot be read any more."""


def _wrap_ad(row: KeyRow) -> bytes:
    if isinstance(row, MemberKey):
        return f"member-key|{row.member_id}".encode()
    return f"household-key|{row.household_id}".encode()


def _wrap(keys: KeyRing, kek_id: str, row: KeyRow, data_key: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(keys.kek(kek_id)).encrypt(nonce, data_key, _wrap_ad(row))


def _unwrap(keys: KeyRing, row: KeyRow) -> bytes:
    assert row.wrapped is not None and row.kek_id is not None
    return AESGCM(keys.kek(row.kek_id)).decrypt(row.wrapped[:NONCE], row.wrapped[NONCE:],
                                                _wrap_ad(row))


def scope(household_id: str, member_id: str | None = None) -> str:
    """What a data key is bound to: the household, or one member of it."""
    return household_id if member_id is None else f"{household_id}/{member_id}"


def _get(session: Session, household_id: str, member_id: str | None, *,
         lock: bool = False, fresh: bool = False) -> KeyRow | None:
    if member_id is None:
        return session.get(HouseholdKey, household_id, with_for_update=lock,
                           populate_existing=fresh)
    return session.get(MemberKey, member_id, with_for_update=lock, populate_existing=fresh)


def _new_row(household_id: str, member_id: str | None) -> KeyRow:
    if member_id is None:
        return HouseholdKey(household_id=household_id)
    return MemberKey(member_id=member_id, household_id=household_id)


def data_key(session: Session, household_id: str, member_id: str | None = None) -> DataKey:
    """The household's data key (or, with `member_id`, that member's), made on first use.
    Raises Destroyed after destruction."""
    keys = audit_context(session).keys
    row = _get(session, household_id, member_id, lock=True)
    if member_id is not None and _erased(session, household_id):
        raise Destroyed(household_id)  # the household was erased whole: nothing new
    if row is None:
        kek_id, raw = keys.current_kek_id(), AESGCM.generate_key(bit_length=256)
        try:
            with session.begin_nested():  # two first uses at once: one key wins
                row = _new_row(household_id, member_id)
                row.kek_id, row.wrapped = kek_id, _wrap(keys, kek_id, row, raw)
                session.add(row)
            return DataKey(scope(household_id, member_id), AESGCM(raw))
        except IntegrityError:
            row = _get(session, household_id, member_id, lock=True, fresh=True)
            assert row is not None
    if row.wrapped is None:
        raise Destroyed(household_id)
    return DataKey(scope(household_id, member_id), AESGCM(_unwrap(keys, row)))


def _erased(session: Session, household_id: str) -> bool:
    row = session.get(HouseholdKey, household_id)
    return row is not None and row.wrapped is None


def writable_key(session: Session, household_id: str, member_id: str | None = None
                 ) -> DataKey:
    """The data key to seal something new with; 422 `household_erased` after destruction."""
    try:
        return data_key(session, household_id, member_id)
    except Destroyed:
        raise Invalid("This data was erased; nothing new can be stored about them.",
                      code="household_erased") from None


def key_for(session: Session, household_id: str, subject_ids: list[str]) -> DataKey:
    """Where something new about these people is sealed: one person's key when it is about
    one person, the household's when it is about several."""
    member = subject_ids[0] if len(subject_ids) == 1 else None
    return writable_key(session, household_id, member)


def existing_data_key(session: Session, household_id: str, member_id: str | None = None
                      ) -> DataKey | None:
    """For reading: the data key, or None when it was destroyed or never made."""
    row = _get(session, household_id, member_id)
    if row is None or row.wrapped is None:
        return None
    return DataKey(scope(household_id, member_id),
                   AESGCM(_unwrap(audit_context(session).keys, row)))


def reseal(old: DataKey | None, new: DataKey, context: str, sealed: bytes | None
           ) -> bytes | None:
    """A value sealed under `old` sealed again under `new` (its text never leaves the vault);
    None when it no longer opens (its key destroyed)."""
    text = open_or_none(old, context, sealed)
    return None if text is None else new.seal(context, text)


def rewrite(key: DataKey | None, context: str, sealed: bytes,
            change: Callable[[str], str]) -> bytes:
    """A sealed value changed in place under its own key, for erasure only (a part about
    people whose files were destroyed is taken out); unchanged when it does not open."""
    text = open_or_none(key, context, sealed)
    return sealed if key is None or text is None else key.seal(context, change(text))


def destroy_data_key(session: Session, *, actor: Principal | None, household_id: str,
                     member_id: str | None = None) -> None:
    """Crypto-shred: the data key is erased, everything sealed under it unreadable."""
    row = _get(session, household_id, member_id, lock=True)
    if row is None:
        row = _new_row(household_id, member_id)
        session.add(row)
    elif row.wrapped is None:
        raise Conflict("This data key was already destroyed.", code="already_destroyed")
    row.wrapped, row.kek_id, row.destroyed_at = None, None, now()
    session.flush()
    record(session, Record(Action.KEY_DESTROY, actor, subject_id=member_id,
                           object_type="household" if member_id is None else "member",
                           object_id=household_id if member_id is None else member_id))


def destroy_household(session: Session, *, actor: Principal | None, household_id: str,
                      member_ids: list[str]) -> None:
    """Crypto-shred a whole household: its shared key and each member's. 409
    `already_destroyed` when none was left."""
    destroyed = 0
    for member_id in [None, *member_ids]:
        try:
            destroy_data_key(session, actor=actor, household_id=household_id,
                             member_id=member_id)
            destroyed += 1
        except Conflict:
            continue
    if not destroyed:
        raise Conflict("This household's data keys were already destroyed.",
                       code="already_destroyed")


def rotate_keys(session: Session) -> tuple[str, int]:
    """Make a new KEK current and rewrap every live data key (households' and persons')
    under it (the sealed content is not touched). Returns the new KEK id and how many data
    keys were rewrapped."""
    keys = audit_context(session).keys
    kek_id = keys.rotate_kek()
    rows: list[KeyRow] = [
        *session.scalars(select(HouseholdKey).where(HouseholdKey.wrapped.is_not(None))
                         .with_for_update()),
        *session.scalars(select(MemberKey).where(MemberKey.wrapped.is_not(None))
                         .with_for_update())]
    for row in rows:
        row.wrapped = _wrap(keys, kek_id, row, _unwrap(keys, row))
        row.kek_id, row.rotated_at = kek_id, now()
    session.flush()
    record(session, Record(Action.KEY_ROTATE, None, object_type="kek", object_id=kek_id))
    return kek_id, len(rows)


def retire_unused_keks(session: Session) -> list[str]:
    """Remove key-encryption keys that no data key is wrapped under, except the current one
    (after a rotation, the old key is gone from disk once nothing needs it)."""
    keys = audit_context(session).keys
    used = {kek_id for model in (HouseholdKey, MemberKey)
            for kek_id in session.scalars(select(model.kek_id).distinct())
            if kek_id is not None}
    return keys.remove_keks(keep=used | {keys.current_kek_id()})
