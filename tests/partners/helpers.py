"""A family the school is involved with (consent and a meeting), another it is not, and a GP
involved with neither: for the partner's family pages."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from broker.clock import now
from broker.consent.schemas import ConsentCreate
from broker.consent.service import grant_consent
from broker.households.schemas import HouseholdCreate
from broker.households.service import create_household
from broker.identity.principal import Principal
from broker.identity.service import professional_principal
from broker.meetings.schemas import MeetingCreate
from broker.meetings.service import create_meeting
from broker.observations.schemas import ObservationCreate
from broker.observations.service import submit_observation
from broker.policy import Policy
from tests.consent.test_pages import arrange
from tests.dates import days_from_today, years_ago
from tests.factories import make_org, make_professional


@dataclass
class World:
    regisseur: Principal
    school: Principal
    gp: Principal
    ids: dict[str, str]  # the Jansens: household, m (Sanne), c1 (Noor)
    other_household: str  # Gezin K.: the school is not involved
    meeting_reference: str


def involved_school(session: Session, policy: Policy) -> World:
    """Gezin J. (Sanne, Noor 13): Noor and Sanne let the school (juf@example.org) see Noor's
    name and education data; the regisseur invites the school to a network meeting and
    records a signal about money the school may not see. Gezin K. has no tie to the school;
    the GP (dokter@example.org) has none to either."""
    regisseur, ids = arrange(session, policy)
    school_org = make_org(session, policy, party="school", name="De Linde")
    teacher = make_professional(session, school_org, roles=["partner"],
                                email="juf@example.org")
    gp_org = make_org(session, policy, party="huisarts", name="Praktijk Oost")
    doctor = make_professional(session, gp_org, roles=["partner"], email="dokter@example.org")
    grant_consent(session, actor=regisseur, body=ConsentCreate.model_validate({
        "subject_id": ids["c1"], "categories": ["basisgegevens", "onderwijs"],
        "recipients": [{"organisation_id": school_org.id}, {"party": "wijkteam"}],
        "purposes": ["hulpverlening"], "grantor_ids": [ids["c1"], ids["m"]],
        "evidence": {"method": "written"}}))
    meeting = create_meeting(session, actor=regisseur, body=MeetingCreate.model_validate({
        "household_id": ids["household"], "title": "Eerste netwerkoverleg",
        "duration_minutes": 60, "location": "Wijkcentrum De Kamp",
        "slots": [{"start": (now() + timedelta(days=14)).isoformat()}],
        "invitees": [{"organisation_id": school_org.id}]}))
    submit_observation(session, actor=regisseur, body=ObservationCreate.model_validate({
        "subject_id": ids["c1"], "category": "financien", "concern": "medium",
        "observed_on": days_from_today(-2), "body": "Kanarie: schulden thuis."}))
    other = create_household(session, actor=regisseur, body=HouseholdCreate.model_validate({
        "label": "Gezin K.", "members": [
            {"ref": "m", "given_name": "Karin", "family_name": "Kok",
             "birth_date": "1990-01-05", "role": "parent"},
            {"ref": "c1", "given_name": "Kees", "family_name": "Kok",
             "birth_date": years_ago(8, 10), "role": "child"}],
        "custody": [{"custodian": "m", "child": "c1"}]}))
    return World(regisseur, professional_principal(session, school_org, teacher),
                 professional_principal(session, gp_org, doctor), ids, other.id,
                 meeting.meeting.reference)
