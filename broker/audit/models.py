"""Audit tables. `audit_events`, `audit_nodes` and `audit_checkpoints` are append-only
(database triggers refuse UPDATE and DELETE); `audit_pending` is the queue in front of them."""

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from broker.db import Base, UTCDateTime

# Search columns, shared by the queue and the log; the event's content is its `leaf` text.
INDEXED = ("subject", "actor_id", "actor_organisation_id", "recipient_organisation_id", "action")
SEARCH_COLUMNS = ("recorded_at", "action", "actor_id", "actor_organisation_id",
                  "recipient_organisation_id", "subject", "basis")


class _SearchColumns:
    recorded_at: Mapped[str] = mapped_column(String(27))  # ISO 8601 UTC, sorts by time
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_organisation_id: Mapped[str | None] = mapped_column(String(36))
    recipient_organisation_id: Mapped[str | None] = mapped_column(String(36))
    subject: Mapped[str | None] = mapped_column(String(64))
    basis: Mapped[str | None] = mapped_column(String(32))


class AuditPending(_SearchColumns, Base):
    """Written in the act's own transaction; moved into the log by the sequencer."""

    __tablename__ = "audit_pending"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    payload: Mapped[str] = mapped_column(Text)


class AuditEvent(_SearchColumns, Base):
    """One leaf of the Merkle tree: `leaf` is the canonical JSON that is hashed."""

    __tablename__ = "audit_events"
    __table_args__ = tuple(
        Index(f"ix_audit_events_{name}_seq", name, "seq") for name in INDEXED) + (
        Index("ix_audit_events_recorded_at", "recorded_at"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf: Mapped[str] = mapped_column(Text)


class AuditNode(Base):
    """Hash of the perfect subtree at (level, index): leaves index*2^level .. +2^level."""

    __tablename__ = "audit_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditHead(Base):
    """The current tree size and root; its row lock serialises the sequencers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditCheckpoint(Base):
    """A signed checkpoint (C2SP signed note) of the tree at some size."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)
