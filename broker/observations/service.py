"""Observations: a partner shares what it sees; the door checks it before anything is stored
and again for every reader; what a reader may not see is withheld with a reason."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record
from broker.clock import local_day, now
from broker.db import new_id
from broker.disclosure.door import Item, Names, disclose, disclose_each, unseal
from broker.disclosure.engine import Decision
from broker.disclosure.facts import HouseholdFacts, load_household, reaches_own
from broker.errors import Forbidden, Invalid, NoConsent, NotFound
from broker.households import service as households
from broker.identity.models import Organisation, Professional
from broker.identity.principal import Principal
from broker.meetings.models import Invitee, Meeting
from broker.observations.models import (
    MELDCODE_CONCERNS,
    AmendmentKind,
    Concern,
    Observation,
    ObservationAmendment,
)
from broker.observations.schemas import AmendmentCreate, ObservationCreate
from broker.vault.service import (
    DataKey,
    Destroyed,
    data_key,
    existing_data_key,
    reseal,
    writable_key,
)

PURPOSE = "hulpverlening"  # shared with the household's network to coordinate help
MELDCODE_HINT = ("Er is geen toestemming om dit te delen. Maakt u zich ernstig zorgen over de "
                 "veiligheid van het kind? Volg dan de meldcode: bespreek het met uw "
                 "aandachtsfunctionaris; die kan via de meldcode gericht en tijdelijk laten "
                 "delen wat nodig is.")


def _submission_facts(session: Session, actor: Principal, body: ObservationCreate
                      ) -> tuple[HouseholdFacts, Organisation]:
    policy = audit_context(session).policy
    if body.category not in policy.categories:
        raise Invalid("Unknown category.", code="unknown_category")
    if body.observed_on > local_day(now()):
        raise Invalid("The observation date lies in the future.", code="future_date")
    facts = load_household(session, member_id=body.subject_id)
    if facts is None or facts.regisseur_organisation_id is None:
        raise NotFound("No such person.")
    if body.meeting_id is not None:
        _check_meeting(session, actor, body.meeting_id, facts.household_id)
    regisseur = session.get(Organisation, facts.regisseur_organisation_id)
    assert regisseur is not None, "a regisseur belongs to an organisation"
    return facts, regisseur


def _check_meeting(session: Session, actor: Principal, meeting_id: str, household_id: str
                   ) -> None:
    """Input for a meeting of this family, from its organiser or someone invited."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.household_id != household_id:
        raise Invalid("No such meeting of this family.", code="unknown_meeting")
    invited = session.scalar(select(Invitee.id).where(
        Invitee.meeting_id == meeting.id,
        (Invitee.organisation_id == actor.organisation_id)
        | (Invitee.professional_id == actor.professional_id)).limit(1))
    if invited is None and actor.professional_id != \
            households.current_regisseur(session, household_id).professional_id:
        raise Forbidden("Only those invited contribute to this meeting.", code="not_invited")


def _refusal(decision: Decision, concern: Concern, *, category: str,
             recipient: Organisation, contact: dict[str, str] | None) -> NoConsent:
    """The refusal with what the submitter needs to get consent: the matter, to whom it
    would go, who still has to consent and (for the involved only) whom to ask."""
    meldcode = concern in MELDCODE_CONCERNS
    return NoConsent(
        MELDCODE_HINT if meldcode else "Er is geen grond om dit met het netwerk te delen"
        + "".join(f": {reason}" for reason in decision.reasons[:1])
        + "".join(f"; {reason}" for reason in decision.reasons[1:]),
        missing=[{"member_id": m.member_id, "role": m.role.value} for m in decision.missing],
        reasons=list(decision.reasons), meldcode=meldcode, category=category,
        recipient=recipient.name if contact else None, contact=contact)


