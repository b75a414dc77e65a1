"""The privacy officer's operations on the log; each is itself recorded."""

from sqlalchemy.orm import Session

from broker.audit import proofs
from broker.audit.context import audit_context
from broker.audit.export import activity_uri
from broker.audit.queries import ROLE
from broker.audit.recording import Action, Outcome, Record, record
from broker.audit.schemas import ProcessingActivityRead
from broker.audit.sequencer import sequence_pending
from broker.audit.verify import Verification, verify_log
from broker.errors import NotFound
from broker.identity.principal import Principal
from broker.policy import Policy
from broker.policy.schema import ProcessingActivity


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


def register(policy: Policy, base_url: str) -> list[ProcessingActivityRead]:
    """The register of processing activities, each with the URI the log names it by."""
    return [_entry(activity, base_url) for activity in policy.activities.values()]


def register_entry(policy: Policy, base_url: str, activity_id: str) -> ProcessingActivityRead:
    activity = policy.activities.get(activity_id)
    if activity is None:
        raise NotFound("No such processing activity.")
    return _entry(activity, base_url)


def _entry(activity: ProcessingActivity, base_url: str) -> ProcessingActivityRead:
    return ProcessingActivityRead(
        id=activity.id, uri=activity_uri(base_url, activity.id), name=activity.name,
        purposes=activity.purposes, lawful_basis=activity.lawful_basis,
        special_basis=activity.special_basis, categories=activity.categories,
        recipients=activity.recipients, retention=activity.retention)
