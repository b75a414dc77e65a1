"""Retention of the household's own record (policies/retention.yaml, kind `households`): a
person whose file passed its term is erased as on their request for destruction (their key
shredded, name, BSN and e-mail erased), with who decided for them; once every member's file
has, the household's shared texts, custody and court decisions go too."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from broker.audit.recording import Record, purges
from broker.family.destruction import erase_person
from broker.family.models import DestructionRequest, FamilyLink, FamilySession, Withholding
from broker.households.models import CourtDecision, Custody, Incapacity, Member, Representation


def purge_households(session: Session, members: set[str], households: set[str]
                     ) -> tuple[list[Record], int, str]:
    people = session.execute(select(Member.id, Member.household_id, Member.given_name)
                             .where(Member.id.in_(members))).all()
    erased = {row.id for row in people if row.given_name != "—"}
    for row in people:
        if row.id in erased:
            erase_person(session, None, row.household_id, row.id)
    for table, column in ((Incapacity, Incapacity.subject_id),
                          (Representation, Representation.subject_id),
                          (Withholding, Withholding.member_id),
                          (FamilyLink, FamilyLink.member_id),
                          (FamilySession, FamilySession.member_id),
                          (DestructionRequest, DestructionRequest.member_id),
                          (DestructionRequest, DestructionRequest.subject_id)):
        session.execute(delete(table).where(column.in_(members)))
    session.execute(delete(Custody).where(Custody.household_id.in_(households)))
    session.execute(delete(Representation).where(Representation.household_id.in_(households)))
    session.execute(delete(CourtDecision).where(CourtDecision.household_id.in_(households)))
    return purges("households", erased), len(erased), \
        "members erased (key shredded; name, BSN and e-mail); custody and court decisions " \
        "of households whose every member passed the term removed"