def _contact(session: Session, household_id: str, regisseur: Organisation) -> dict[str, str]:
    """Whom an involved submitter asks to get consent: the household's regisseur."""
    assignment = households.current_regisseur(session, household_id)
    person = session.get(Professional, assignment.professional_id)
    return {"name": person.name if person else "", "organisation": regisseur.name}


@dataclass(frozen=True)
class Submitted:
    observation: Observation
    decision: Decision
    involved: bool  # False: the submitter learns accepted, nothing about the household


def submit_observation(session: Session, *, actor: Principal, body: ObservationCreate
                       ) -> Submitted:
    """Store the observation only when the submitter may share it with the household's
    network; otherwise 403 `no_consent` (the refusal is recorded, nothing else is kept). A
    submitter not involved with the household learns only accepted or refused."""
    facts, regisseur = _submission_facts(session, actor, body)
    observation_id = new_id()
    decision = disclose(session, actor=actor, facts=facts.subjects[body.subject_id],
                        category=body.category, purpose=PURPOSE,
                        recipient=(regisseur.id, regisseur.party),
                        submitted_by_organisation_id=actor.organisation_id,
                        object_type="observation", names=Names(
                            session, actor=actor, household=facts, purpose=PURPOSE),
                        object_id=observation_id)
    involved = facts.involves(actor, now())
    if not involved:
        decision = decision.neutral()
    if not decision.permitted:
        raise _refusal(decision, body.concern, category=body.category, recipient=regisseur,
                       contact=_contact(session, facts.household_id, regisseur)
                       if involved else None)
    key = writable_key(session, facts.household_id, body.subject_id)
    observation = Observation(
        id=observation_id, household_id=facts.household_id, subject_id=body.subject_id,
        category=body.category, concern=body.concern.value, observed_on=body.observed_on,
        body=key.seal(_context(observation_id), body.body), person_key=True,
        submitted_by=actor.actor_id,
        submitted_by_organisation_id=actor.organisation_id, submitted_by_party=actor.party,
        meeting_id=body.meeting_id,
        contribution=body.contribution.value if body.contribution else None)
    session.add(observation)
    session.flush()
    return Submitted(observation, decision, involved)


@dataclass(frozen=True)
class RecipientView:
    organisation: Organisation
    decision: Decision


@dataclass(frozen=True)
class Preview:
    decision: Decision
    meldcode: bool
    recipients: list[RecipientView]


def preview_observation(session: Session, *, actor: Principal, body: ObservationCreate
                        ) -> Preview:
    """What `submit_observation` would answer, and which organisations of the household's
    network would see the observation (only to those involved with the household), without
    storing it. Each answer is recorded as a dry-run decision, as `POST /decisions` is."""
    facts, regisseur = _submission_facts(session, actor, body)
    names = Names(session, actor=actor, household=facts, purpose=PURPOSE)
    subject = facts.subjects[body.subject_id]
    gate = disclose(session, actor=actor, facts=subject, category=body.category,
                    purpose=PURPOSE, recipient=(regisseur.id, regisseur.party),
                    submitted_by_organisation_id=actor.organisation_id, names=names,
                    dry_run=True)
    meldcode = not gate.permitted and body.concern in MELDCODE_CONCERNS
    # Which organisations help this family is itself sensitive: only the involved see it,
    # and only they learn why (who must consent, on what basis).
    if not facts.involves(actor, now()):
        return Preview(gate.neutral(), meldcode, [])
    network = {regisseur.id} | facts.partners(now())
    organisations = session.scalars(select(Organisation).where(Organisation.id.in_(network))
                                    .order_by(Organisation.name)).all()
    recipients = [RecipientView(org, disclose(
        session, actor=actor, facts=subject, category=body.category, purpose=PURPOSE,
        recipient=(org.id, org.party), submitted_by_organisation_id=actor.organisation_id,
        names=names, dry_run=True)) for org in organisations]
    return Preview(gate, meldcode, recipients)


