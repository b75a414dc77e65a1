"""Signed checkpoints, inclusion proofs and consistency proofs of the audit tree."""

import base64
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit import merkle
from broker.audit.context import audit_context
from broker.audit.models import AuditCheckpoint, AuditHead
from broker.audit.notes import checkpoint_text
from broker.audit.recording import timestamp
from broker.audit.sequencer import HEAD_ID, node_fetcher, sequence_pending
from broker.clock import now
from broker.errors import Invalid, NotFound


@dataclass(frozen=True)
class Checkpoint:
    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str
    note: str
    verifier_key: str


def tree_size(session: Session) -> int:
    head = session.get(AuditHead, HEAD_ID)
    assert head is not None, "audit_head is created by the migration"
    return head.tree_size


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size.desc(),
                                                           AuditCheckpoint.id.desc()).limit(1))


def make_checkpoint(session: Session) -> Checkpoint:
    """Sequence what is queued, then sign the current tree unless that was done already."""
    sequence_pending(session)
    head = session.get(AuditHead, HEAD_ID)
    assert head is not None
    latest = latest_checkpoint(session)
    if latest is None or latest.tree_size != head.tree_size:
        signer = audit_context(session).signer
        stamp = timestamp()
        note, _ = signer.sign(checkpoint_text(signer.name, head.tree_size,
                                              bytes(head.root_hash), stamp))
        latest = AuditCheckpoint(tree_size=head.tree_size, root_hash=bytes(head.root_hash),
                                 created_at=now(), note=note)
        session.add(latest)
        session.flush()
    return describe(session, latest)


def describe(session: Session, checkpoint: AuditCheckpoint) -> Checkpoint:
    signer = audit_context(session).signer
    text, _, signature_line = checkpoint.note.rstrip("\n").rpartition("\n")
    blob = base64.b64decode(signature_line.split(" ")[2])
    stamp = text.strip().splitlines()[-1].removeprefix("Timestamp: ")
    return Checkpoint(tree_size=checkpoint.tree_size, root_hash=bytes(checkpoint.root_hash).hex(),
                      timestamp=stamp, key_id=blob[:4].hex(),
                      signature=base64.b64encode(blob[4:]).decode(), note=checkpoint.note,
                      verifier_key=signer.verifier_key)


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]


def _check_size(session: Session, size: int | None) -> int:
    current = tree_size(session)
    if size is None:
        return current
    if not 1 <= size <= current:
        raise Invalid(f"tree_size must be between 1 and {current}.", code="bad_tree_size")
    return size


def inclusion_proof(session: Session, *, seq: int, size: int | None) -> InclusionProof:
    """RFC 6962 2.1.1 audit path of event `seq` (leaf seq - 1) in the tree of `size`."""
    size = _check_size(session, size)
    if not 1 <= seq <= size:
        raise NotFound(f"Event {seq} is not in a tree of size {size}.")
    leaf, path = merkle.inclusion(node_fetcher(session), seq - 1, size)
    return InclusionProof(seq - 1, size, leaf.hex(), [h.hex() for h in path])


def consistency_proof(session: Session, *, first: int, second: int) -> list[str]:
    """RFC 6962 2.1.2 proof that the tree of `first` leaves is a prefix of `second`."""
    second = _check_size(session, second)
    if not 1 <= first <= second:
        raise Invalid("Need 1 <= first <= second.", code="bad_tree_size")
    return [h.hex() for h in merkle.consistency_proof(node_fetcher(session), first, second)]
