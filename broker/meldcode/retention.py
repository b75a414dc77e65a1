"""Retention of the meldcode path (policies/retention.yaml, kind `meldcode`): cases with
their steps, overrides, handbacks and renewals; the legal grounds (mandates) and requests
for information about the same children."""

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from broker.audit.recording import Record, purges
from broker.information_requests.models import InformationRequest
from broker.mandates.models import Mandate
from broker.meldcode.models import (
    Handback,
    MeldcodeCase,
    MeldcodeStep,
    NoticeRenewal,
    Override,
    OverrideEvent,
)


def purge_meldcode(session: Session, members: set[str]) -> tuple[list[Record], int, str]:
    """Everything of the meldcode path about these members (their files past the term)."""
    cases = session.execute(select(MeldcodeCase.id, MeldcodeCase.child_id)
                            .where(MeldcodeCase.child_id.in_(members))).all()
    case_ids = [row.id for row in cases]
    overrides = list(session.scalars(select(Override.id).where(Override.case_id.in_(case_ids))))
    mandates = session.execute(select(Mandate.id, Mandate.subject_id).where(or_(
        Mandate.subject_id.in_(members), Mandate.case_id.in_(case_ids)))).all()
    mandate_ids = [row.id for row in mandates]
    requests = session.execute(select(InformationRequest.id, InformationRequest.subject_id)
                               .where(InformationRequest.subject_id.in_(members))).all()
    session.execute(delete(NoticeRenewal).where(or_(NoticeRenewal.override_id.in_(overrides),
                                                    NoticeRenewal.mandate_id.in_(mandate_ids))))
    session.execute(delete(InformationRequest).where(
        InformationRequest.id.in_([row.id for row in requests])))
    session.execute(update(InformationRequest).where(  # asked about another child: kept
        InformationRequest.override_id.in_(overrides)).values(override_id=None))
    session.execute(delete(Mandate).where(Mandate.id.in_(mandate_ids)))
    session.execute(delete(OverrideEvent).where(OverrideEvent.override_id.in_(overrides)))
    session.execute(delete(Override).where(Override.id.in_(overrides)))
    session.execute(delete(Handback).where(Handback.case_id.in_(case_ids)))
    session.execute(delete(MeldcodeStep).where(MeldcodeStep.case_id.in_(case_ids)))
    session.execute(delete(MeldcodeCase).where(MeldcodeCase.id.in_(case_ids)))
    owners = {row.child_id for row in cases} | {row.subject_id for row in mandates} \
        | {row.subject_id for row in requests}
    return purges("meldcode", owners), len(case_ids) + len(mandate_ids) + len(requests), \
        "meldcode cases with their steps, overrides and handbacks, mandates and requests " \
        "for information removed"
