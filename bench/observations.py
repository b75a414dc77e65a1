"""The cost of the door on a read: a household with 200 observations read by 8 different
readers, through `household_observations` (a decision and an audit record per item, bodies
opened) against the same query without decisions (the rows, their amendments and
submitters, bodies opened), in one SQLite database."""

import itertools
import tempfile
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.families import nine_years_ago
from bench.runner import Result, rate
from broker import migrate
from broker.audit.context import INFO_KEY, AuditContext
from broker.config import PROJECT_ROOT, Settings
from broker.consent.schemas import ConsentCreate
from broker.consent.service import grant_consent
from broker.db import Database
from broker.households.schemas import HouseholdCreate
from broker.households.service import create_household, members_of
from broker.identity import service as identity
from broker.identity.principal import Principal
from broker.keys import KeyRing
from broker.observations import service
from broker.observations.models import Observation, ObservationAmendment
from broker.observations.schemas import ObservationCreate
from broker.policy import Policy, load_policy
from broker.vault.opening import open_or_none
from broker.vault.service import existing_data_key

OBSERVATIONS = 200
PARTNERS = ["school", "huisarts", "jggz", "woningcorporatie", "schuldhulpverlening",
            "jeugdgezondheidszorg", "kinderopvang"]
CATEGORIES = ["onderwijs", "gezondheid", "psychische_gezondheid", "huisvesting", "financien",
              "opvoeding"]


def _seed(session: Session, policy: Policy) -> tuple[str, list[Principal]]:
    readers = []
    for party in ["wijkteam", *PARTNERS]:
        org = identity.create_organisation(session, name=f"{party} bench", party=party,
                                           policy=policy)
        person = identity.create_professional(
            session, organisation_id=org.id, email=f"{party}@bench.example",
            name="Bench", roles=["regisseur" if party == "wijkteam" else "partner"],
            password=None)
        readers.append(identity.professional_principal(session, org, person))
    regisseur = readers[0]
    household = create_household(session, actor=regisseur, body=HouseholdCreate(
        label="Gezin", members=[
            {"ref": "m", "given_name": "A", "family_name": "B", "birth_date": "1985-01-01",
             "role": "parent"},
            {"ref": "c", "given_name": "C", "family_name": "B", "birth_date": nine_years_ago(),
             "role": "child"}],
        custody=[{"custodian": "m", "child": "c"}]))
    members = {m.ref: m.id for m in members_of(session, household.id)}
    # The wijkteam may see everything; each partner one or two categories.
    grant_consent(session, actor=regisseur, body=ConsentCreate(
        subject_id=members["c"], categories=CATEGORIES, recipients=[{"party": "wijkteam"}],
        purposes=["hulpverlening"], grantor_ids=[members["m"]],
        evidence={"method": "written"}))
    for reader, category in zip(readers[1:], itertools.cycle(CATEGORIES), strict=False):
        grant_consent(session, actor=regisseur, body=ConsentCreate(
            subject_id=members["c"], categories=[category],
            recipients=[{"organisation_id": reader.organisation_id}],
            purposes=["hulpverlening"], grantor_ids=[members["m"]],
            evidence={"method": "written"}))
    submitters = itertools.cycle(readers)
    for n in range(OBSERVATIONS):
        service.submit_observation(session, actor=next(submitters), body=ObservationCreate(
            subject_id=members["c"], category=CATEGORIES[n % len(CATEGORIES)],
            concern="medium", observed_on=date(2026, 1, 1) + timedelta(days=n % 300),
            body=f"Observatie {n}: " + "verzuim en zorgen over de thuissituatie. " * 4))
    return household.id, readers


def _without_decisions(session: Session, household_id: str) -> int:
    """The same rows, amendments and submitters, bodies opened; no facts, no decisions."""
    observations = session.scalars(select(Observation)
                                   .where(Observation.household_id == household_id)
                                   .order_by(Observation.observed_on.desc())).all()
    ids = [o.id for o in observations]
    list(session.scalars(select(ObservationAmendment)
                         .where(ObservationAmendment.observation_id.in_(ids))))
    list(session.scalars(select(identity.Organisation).where(identity.Organisation.id.in_(
        {o.submitted_by_organisation_id for o in observations}))))
    key = existing_data_key(session, household_id)
    return sum(1 for o in observations if open_or_none(key, f"observation:{o.id}", o.body))


def seeded(name: str) -> tuple[Database, Policy, str, list[Principal]]:
    """A fresh SQLite broker database holding the household with 200 observations."""
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, key_dir=tmp / "keys")
    policy = load_policy(PROJECT_ROOT / "policies")
    database = Database.from_url(url)
    database.bind(INFO_KEY, AuditContext.create(settings, policy, KeyRing(settings.key_dir)))
    with database.sessionmaker.begin() as session:
        household_id, readers = _seed(session, policy)
    return database, policy, household_id, readers


def run(seconds: float) -> list[Result]:
    database, _, household_id, readers = seeded("observations")
    turns = itertools.cycle(readers)

    def door() -> None:
        with database.sessionmaker.begin() as session:
            shown, withheld = service.household_observations(
                session, actor=next(turns), household_id=household_id)
            assert len(shown) + len(withheld) == OBSERVATIONS

    def bare() -> None:
        with database.sessionmaker.begin() as session:
            assert _without_decisions(session, household_id) == OBSERVATIONS

    through_door = rate(door, seconds, warmup=8, step=8)
    without = rate(bare, seconds, warmup=8, step=8)
    database.engine.dispose()
    return [Result("observations", f"read of {OBSERVATIONS} observations, 8 readers "
                   f"({1000 / through_door:.1f} ms each)", through_door,
                   f"same rows without decisions ({1000 / without:.1f} ms)", without,
                   "(cost of the door)")]
