"""A small committed world for the system suites that drive services from several processes:
a neighbourhood team (the regisseur, also aandachtsfunctionaris), a school and Veilig Thuis
(each involved through a lasting consent), a family of a mother and her child, and what the
team observed about each."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from broker.audit.context import INFO_KEY, AuditContext
from broker.clock import now
from broker.config import Settings
from broker.consent import service as consent
from broker.consent.schemas import ConsentCreate
from broker.db import Database
from broker.households import service as households
from broker.households.schemas import HouseholdCreate
from broker.identity import service as identity
from broker.identity.principal import Principal, PrincipalKind
from broker.keys import KeyRing
from broker.meldcode import service as meldcode
from broker.meldcode.schemas import CaseCreate, OverrideCreate
from broker.observations import service as observations
from broker.observations.schemas import ObservationCreate
from broker.policy import Policy, load_policy
from tests.dates import years_ago

PURPOSE = observations.PURPOSE


def open_database(url: str, key_dir: Path, policy: Policy | None = None) -> Database:
    """The database as a broker process opens it, with the audit context bound."""
    policy = policy or load_policy(Settings().policy_dir)
    settings = Settings(database_url=url, key_dir=key_dir)
    database = Database.from_url(url)
    database.bind(INFO_KEY, AuditContext.create(settings, policy, KeyRing(key_dir)))
    return database


@dataclass(frozen=True)
class World:
    regisseur: Principal
    school: Principal
    veilig_thuis: Principal  # reads under an urgent override (acute danger: VT or police)
    household_id: str
    mother_id: str
    child_id: str
    case_id: str
    mother_observation_id: str  # onderwijs; the school sees it only with the mother's consent
    child_observation_id: str   # gezondheid; Veilig Thuis sees it only under an override


def build_world(database: Database) -> World:
    with database.sessionmaker.begin() as session:
        team = identity.create_organisation(session, name="Wijkteam Noord", party="wijkteam",
                                            policy=session.info[INFO_KEY].policy)
        school_org = identity.create_organisation(session, name="OBS De Linde", party="school",
                                                  policy=session.info[INFO_KEY].policy)
        vt_org = identity.create_organisation(session, name="Veilig Thuis Regio",
                                              party="veilig_thuis",
                                              policy=session.info[INFO_KEY].policy)
        veilig_thuis = Principal(kind=PrincipalKind.CLIENT, organisation_id=vt_org.id,
                                 party="veilig_thuis", roles=frozenset({"partner"}),
                                 client_id="cl_veilig_thuis")
        professional = identity.create_professional(
            session, organisation_id=team.id, email="regisseur@example.org", name="R. Regisseur",
            roles=["regisseur", "aandachtsfunctionaris"], password=None)
        regisseur = identity.professional_principal(session, team, professional)
        school = Principal(kind=PrincipalKind.CLIENT, organisation_id=school_org.id,
                           party="school", roles=frozenset({"partner"}), client_id="cl_school")
        household = households.create_household(session, actor=regisseur, body=HouseholdCreate(
            label="Gezin V.", members=[
                {"ref": "m", "given_name": "Fenna", "family_name": "Visser",
                 "birth_date": date(1987, 3, 4), "role": "parent"},
                {"ref": "c", "given_name": "Teun", "family_name": "Visser",
                 "birth_date": years_ago(9, 100), "role": "child"}],
            custody=[{"custodian": "m", "child": "c"}]))
        ids = {m.ref: m.id for m in households.members_of(session, household.id)}
        # A lasting consent about the child's schooling keeps the school involved throughout.
        for reader in (school, veilig_thuis):
            grant(session, regisseur, subject=ids["c"], grantor=ids["m"], school=reader,
                  category="ontwikkeling")
        seen = [observations.submit_observation(session, actor=regisseur, body=ObservationCreate(
            subject_id=subject, category=category, concern="low", observed_on=now().date(),
            body=f"Waarneming over {category}.")).observation.id
            for subject, category in ((ids["m"], "onderwijs"), (ids["c"], "gezondheid"))]
        case = meldcode.open_case(session, actor=regisseur, body=CaseCreate(child_id=ids["c"]))
        return World(regisseur, school, veilig_thuis, household.id, ids["m"], ids["c"],
                     case.id, *seen)


def grant(session: Session, regisseur: Principal, *, subject: str, grantor: str,
          school: Principal, category: str = "onderwijs") -> str:
    return consent.grant_consent(session, actor=regisseur, body=ConsentCreate(
        subject_id=subject, categories=[category],
        recipients=[{"organisation_id": school.organisation_id}], purposes=[PURPOSE],
        grantor_ids=[grantor], evidence={"method": "written", "reference": "formulier"})).id


def urgent_override(session: Session, world: World) -> str:
    """In force at once (acute danger), for the child's health, to Veilig Thuis."""
    view = meldcode.request_override(session, actor=world.regisseur,
                                     case_id=world.case_id, body=OverrideCreate(
        subject_ids=[world.child_id], categories=["gezondheid"],
        recipients=[{"organisation_id": world.veilig_thuis.organisation_id}],
        justification="Acuut gevaar.", valid_until=now() + timedelta(days=7), urgent=True,
        inform_parents={"planned_on": now().date() + timedelta(days=2)}))
    return view.override.id
