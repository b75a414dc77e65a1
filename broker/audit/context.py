"""What the audit log needs from the running broker, carried on each database session."""

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from broker.audit.notes import NoteSigner
from broker.config import Settings
from broker.keys import KeyRing
from broker.policy import Policy

INFO_KEY = "audit"


@dataclass(frozen=True)
class AuditContext:
    policy: Policy
    pseudonym_key: bytes
    signer: NoteSigner
    keys: KeyRing
    settings: Settings

    @classmethod
    def create(cls, settings: Settings, policy: Policy, keys: KeyRing) -> "AuditContext":
        origin = f"{urlsplit(settings.base_url).netloc}/audit"
        return cls(policy, keys.pseudonym_key, NoteSigner(origin, keys.audit_key), keys,
                   settings)

    def pseudonym(self, member_id: str) -> str:
        """A keyed hash: stable per person, meaningless without the key, never a name or BSN."""
        return hmac.new(self.pseudonym_key, member_id.encode(), hashlib.sha256).hexdigest()


def audit_context(session: Session) -> AuditContext:
    context = session.info.get(INFO_KEY)
    if not isinstance(context, AuditContext):
        raise RuntimeError("this session has no audit context (see Database.bind_audit)")
    return context