@dataclass(frozen=True)
class Shown:
    observation: Observation
    body: str | None  # None: the household's data key was destroyed
    decision: Decision
    amendments: list[tuple[ObservationAmendment, str | None]]
    submitter: Organisation

    @property
    def retracted(self) -> bool:
        return any(a.kind == AmendmentKind.RETRACTION for a, _ in self.amendments)


@dataclass(frozen=True)
class Withheld:
    observation: Observation
    reason: str
    ask: str
    special: bool


def household_observations(session: Session, *, actor: Principal, household_id: str
                           ) -> tuple[list[Shown], list[Withheld]]:
    """Every observation about the household, each through the door for this reader: shown
    (a `disclosure` event) or withheld with a reason and whom to ask (a `refusal` event)."""
    facts = households.visible_facts(session, actor, household_id=household_id)
    policy = audit_context(session).policy
    observations = session.scalars(select(Observation)
                                   .where(Observation.household_id == household_id)
                                   .order_by(Observation.observed_on.desc(),
                                             Observation.created_at.desc())).all()
    amendments = _amendments(session, [o.id for o in observations])
    organisations = {o.id: o for o in session.scalars(select(Organisation).where(
        Organisation.id.in_({o.submitted_by_organisation_id for o in observations})))}
    ask = _whom_to_ask(session, household_id)
    keys = _Keys(session)
    names = Names(session, actor=actor, household=facts, purpose=PURPOSE)
    decisions = disclose_each(session, actor=actor, purpose=PURPOSE, names=names, items=[
        Item(facts.subjects[o.subject_id], o.category, o.submitted_by_organisation_id,
             "observation", o.id) for o in observations])
    shown, withheld = [], []
    for observation, decision in zip(observations, decisions, strict=True):
        if not decision.permitted:
            withheld.append(Withheld(observation, "; ".join(decision.reasons), ask,
                                     policy.categories[observation.category].special is not None))
            continue
        shown.append(_shown(observation, decision, keys(observation),
                            amendments[observation.id],
                            organisations[observation.submitted_by_organisation_id]))
    return shown, withheld


def body_of(session: Session, decision: Decision, observation: Observation) -> str | None:
    """An observation's text under a permitting decision (None once its key is gone)."""
    return unseal(decision, _Keys(session)(observation), _context(observation.id),
                  observation.body)


class _Keys:
    """The data keys a list of observations opens under, each unwrapped once."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._found: dict[tuple[str, str | None], DataKey | None] = {}

    def __call__(self, observation: Observation) -> DataKey | None:
        owner = (observation.household_id,
                 observation.subject_id if observation.person_key else None)
        if owner not in self._found:
            self._found[owner] = existing_data_key(self._session, *owner)
        return self._found[owner]


def _shown(observation: Observation, decision: Decision, key: DataKey | None,
           amendments: list[ObservationAmendment], submitter: Organisation) -> Shown:
    """An observation as shown: its body and amendments opened under the door's decision."""
    return Shown(observation, unseal(decision, key, _context(observation.id), observation.body),
                 decision, [(a, unseal(decision, key, _context(a.id), a.body))
                            for a in amendments], submitter)


def own_observation(session: Session, *, actor: Principal, observation_id: str) -> Shown:
    """An observation, for the organisation that shared it (its own submission, through the
    door and recorded), whether or not it is involved with the household; for everyone else
    it does not exist here (404): they read it in the household's list, if they may."""
    observation = session.get(Observation, observation_id)
    facts = None if observation is None \
        else load_household(session, household_id=observation.household_id)
    if observation is None or facts is None \
            or observation.submitted_by_organisation_id != actor.organisation_id \
            or not facts.reaches_own(actor):
        raise NotFound("No such observation.")
    decision = disclose(session, actor=actor, facts=facts.subjects[observation.subject_id],
                        category=observation.category, purpose=PURPOSE,
                        submitted_by_organisation_id=observation.submitted_by_organisation_id,
                        object_type="observation", object_id=observation.id)
    key = _Keys(session)(observation)
    submitter = session.get(Organisation, observation.submitted_by_organisation_id)
    assert submitter is not None
    return _shown(observation, decision, key,
                  _amendments(session, [observation.id])[observation.id], submitter)


