"""Who is calling: a professional (browser or bound client) or a partner system."""

from dataclasses import dataclass
from enum import StrEnum


class PrincipalKind(StrEnum):
    PROFESSIONAL = "professional"
    CLIENT = "client"
    MEMBER = "member"  # a parent or youth on the family page: no organisation, no roles


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    organisation_id: str
    party: str
    roles: frozenset[str]
    professional_id: str | None = None
    client_id: str | None = None
    member_id: str | None = None  # MEMBER only; the log records its pseudonym
    team_ids: frozenset[str] = frozenset()  # a professional's teams within the organisation

    @property
    def actor_id(self) -> str:
        """The id the audit trail records: the professional, else the client."""
        return self.professional_id or self.client_id or ""

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))
