"""The privacy officer's operations on the log; each is itself recorded."""

from sqlalchemy.orm import Session

from broker.audit import proofs
from broker.audit.context import audit_context
from broker.audit.queries import ROLE
from broker.audit.recording import Action, Outcome, Record, record
from broker.audit.sequencer import sequence_pending
from broker.audit.verify import Verification, verify_log
from broker.identity.principal import Principal


def checkpoint(session: Session, *, actor: Principal) -> proofs.Checkpoint:
    signed = proofs.make_checkpoint(session)
    record(session, Record(Action.AUDIT_PROOF, actor, role=ROLE, object_type="checkpoint",
                           object_id=str(signed.tree_size)))
    return signed


def inclusion_proof(session: Session, *, actor: Principal, seq: int, tree_size: int | None
                    ) -> proofs.InclusionProof:
    sequence_pending(session)
    proof = proofs.inclusion_proof(session, seq=seq, size=tree_size)
    record(session, Record(Action.AUDIT_PROOF, actor, role=ROLE, object_type="audit_event",
                           object_id=str(seq)))
    return proof


def consistency_proof(session: Session, *, actor: Principal, first: int, second: int
                      ) -> list[str]:
    sequence_pending(session)
    proof = proofs.consistency_proof(session, first=first, second=second)
    record(session, Record(Action.AUDIT_PROOF, actor, role=ROLE, object_type="consistency",
                           object_id=f"{first}-{second}"))
    return proof


def verify(session: Session, *, actor: Principal | None, deep: bool = False) -> Verification:
    """Sequence what is queued, then recompute everything (see `verify.verify_log`); `deep`
    also checks every stored tree node (what inclusion proofs are made of)."""
    sequence_pending(session)
    result = verify_log(session.connection(), deep=deep,
                        verifier_key=audit_context(session).signer.verifier_key)
    record(session, Record(Action.AUDIT_VERIFY, actor, role=ROLE if actor else None,
                           outcome=Outcome.SUCCESS if result.ok else Outcome.FAILURE))
    return result