def amend_observation(session: Session, *, actor: Principal, observation_id: str,
                      body: AmendmentCreate) -> ObservationAmendment:
    """The submitting organisation corrects or retracts its observation; the original and
    every amendment stay, and readers who may see the observation see the amendment. For
    everyone else the observation does not exist (404), involved with the family or not."""
    observation = session.get(Observation, observation_id)
    if observation is None or observation.submitted_by_organisation_id != actor.organisation_id \
            or not reaches_own(session, actor, observation.household_id):
        raise NotFound("No such observation.")
    if (body.kind == AmendmentKind.CORRECTION) != (body.body is not None):
        raise Invalid("A correction carries a text; a retraction does not.",
                      code="amendment_body")
    if any(a.kind == AmendmentKind.RETRACTION for a in _amendments(
            session, [observation.id])[observation.id]):
        raise Invalid("This observation was retracted.", code="retracted")
    amendment_id = new_id()
    sealed = None
    if body.body is not None:
        sealed = writable_key(session, observation.household_id, observation.subject_id
                              if observation.person_key else None).seal(
            _context(amendment_id), body.body)
    amendment = ObservationAmendment(id=amendment_id, observation_id=observation.id,
                                     kind=body.kind.value, body=sealed,
                                     amended_by=actor.actor_id)
    session.add(amendment)
    session.flush()
    record(session, Record(Action.OBSERVATION_AMEND, actor, subject_id=observation.subject_id,
                           categories=[observation.category], purpose=PURPOSE,
                           object_type="observation", object_id=observation.id))
    return amendment


def _amendments(session: Session, observation_ids: list[str]
                ) -> dict[str, list[ObservationAmendment]]:
    found: dict[str, list[ObservationAmendment]] = defaultdict(list)
    if observation_ids:
        for amendment in session.scalars(
                select(ObservationAmendment)
                .where(ObservationAmendment.observation_id.in_(observation_ids))
                .order_by(ObservationAmendment.created_at)):
            found[amendment.observation_id].append(amendment)
    return found


def _whom_to_ask(session: Session, household_id: str) -> str:
    regisseur = households.current_regisseur(session, household_id)
    organisation = session.get(Organisation, regisseur.organisation_id)
    name = organisation.name if organisation else "de regisseur"
    return f"Vraag de regisseur van dit gezin ({name})."


def _context(row_id: str) -> str:
    return f"observation:{row_id}"


def move_to_person_keys(session: Session, household_id: str | None = None,
                        member_id: str | None = None) -> int:
    """Observations an older version sealed under the household's key (with their
    amendments) sealed again under their subject's own key, so that one person's file can
    be destroyed alone: those of one member, of a household, or (none given) all. Their
    texts never leave the vault. Returns how many moved."""
    criteria: list[ColumnElement[bool]] = [Observation.person_key.is_(False)]
    if household_id is not None:
        criteria.append(Observation.household_id == household_id)
    if member_id is not None:
        criteria.append(Observation.subject_id == member_id)
    moved = 0
    for observation in session.scalars(select(Observation).where(*criteria).with_for_update()):
        old = existing_data_key(session, observation.household_id)
        try:
            new = data_key(session, observation.household_id, observation.subject_id)
        except Destroyed:  # the person's file was destroyed: nothing of theirs is sealed anew
            continue
        observation.body = reseal(old, new, _context(observation.id), observation.body) or b""
        for amendment in _amendments(session, [observation.id])[observation.id]:
            amendment.body = reseal(old, new, _context(amendment.id), amendment.body)
        observation.person_key = True
        moved += 1
    session.flush()
    return moved
