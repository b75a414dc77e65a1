"""The demo municipality "Demodam": organisations of every party type, a professional for
every role with a known demo password, and households of fictional Dutch families (faker,
nl_NL) with months of history — consents in every state, observations, a meldcode case with
an approved override and one handed back by Veilig Thuis, meetings in every state, plans, and
the path of help from intake to closure in every state the quality dashboard knows (six
stories, `PATHS`; every further family an ordinary, well-kept file) — all made through the
services, so the audit log records it as it would have happened.

The history is written with the clock set back (`broker.clock.frozen_at`): each family's
story starts about four months ago and ends today. Never run this on a real municipality's
database: `broker demo` refuses a database that holds organisations already."""

import random
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.care import service as care
from broker.care.models import (
    ClosureReason,
    EscalationReason,
    EscalationTo,
    FamilyGroupPlanStatus,
    FeedbackOutcome,
    OtherPlanKind,
)
from broker.care.schemas import (
    ChildContactCreate,
    ClosureCreate,
    EscalationCreate,
    EscalationOutcome,
    EvaluationCreate,
    FamilyGroupPlanCreate,
    FeedbackCreate,
    GoalScore,
    HelpRequestCreate,
    OtherPlanCreate,
    SafetyAssessmentCreate,
)
from broker.clock import LEGAL_ZONE, frozen_at, local_day, now
from broker.consent import service as consents
from broker.consent.schemas import ConsentCreate
from broker.errors import NotFound
from broker.family import destruction
from broker.family import service as transparency
from broker.households import custody
from broker.households import service as households
from broker.households.models import Household
from broker.households.schemas import CourtDecisionIn, CustodyChange, CustodyLink, HouseholdCreate
from broker.identity import service as identity
from broker.identity.models import Organisation, Professional
from broker.identity.principal import Principal
from broker.information_requests import service as information
from broker.information_requests.schemas import InformationRequestCreate
from broker.mandates import service as mandates
from broker.mandates.schemas import MandateCreate
from broker.meetings import service as meetings
from broker.meetings.schemas import AvailabilityIn, MeetingCreate, ScheduleIn
from broker.meldcode import service as meldcode
from broker.meldcode.schemas import CaseCreate, HandbackCreate, OverrideCreate, StepCreate
from broker.observations import service as observations
from broker.observations.schemas import ObservationCreate
from broker.plans import service as plans
from broker.plans.models import ActionStatus, Plan
from broker.plans.schemas import ActionUpdate, ChildView, OutcomeCreate
from broker.policy import Policy
from broker.policy.schema import MandateKind

MUNICIPALITY = "Demodam"
DOMAIN = "demodam.example"  # RFC 2606: never a real mailbox


class NotEmpty(Exception):
    """The database holds data already: the demo fills empty databases only."""


@dataclass(frozen=True)
class Account:
    """A demo login; `password` is the same on every demo database (it is a demo)."""

    organisation: str  # key in ORGANISATIONS
    email: str
    roles: tuple[str, ...]
    password: str
    main_page: str  # where this role starts its work


ORGANISATIONS = {  # key -> (name, party type): every party type of the shipped policy
    "wijkteam": ("Wijkteam Demodam-Centrum", "wijkteam"),
    "gemeente": (f"Gemeente {MUNICIPALITY}", "gemeente"),
    "school": ("OBS De Regenboog", "school"),
    "huisarts": ("Huisartsenpraktijk De Linde", "huisarts"),
    "jggz": ("Jeugd-ggz Rivierenland", "jggz"),
    "woningcorporatie": ("Woonstichting Thuis", "woningcorporatie"),
    "schuldhulp": ("Schuldhulp Demodam", "schuldhulpverlening"),
    "veilig_thuis": ("Veilig Thuis Regio Demodam", "veilig_thuis"),
    "gi": ("Jeugdbescherming Regio Demodam", "gi"),
    "raad": ("Raad voor de Kinderbescherming", "raad"),
    "jgz": ("GGD Jeugdgezondheidszorg", "jeugdgezondheidszorg"),
    "kinderopvang": ("Kinderopvang Het Nest", "kinderopvang"),
    "politie": ("Politie Basisteam Demodam", "politie"),
}

TEAM = "Team Centrum"

ACCOUNTS = [
    Account("wijkteam", f"regisseur@{DOMAIN}", ("regisseur",), "demo-regisseur", "/huishoudens"),
    Account("wijkteam", f"regisseur2@{DOMAIN}", ("regisseur",), "demo-regisseur",
            "/huishoudens"),
    Account("wijkteam", f"teamleider@{DOMAIN}", ("teamleider",), "demo-teamleider",
            "/kwaliteit"),
    Account("school", f"partner@{DOMAIN}", ("partner",), "demo-partner", "/bijeenkomsten"),
    Account("school", f"aandachtsfunctionaris@{DOMAIN}", ("aandachtsfunctionaris", "partner"),
            "demo-aandachtsfunctionaris", "/meldcode/overzicht"),
    Account("huisarts", f"huisarts@{DOMAIN}", ("partner",), "demo-partner", "/bijeenkomsten"),
    Account("jggz", f"jggz@{DOMAIN}", ("partner",), "demo-partner", "/bijeenkomsten"),
    Account("woningcorporatie", f"wonen@{DOMAIN}", ("partner",), "demo-partner",
            "/bijeenkomsten"),
    Account("gemeente", f"fg@{DOMAIN}", ("privacy_officer",), "demo-privacy-officer",
            "/verantwoording"),
    Account("gemeente", f"beheer@{DOMAIN}", ("admin",), "demo-beheerder", "/beheer"),
]


@dataclass
class Cast:
    """The demo's organisations and professionals, as principals to act with."""

    organisations: dict[str, Organisation]
    people: dict[str, tuple[Professional, Principal]]  # by e-mail
    family_link: str | None = None  # a personal link of the first family's parent

    def act(self, email: str) -> Principal:
        return self.people[f"{email}@{DOMAIN}"][1]

    def org(self, key: str) -> str:
        return self.organisations[key].id


def is_empty(session: Session) -> bool:
    return session.scalar(select(Organisation.id).limit(1)) is None


def create_cast(session: Session, policy: Policy) -> Cast:
    faker = Faker("nl_NL")
    faker.seed_instance(2026)
    organisations = {key: identity.create_organisation(session, name=name, party=party,
                                                       policy=policy)
                     for key, (name, party) in ORGANISATIONS.items()}
    # The wijkteam's professionals form one team: its households are theirs (and its lead's).
    team = identity.create_team(session, organisation_id=organisations["wijkteam"].id,
                                name=TEAM)
    people = {}
    for account in ACCOUNTS:
        organisation = organisations[account.organisation]
        person = identity.create_professional(
            session, organisation_id=organisation.id, email=account.email,
            name=faker.name(), roles=account.roles, password=account.password,
            team_ids=[team.id] if account.organisation == "wijkteam" else [])
        session.flush()
        people[account.email] = (person, identity.professional_principal(
            session, organisation, person))
    return Cast(organisations, people)


def load_cast(session: Session) -> Cast:
    organisations = {key: session.scalars(select(Organisation).where(
        Organisation.name == name)).one() for key, (name, _) in ORGANISATIONS.items()}
    by_id = {o.id: o for o in organisations.values()}
    people = {}
    for account in ACCOUNTS:
        person = identity.get_professional_by_email(session, account.email)
        assert person is not None, "the demo's accounts exist once the cast does"
        people[account.email] = (person, identity.professional_principal(
            session, by_id[person.organisation_id], person))
    return Cast(organisations, people)


# --- One family's story ---------------------------------------------------------------------

STORY_DAYS = 120  # each story starts about four months back
LIVING = 50  # families with a story; `broker demo` writes any more in bulk


@contextmanager
def on_day(day: int, hour: int = 10) -> Iterator[datetime]:
    """The clock at `day` days into the story (0 = its start), at `hour` local time."""
    start = local_day(now()) - timedelta(days=STORY_DAYS)
    moment = datetime.combine(start + timedelta(days=day), time(hour), tzinfo=LEGAL_ZONE)
    with frozen_at(moment.astimezone(UTC)):
        yield moment


@dataclass
class Family:
    household_id: str
    parents: list[str]  # member ids
    children: list[str]
    custody: dict[str, list[str]]  # child -> custodians
    regisseur: Principal


def _family(session: Session, faker: Faker, rnd: random.Random, cast: Cast, number: int
            ) -> Family:
    surname = faker.last_name()
    today = local_day(now())
    members: list[dict[str, Any]] = []
    two_parents = rnd.random() < 0.7
    for ref in ("p1", "p2") if two_parents else ("p1",):
        members.append({"ref": ref, "given_name": faker.first_name(),
                        "family_name": surname if ref == "p1" or rnd.random() < 0.5
                        else faker.last_name(),
                        "birth_date": today - timedelta(days=rnd.randint(26 * 365, 48 * 365)),
                        "role": "parent",
                        "email": f"ouder{number}{ref}@{DOMAIN}"})
    for index in range(rnd.choice((1, 1, 2, 2, 3))):
        age_days = rnd.randint(2 * 365, 17 * 365)
        members.append({"ref": f"c{index + 1}", "given_name": faker.first_name(),
                        "family_name": surname, "role": "child",
                        "birth_date": today - timedelta(days=age_days),
                        "email": f"jongere{number}c{index + 1}@{DOMAIN}"
                        if age_days >= 12 * 365 else None})
    parents = [m["ref"] for m in members if m["role"] == "parent"]
    children = [m["ref"] for m in members if m["role"] == "child"]
    custody = [{"custodian": p, "child": c} for c in children for p in parents]
    regisseur = cast.act("regisseur" if number % 3 else "regisseur2")
    household = households.create_household(
        session, actor=regisseur, body=HouseholdCreate.model_validate({
            "label": f"Gezin {households.sort_key(surname)[:1].upper()}. ({number})",
            "members": members,
            "custody": custody}))
    ids = {m.ref: m.id for m in households.members_of(session, household.id)}
    return Family(household.id, [ids[p] for p in parents], [ids[c] for c in children],
                  {ids[c]: [ids[p] for p in parents] for c in children}, regisseur)


def _signers(session: Session, family: Family, child: str) -> list[str]:
    """Who signs for this child today (the capacity rules: from 16 the youth alone)."""
    return [r.member_id for r in consents.required_signers(
        session, actor=family.regisseur, subject_id=child) if r.member_id]


def _consent(session: Session, family: Family, child: str, categories: list[str],
             recipients: list[dict[str, str]], *, starts: datetime | None = None,
             until: datetime | None = None) -> str:
    grantors = _signers(session, family, child)
    consent = consents.grant_consent(
        session, actor=family.regisseur, body=ConsentCreate.model_validate({
            "subject_id": child, "categories": categories, "recipients": recipients,
            "purposes": ["hulpverlening", "netwerkbijeenkomst"], "grantor_ids": grantors,
            "evidence": {"method": "written", "reference": "toestemmingsformulier"},
            "valid_from": starts, "valid_until": until}))
    return consent.id


WORRIES = {  # category -> (concern, text) the partners would write
    "onderwijs": ("medium", "Vaak te laat op school en moe in de klas."),
    "ontwikkeling": ("low", "Taalontwikkeling loopt iets achter; logopedie loopt."),
    "financien": ("medium", "Betalingsachterstand bij de energieleverancier."),
    "huisvesting": ("medium", "Huurachterstand van drie maanden; vochtproblemen in huis."),
    "opvoeding": ("low", "Ouders vragen hulp bij grenzen stellen."),
    "psychische_gezondheid": ("medium", "Somberheid; wachtlijst voor behandeling."),
    "veiligheid": ("high", "Blauwe plekken op de bovenarm, geen duidelijke verklaring."),
}


def _observe(session: Session, who: Principal, child: str, category: str, on: date,
             concern: str | None = None) -> str:
    level, text = WORRIES[category]
    return observations.submit_observation(
        session, actor=who, body=ObservationCreate.model_validate({
            "subject_id": child, "category": category, "concern": concern or level,
            "observed_on": on, "body": text})).observation.id


def _meeting(session: Session, family: Family, cast: Cast, *, slot_day: int,
             invite_family: bool = True, also: tuple[str, ...] = ()) -> Any:
    start = datetime.combine(local_day(now()) + timedelta(days=slot_day), time(14),
                             tzinfo=LEGAL_ZONE)
    invitees: list[dict[str, Any]] = [{"organisation_id": cast.org(k)}
                                      for k in ("school", "huisarts", "jggz", *also)]
    if invite_family:
        invitees += [{"member_id": m, "required": False} for m in family.parents]
    return meetings.create_meeting(
        session, actor=family.regisseur, body=MeetingCreate.model_validate({
            "household_id": family.household_id, "title": "Netwerkbijeenkomst",
            "duration_minutes": 90, "location": "Wijkcentrum De Brug",
            "slots": [{"start": start}, {"start": start + timedelta(days=2)}],
            "invitees": invitees}))


def _outcome(session: Session, family: Family, cast: Cast, meeting_id: str, *,
             assessment: bool, evaluation_in_days: int, due_in_days: tuple[int, int] = (21, 28),
             family_group_plan_id: str | None = None) -> Plan:
    body = OutcomeCreate.model_validate({
        "analysis": {"child_needs": "Rust, structuur en een vaste plek om huiswerk te maken.",
                     "parenting_capacity": "Ouders zijn betrokken maar overbelast door "
                                           "geldzorgen.",
                     "family_environment": "Klein netwerk; oma woont in de buurt en helpt."},
        "signs_of_safety": {"worries": ["Spanningen thuis over geld"],
                            "strengths": ["Ouders staan open voor hulp", "Oma helpt"],
                            "next_steps": ["Schuldhulp aanmelden", "Huisbezoek"],
                            "safety_scale": 6 if assessment else 8},
        "zrm": {"financien": 2, "huisvesting": 3, "onderwijs": 3, "opvoeding": 3},
        "safety_assessment": {"instrument": "LIRIK", "outcome": "risico",
                              "rationale": "Zorgen zijn er, ouders werken mee aan het plan."}
        if assessment else None,
        "plan": {"perspective": "De kinderen groeien veilig op in een rustig huis.",
                 "goals": [{"priority": 1, "domain": "financien",
                            "description": "Geen nieuwe schulden; een vast budgetplan.",
                            "subject_ids": family.parents},
                           {"priority": 2, "domain": "onderwijs",
                            "description": "Elke dag op tijd op school.",
                            "subject_ids": family.children}],
                 "actions": [{"goal": 1, "description": "Aanmelden bij schuldhulp.",
                              "owner_organisation_id": cast.org("wijkteam"),
                              "due": local_day(now()) + timedelta(days=due_in_days[0])},
                             {"goal": 2, "description": "Wekelijks contact mentor en ouders.",
                              "owner_organisation_id": cast.org("school"),
                              "due": local_day(now()) + timedelta(days=due_in_days[1])}]},
        "regisseur_id": family.regisseur.professional_id,
        "family_group_plan_id": family_group_plan_id,
        "next_evaluation": local_day(now()) + timedelta(days=evaluation_in_days)})
    return plans.record_outcome(session, actor=family.regisseur, meeting_id=meeting_id,
                                body=body)


def _meldcode(session: Session, family: Family, cast: Cast, child: str, signal: str, *,
              override: bool) -> str:
    teacher = cast.act("partner")
    case = meldcode.open_case(session, actor=teacher, body=CaseCreate(child_id=child))
    texts = {1: "Signalen vastgelegd: blauwe plekken, teruggetrokken gedrag.",
             2: "Collegiale consultatie met de aandachtsfunctionaris; Veilig Thuis geraadpleegd.",
             3: "Gesprek met moeder: zij herkent de spanningen thuis.",
             4: "Afgewogen met het afwegingskader.",
             5: "Besloten te melden en hulp te organiseren."}
    for number in range(1, 5 if override else 6):
        extra: dict[str, Any] = {}
        if number == 1:
            extra["observation_ids"] = [signal]
        if number == 4:
            extra["answers"] = {"vermoeden": True, "acuut_of_structureel_onveilig": True,
                                "hulp_mogelijk": True, "hulp_geaccepteerd": True,
                                "hulp_leidt_tot_veiligheid": False}
        if number == 5:
            extra["decision"] = "melden_en_hulp"
        meldcode.record_step(session, actor=teacher, case_id=case.id, body=StepCreate(
            step=number, content=texts[number], **extra))
    if override:
        _override(session, cast, case.id, child, approve=True)
    return case.id


def _override(session: Session, cast: Cast, case_id: str, child: str, *, approve: bool
              ) -> None:
    """The teacher asks to share with Veilig Thuis; the aandachtsfunctionaris approves (or
    has yet to: then it waits on their start page)."""
    view = meldcode.request_override(session, actor=cast.act("partner"), case_id=case_id,
                                     body=OverrideCreate.model_validate({
        "subject_ids": [child], "categories": ["gezondheid", "veiligheid"],
        "recipients": [{"organisation_id": cast.org("veilig_thuis")}],
        "justification": "Veilig Thuis moet het letsel kunnen duiden.",
        "valid_until": now() + timedelta(days=21),
        "inform_parents": {"planned_on": local_day(now()) + timedelta(days=2)}}))
    if approve:
        meldcode.approve_override(session, actor=cast.act("aandachtsfunctionaris"),
                                  override_id=view.override.id)


# --- The path of help, from intake to closure -----------------------------------------------
# Six stories, one per family number, show each criterion of the inspection framework in each
# state the quality dashboard knows; every further family gets an ordinary, well-kept file.
# A story is a generator: it yields the day of its next step, and `Story.until` runs its steps
# in between the family's other events, each under the clock of its own day.

EXEMPLARY = 1  # every criterion met
RECENT = 2  # asked for help two weeks ago, after the school saw signs of violence
SEED_002 = 3  # signals of violence, Veilig Thuis hands back, light help, a child unheard
CLOSED = 4  # help ended with aftercare; the family group plan declined without a plan after
DRIFTING = 5  # no intake on file; the evaluation found it unsafe, nothing adjusted since
ESCALATED = 6  # unsafe: escalated to Veilig Thuis; a second regisseur; the plan stalls

Steps = Generator[int, None, None]


@dataclass
class Story:
    """One family's path of help as it unfolds, and what its steps need of the family's
    other events (the partners' signals, the plan made in a meeting)."""

    session: Session
    cast: Cast
    family: Family
    number: int
    signals: list[str] = field(default_factory=list)  # partners' signals, oldest first
    plan: Plan | None = None
    family_group_plan: str | None = None  # the one received: the meeting's plan builds on it
    steps: Steps | None = None
    next_day: int | None = None

    def begin(self) -> None:
        self.steps = PATHS.get(self.number, _ordinary)(self)
        self.next_day = next(self.steps, None)

    def until(self, day: int) -> None:
        """Run the steps that come before `day`, each on its own day."""
        while self.steps is not None and self.next_day is not None and self.next_day < day:
            with on_day(self.next_day):
                self.next_day = next(self.steps, None)

    @property
    def regisseur(self) -> Principal:
        return self.family.regisseur

    @property
    def household(self) -> str:
        return self.family.household_id


def _voiced(story: Story) -> list[str]:
    """The children old enough to take part and to be spoken to (policy: from 4), today."""
    today, policy = local_day(now()), audit_context(story.session).policy
    born = {m.id: m.birth_date for m in households.members_of(story.session, story.household)}
    return [c for c in story.family.children
            if today.year - born[c].year - ((today.month, today.day)
                                            < (born[c].month, born[c].day))
            >= policy.safety.child_voice_from_age]


def _intake(story: Story, *, question: str, with_children: bool = True,
            domains: list[str] | None = None, zrm_for: list[str] | None = None,
            worries: tuple[str, ...] = ()) -> None:
    """The help request formulated with the parents (and the children, if `with_children`),
    on the life domains `domains` (default: all), ZRM for the adults `zrm_for` (default:
    every parent), the uniform safety questions answered: `worries` are the questions
    answered the way that demands a full safety assessment."""
    policy = audit_context(story.session).policy
    answers = {q.id: q.full_assessment_when if q.id in worries
               else not q.full_assessment_when for q in policy.safety.questions}
    scores = {"financien": 2, "huisvesting": 3, "opvoeding": 3, "sociaal_netwerk": 3,
              "psychische_gezondheid": 4}
    care.record_help_request(story.session, actor=story.regisseur, household_id=story.household,
                             body=HelpRequestCreate.model_validate({
        "question": question,
        "formulated_with": story.family.parents + (_voiced(story) if with_children else []),
        "life_domains": care.life_domains(policy) if domains is None else domains,
        "safety_questions": answers,
        "zrm_by_member": {m: scores for m in (story.family.parents if zrm_for is None
                                              else zrm_for)}}))


def _assess(story: Story, outcome: str, scale: int, rationale: str) -> None:
    care.record_safety_assessment(
        story.session, actor=story.regisseur, household_id=story.household,
        body=SafetyAssessmentCreate(instrument="LIRIK", outcome=outcome, safety_scale=scale,
                                    rationale=rationale))


def _speak(story: Story, child: str, *, place: str = "thuis") -> None:
    """A kindgesprek: the child seen and spoken, in the child's own words."""
    care.record_child_contact(
        story.session, actor=story.regisseur, household_id=story.household,
        body=ChildContactCreate.model_validate({
            "child_id": child, "on": local_day(now()), "seen": True, "spoken": True,
            "place": place, "view": ChildView(
                worries="Thuis wordt vaak geschreeuwd over geld.",
                good_things="Voetbal op woensdag, en oma.",
                wishes="Dat papa en mama minder ruzie maken.")}))


def _family_group_plan(story: Story, status: FamilyGroupPlanStatus, *,
                       note: str | None = None, reference: str | None = None) -> str:
    decided = story.family.parents if status == FamilyGroupPlanStatus.DECLINED else []
    return care.record_family_group_plan(
        story.session, actor=story.regisseur, household_id=story.household,
        body=FamilyGroupPlanCreate(status=status, on=local_day(now()), decided_by=decided,
                                   note=note, reference=reference)).id


def _feedback(story: Story, signal: str, outcome: FeedbackOutcome) -> None:
    care.give_feedback(story.session, actor=story.regisseur, household_id=story.household,
                       body=FeedbackCreate(observation_id=signal, outcome=outcome))


def _evaluate(story: Story, *, participants: list[str], safety: tuple[str, int],
              needs_changed: bool, next_in_days: int) -> None:
    today = local_day(now())
    care.record_evaluation(story.session, actor=story.regisseur, household_id=story.household,
                           body=EvaluationCreate(
        on=today, participants=participants,
        goals=[GoalScore(priority=1, start=3, now=6), GoalScore(priority=2, start=4, now=7)],
        safety_outcome=safety[0], safety_scale=safety[1], needs_changed=needs_changed,
        next_evaluation=today + timedelta(days=next_in_days)))


def _other_plan(story: Story, organisation: str, kind: OtherPlanKind, reference: str, *,
                linked: bool) -> None:
    care.register_other_plan(story.session, actor=story.regisseur, household_id=story.household,
                             body=OtherPlanCreate(
        organisation_id=story.cast.org(organisation), kind=kind, reference=reference,
        contact="Via het secretariaat", linked=linked, since=local_day(now())))


def _exemplary(story: Story) -> Steps:
    """Every criterion met: the help request with the whole family on every life domain, a
    full assessment as an answer demanded, the child heard, the family's own plan the basis
    of the plan, the GP, school and youth health care asked, every signal answered, and an
    evaluation with the family that compares the safety at the start with now."""
    yield 2
    _intake(story, question="Ouders willen rust in huis en grip op de schulden.",
            worries=("eerder_veilig_thuis",))
    yield 5  # the answer 'known to Veilig Thuis before' demands a full assessment
    _assess(story, "risico", 6, "Eerder bekend bij Veilig Thuis (2022); nu geen acute zorgen, "
            "wel spanning over geld.")
    yield 6
    _family_group_plan(story, FamilyGroupPlanStatus.OFFERED)
    yield 8
    for child in _voiced(story):
        _speak(story, child, place="school")
    yield 12
    _feedback(story, story.signals[0], FeedbackOutcome.MEETING)
    yield 20  # the debt counselling's own plan, attuned to the family's one plan
    _other_plan(story, "schuldhulp", OtherPlanKind.PLAN, "Schuldhulptraject SH-2026-118",
                linked=True)
    yield 38
    story.family_group_plan = _family_group_plan(  # the meeting's plan builds on it
        story, FamilyGroupPlanStatus.RECEIVED, reference="Familiegroepsplan gezin, versie 1")
    yield 80  # both actions done, each by the organisation that owns it
    assert story.plan is not None, "the exemplary family's meeting was held on day 57"
    for action in plans.plan_actions(story.session, story.plan):
        owner = story.regisseur if action.owner_organisation_id == story.cast.org(
            "wijkteam") else story.cast.act("partner")
        plans.update_action(story.session, actor=owner, action_id=action.id,
                            body=ActionUpdate(status=ActionStatus.DONE))
    yield 100
    _evaluate(story, participants=story.family.parents + _voiced(story),
              safety=("veilig", 8), needs_changed=False, next_in_days=60)


def _recent(story: Story) -> Steps:
    """The school saw signs of violence; the family asked for help two weeks ago: the full
    assessment the answers demand and the talks with the children are due, the family group
    plan offered, the school's new signal awaits its feedback."""
    yield 20
    _feedback(story, story.signals[0], FeedbackOutcome.NO_ACTION)
    yield 110
    _observe(story.session, story.cast.act("partner"), story.family.children[0], "veiligheid",
             local_day(now()))
    yield 112
    _intake(story, question="Moeder wil hulp: de oudste zoon is thuis agressief.",
            worries=("zorgen_veiligheid", "kind_bang"))
    yield 114
    _family_group_plan(story, FamilyGroupPlanStatus.OFFERED)
    yield 115
    _speak(story, _voiced(story)[0])


def _seed_002(story: Story) -> Steps:
    """The pattern of the inspection's finding (seed 002): the school's signals of violence
    reported to Veilig Thuis, which hands the family back; light help on a help request
    whose safety answers ask for no full assessment, none made; one child never spoken; the
    school never hears what was done with its signals."""
    teacher = story.cast.act("partner")
    yield 45  # the school follows the meldcode and reports
    case = _meldcode(story.session, story.family, story.cast, story.family.children[0],
                     story.signals[-1], override=False)
    yield 70
    meldcode.record_handback(story.session, actor=teacher, case_id=case,
                             body=HandbackCreate(on=local_day(now())))
    yield 72  # light help, formulated with the mother alone, on a few life domains
    _intake(story, question="Moeder vraagt hulp bij opvoeding en geldzaken.",
            with_children=False, domains=["opvoeding", "onderwijs", "financien"])
    yield 80
    _speak(story, _voiced(story)[0])


def _closed(story: Story) -> Steps:
    """Help that ended well: intake with the whole family, the child heard, the school
    answered; the family declined a family group plan and no plan was made with them; the
    help closed with aftercare by youth health care."""
    yield 4
    _intake(story, question="Ouders willen hulp bij de huurachterstand en de opvoeding.")
    yield 8
    _family_group_plan(story, FamilyGroupPlanStatus.OFFERED)
    yield 12
    for child in _voiced(story):
        _speak(story, child)
    yield 14
    _feedback(story, story.signals[0], FeedbackOutcome.REFERRED)
    yield 20
    _family_group_plan(story, FamilyGroupPlanStatus.DECLINED,
                       note="Ouders willen familie en vrienden er niet bij betrekken.")
    yield 100
    care.close_help(story.session, actor=story.regisseur, household_id=story.household,
                    body=ClosureCreate(reason=ClosureReason.NAZORG,
                                       aftercare_organisation_id=story.cast.org("jgz"),
                                       note="De jeugdverpleegkundige volgt het gezin nog "
                                            "een half jaar."))


def _drifting(story: Story) -> Steps:
    """No help request on file, no family group plan offered; the children heard at the
    meeting; another organisation's plan not attuned; the evaluation found it unsafe and
    the needs changed, yet there is no new plan and no escalation."""
    yield 60
    for child in _voiced(story):
        _speak(story, child)
    yield 65
    _other_plan(story, "jggz", OtherPlanKind.PLAN, "Behandelplan J-GGZ 44817", linked=False)
    yield 70
    _evaluate(story, participants=story.family.parents[:1],
              safety=("onveilig_structureel", 4), needs_changed=True, next_in_days=40)


def _escalated(story: Story) -> Steps:
    """An unsafe assessment after the school's signal, escalated to Veilig Thuis; the youth
    mental health service says it directs the help too; the family declined a family group
    plan and the plan was made with them; the evaluation, without the family, found the
    needs changed; the plan's actions have stalled for two months."""
    yield 2
    _intake(story, question="Ouders vragen hulp: veel ruzie, de kinderen spijbelen.",
            zrm_for=story.family.parents[:1])
    yield 6
    _family_group_plan(story, FamilyGroupPlanStatus.OFFERED)
    yield 9
    for child in _voiced(story):
        _speak(story, child)
    yield 15
    _family_group_plan(story, FamilyGroupPlanStatus.DECLINED,
                       note="Ouders schamen zich tegenover de familie.")
    yield 20
    _feedback(story, story.signals[0], FeedbackOutcome.IN_PLAN)
    yield 43  # after the school's signal of violence
    _assess(story, "onveilig_structureel", 3, "Letsel zonder verklaring; ouders ontkennen, "
            "de spanning thuis loopt op.")
    yield 44
    escalation = care.record_escalation(
        story.session, actor=story.regisseur, household_id=story.household,
        body=EscalationCreate(to=EscalationTo.VEILIG_THUIS, why=EscalationReason.UNSAFE,
                              on=local_day(now()),
                              reason="Structureel onveilig; vrijwillige hulp alleen is niet "
                                     "genoeg."))
    _feedback(story, story.signals[-1], FeedbackOutcome.REFERRED)
    yield 45
    _other_plan(story, "jggz", OtherPlanKind.REGISSEUR, "Zorgcoördinatie J-GGZ 50211",
                linked=False)
    yield 60
    care.record_escalation_outcome(
        story.session, actor=story.regisseur, escalation_id=escalation.id,
        body=EscalationOutcome(outcome="Veilig Thuis onderzoekt; de hulp gaat door met "
                                       "afspraken over veiligheid.", on=local_day(now())))
    yield 110
    _evaluate(story, participants=[], safety=("risico", 5), needs_changed=True,
              next_in_days=40)


def _ordinary(story: Story) -> Steps:
    """A well-kept file: the help request with the family, the family group plan offered
    (accepted or declined), the children heard, the school's first signal answered; some
    families close on their own after a safe assessment."""
    yield 2
    _intake(story, question="Het gezin wil meer rust en structuur in huis.")
    yield 6
    _family_group_plan(story, FamilyGroupPlanStatus.OFFERED)
    yield 9
    for child in _voiced(story):
        _speak(story, child)
    yield 12
    _feedback(story, story.signals[0], FeedbackOutcome.IN_PLAN)
    yield 20
    if story.number % 2:
        _family_group_plan(story, FamilyGroupPlanStatus.ACCEPTED)
    else:
        _family_group_plan(story, FamilyGroupPlanStatus.DECLINED,
                           note="Het gezin wil het eerst zelf proberen.")
    if story.number % 10 == 9 and story.number > 10:  # no meeting needed: they go on alone
        yield 98
        _assess(story, "veilig", 8, "Geen zorgen meer over de veiligheid.")
        yield 100
        care.close_help(story.session, actor=story.regisseur, household_id=story.household,
                        body=ClosureCreate(reason=ClosureReason.ZELFSTANDIG))


PATHS: dict[int, Callable[[Story], Steps]] = {
    EXEMPLARY: _exemplary, RECENT: _recent, SEED_002: _seed_002, CLOSED: _closed,
    DRIFTING: _drifting, ESCALATED: _escalated}


def _story(session: Session, cast: Cast, faker: Faker, rnd: random.Random, number: int) -> None:
    """One family's four months. Numbers pick the variant, so every state occurs; the path
    of help (`PATHS`) runs in between, each step on its day."""
    with on_day(0):
        family = _family(session, faker, rnd, cast, number)
    story = Story(session, cast, family, number)
    story.begin()
    child = family.children[0]
    school = cast.act("partner")
    worried = number % 6 == 0 or number == SEED_002  # the school sees signals of violence
    with on_day(3):
        # The school knows the child: the family lets it see the child's name too.
        _consent(session, family, child, ["basisgegevens", "onderwijs", "ontwikkeling"]
                 + (["veiligheid"] if worried or number == RECENT else []),
                 [{"party": "wijkteam"}, {"organisation_id": cast.org("school")}])
        if number % 4 == 0:  # consent that ran out weeks ago
            _consent(session, family, child, ["huisvesting"],
                     [{"organisation_id": cast.org("woningcorporatie")}],
                     until=now() + timedelta(days=40))
    story.until(10)
    with on_day(10):
        story.signals.append(_observe(session, school, child, "onderwijs", local_day(now())))
        _observe(session, family.regisseur, child, "financien", local_day(now()))
        if number % 5 == 1:  # consent given, then withdrawn
            consent = _consent(session, family, child, ["psychische_gezondheid"],
                               [{"organisation_id": cast.org("jggz")}])
    if number % 5 == 1:
        with on_day(30):
            consents.withdraw_consent(session, actor=family.regisseur, consent_id=consent,
                                      grantor_id=_signers(session, family, child)[0],
                                      reason="Ouder wil dit niet meer delen.")
    signal = None
    story.until(40)
    if worried:  # signals of violence, seen at school
        with on_day(40):
            signal = _observe(session, school, child, "veiligheid", local_day(now()))
            story.signals.append(signal)
            if number % 12 == 0:
                case_id = _meldcode(session, family, cast, child, signal,
                                    override=number == 12)
        if number == 12:  # lately: one override in force, a second awaiting approval
            with on_day(STORY_DAYS - 4):
                _override(session, cast, case_id, child, approve=True)
            with on_day(STORY_DAYS - 1):
                _override(session, cast, case_id, child, approve=False)
    variant = number % 5
    story.until(50)
    if variant in (0, 1):  # a meeting held, a plan
        with on_day(50):  # the family of the declined family group plan takes part
            view = _meeting(session, family, cast, slot_day=7,
                            invite_family=number == ESCALATED,
                            also=("jgz",) if number == EXEMPLARY else ())
        with on_day(52):
            meetings.schedule_meeting(session, actor=family.regisseur,
                                      meeting_id=view.meeting.id,
                                      body=ScheduleIn(slot_id=view.slots[0].id))
        with on_day(57, hour=16):
            story.plan = _outcome(session, family, cast, view.meeting.id,
                                  assessment=signal is not None or variant == 0,
                                  evaluation_in_days=40 if variant == 0 else 90,
                                  due_in_days=(2, 9) if number == ESCALATED else (21, 28),
                                  family_group_plan_id=story.family_group_plan)
    elif number % 10 == 4:  # cancelled
        with on_day(60):
            view = _meeting(session, family, cast, slot_day=5, invite_family=False)
            meetings.cancel_meeting(session, actor=family.regisseur,
                                    meeting_id=view.meeting.id)
    story.until(STORY_DAYS - 2)
    if variant == 2:  # polling: the school answered
        with on_day(STORY_DAYS - 2):
            view = _meeting(session, family, cast, slot_day=10)
            meetings.record_availability(session, actor=school, meeting_id=view.meeting.id,
                                         body=AvailabilityIn.model_validate({"answers": [
                                             {"slot_id": s.id, "answer": "yes"}
                                             for s in view.slots]}))
    elif variant == 3:  # scheduled in two weeks
        with on_day(STORY_DAYS - 5):
            view = _meeting(session, family, cast, slot_day=14, invite_family=False)
            meetings.schedule_meeting(session, actor=family.regisseur,
                                      meeting_id=view.meeting.id,
                                      body=ScheduleIn(slot_id=view.slots[1].id))
    if number == 3:  # the regisseur asks the GP what it knows (the family agreed to naming)
        with on_day(STORY_DAYS - 6):
            _consent(session, family, child, ["basisgegevens"],
                     [{"organisation_id": cast.org("huisarts")}])
            information.ask(session, actor=family.regisseur, body=InformationRequestCreate(
                subject_id=child, categories=["gezondheid", "ontwikkeling"],
                holder_organisation_id=cast.org("huisarts"), purpose="hulpverlening",
                reason="Is de huisarts bekend met de klachten over hoofdpijn en slapen?"))
    if number == 9:  # the court placed the child under supervision: the GI's legal ground,
        with on_day(60):  # registered by the regisseur, who received the decision
            mandates.register(session, actor=family.regisseur, body=MandateCreate(
                subject_id=child, kind=MandateKind.OTS, organisation_id=cast.org("gi"),
                reference="C/09/612345 JE RK 26-1234", valid_from=local_day(now()),
                valid_until=local_day(now()) + timedelta(days=365)))
    if number == 11 and len(family.parents) == 2:  # the court gave custody to one parent:
        with on_day(STORY_DAYS - 15):  # consents the other signed are to be asked again
            custody.change_custody(session, actor=family.regisseur,
                                   household_id=family.household_id, body=CustodyChange(
                                       custody=[CustodyLink(custodian=family.parents[0],
                                                            child=c) for c in family.children],
                                       court_decision=CourtDecisionIn(
                                           reference="C/09/623456 FA RK 26-2345",
                                           date=local_day(now()))))
    if number == 7:  # a parent asked for the file to be destroyed; the FG decides
        with on_day(STORY_DAYS - 10):
            destruction.request_destruction(session, member=transparency.member_principal(
                family.parents[0]))
    if number % 7 == 3:  # signed today, in force from next week
        with on_day(STORY_DAYS - 1):
            _consent(session, family, child, ["financien"],
                     [{"organisation_id": cast.org("schuldhulp")}],
                     starts=now() + timedelta(days=7))
    story.until(STORY_DAYS)
    with on_day(STORY_DAYS - 1):  # the partners look: disclosures and refusals in the log
        for who in (school, cast.act("huisarts")):
            with suppress(NotFound):  # the GP is involved with some families only
                observations.household_observations(session, actor=who,
                                                    household_id=family.household_id)


def fill(begin: Callable[[], Any], policy: Policy, *, households_count: int = 50,
         seed: int = 2026, progress: Callable[[int], None] | None = None) -> Cast:
    """Make the demo municipality: the cast in one transaction, then one per family.
    `begin()` opens a transaction (a context manager yielding a session)."""
    with begin() as session:
        if not is_empty(session):
            raise NotEmpty("This database holds data already: the demo fills empty ones only.")
        create_cast(session, policy)
    faker, rnd = Faker("nl_NL"), random.Random(seed)
    faker.seed_instance(seed)
    for number in range(1, households_count + 1):
        with begin() as session:
            _story(session, load_cast(session), faker, rnd, number)
        if progress:
            progress(1)
    with begin() as session:
        cast = load_cast(session)
        if households_count:  # a family page to look at, as a parent would
            cast.family_link = family_link(session, cast)
        return cast


class NoSuchFamily(Exception):
    """The demo has no family or parent with that number."""


def is_demo(session: Session) -> bool:
    """The database holds the demo municipality (its administrator exists)."""
    return identity.get_professional_by_email(session, ACCOUNTS[-1].email) is not None


def family_link(session: Session, cast: Cast, *, family: int = 1, parent: int = 1) -> str:
    """A fresh personal link (used once) for parent `parent` of the demo's `family`-th
    family (in the order they were made; 1, 1 is the first family's mother), made by the
    family's regisseur and not e-mailed: the caller prints it."""
    found = session.scalars(select(Household.id).order_by(Household.created_at)
                            .offset(family - 1).limit(1)).first() if family >= 1 else None
    if found is None:
        raise NoSuchFamily(f"The demo has no family number {family}.")
    parents = [m for m in households.members_of(session, found) if m.role == "parent"]
    if not 1 <= parent <= len(parents):
        raise NoSuchFamily(f"Family {family} has no parent number {parent}.")
    directing = households.current_regisseur(session, found).professional_id
    regisseur = next(p for _, p in cast.people.values() if p.professional_id == directing)
    return transparency.create_link(session, actor=regisseur, household_id=found,
                                    member_id=parents[parent - 1].id, send=False).url


# --- The large synthetic municipality (benchmarks) ------------------------------------------

SYNTHETIC_BATCH = 500  # households per transaction
EVENTS_PER_HOUSEHOLD = 100  # 100k households: 10M audit events
SYNTHETIC_CATEGORIES = ["onderwijs", "ontwikkeling", "opvoeding", "financien", "gezondheid"]


def fill_synthetic(begin: Callable[[], Any], *, households_count: int, seed: int = 7,
                   progress: Callable[[int], None] | None = None) -> None:
    """Households written in bulk (Core inserts, 500 per transaction) for the scale
    benchmark: two parents and two children each, ten consents (1M at 100k households), two
    sealed observations, and a hundred audit events (10M) through the real `record_all` —
    sequenced into the Merkle tree afterwards, so `broker audit verify` holds."""
    from broker.audit.recording import Action, Record, record_all
    from broker.audit.sequencer import sequence_pending
    from broker.consent.models import Consent, ConsentGrantor
    from broker.db import new_id
    from broker.households.models import Custody, Household, Member, RegisseurAssignment
    from broker.observations.models import Observation
    from broker.vault.service import DataKey, data_key

    rnd, faker = random.Random(seed), Faker("nl_NL")
    faker.seed_instance(seed)
    given, families = [faker.first_name() for _ in range(500)], [faker.last_name()
                                                                 for _ in range(500)]
    with begin() as session:
        cast = load_cast(session)
    school, gp = cast.act("partner"), cast.act("huisarts")
    regisseurs = [cast.act("regisseur"), cast.act("regisseur2")]
    today, at = local_day(now()), now()
    for first in range(0, households_count, SYNTHETIC_BATCH):
        size = min(SYNTHETIC_BATCH, households_count - first)
        rows: dict[type, list[dict[str, Any]]] = {t: [] for t in (
            Household, Member, Custody, RegisseurAssignment, Consent, ConsentGrantor)}
        events: list[Record] = []
        observations: list[tuple[str, str, str]] = []  # household, subject, category
        for n in range(first, first + size):
            household, regisseur = new_id(), regisseurs[n % 2]
            surname = families[rnd.randrange(500)]
            rows[Household].append({"id": household, "label": f"Gezin {surname[0]}. ({n})",
                                    "created_by_organisation_id": cast.org("wijkteam"),
                                    "created_at": at})
            parents, children = [new_id(), new_id()], [new_id(), new_id()]
            for ref, member, born, role in (
                    ("p1", parents[0], rnd.randint(27, 48) * 365, "parent"),
                    ("p2", parents[1], rnd.randint(27, 48) * 365, "parent"),
                    ("c1", children[0], rnd.randint(1, 11) * 365 + 40, "child"),
                    ("c2", children[1], rnd.randint(1, 11) * 365 + 40, "child")):
                rows[Member].append({"id": member, "household_id": household, "ref": ref,
                                     "given_name": given[rnd.randrange(500)],
                                     "family_name": surname,
                                     "birth_date": today - timedelta(days=born), "role": role,
                                     "bsn": None, "email": None})
            rows[Custody] += [{"id": new_id(), "household_id": household, "custodian_id": p,
                               "child_id": c} for c in children for p in parents]
            rows[RegisseurAssignment].append({
                "id": new_id(), "household_id": household,
                "professional_id": regisseur.professional_id,
                "organisation_id": regisseur.organisation_id, "assigned_at": at,
                "assigned_by": regisseur.actor_id, "team_id": min(regisseur.team_ids)})
            consent_ids = []
            for child in children:
                for category in SYNTHETIC_CATEGORIES:
                    consent = new_id()
                    consent_ids.append(consent)
                    recipient = cast.org("school" if category in ("onderwijs", "ontwikkeling")
                                         else "huisarts")
                    rows[Consent].append({
                        "id": consent, "household_id": household, "subject_id": child,
                        "categories": [category],
                        "recipients": [{"organisation_id": recipient, "party": None}],
                        "purposes": ["hulpverlening"], "evidence_method": "written",
                        "evidence_reference": None, "recorded_by": regisseur.actor_id,
                        "recorded_by_organisation_id": regisseur.organisation_id,
                        "meeting_id": None, "valid_from": at - timedelta(days=30),
                        "valid_until": at + timedelta(days=335), "created_at": at})
                    rows[ConsentGrantor] += [{"consent_id": consent, "member_id": p}
                                             for p in parents]
            observations += [(household, children[0], "onderwijs"),
                             (household, children[1], "gezondheid")]
            people = parents + children
            for i in range(EVENTS_PER_HOUSEHOLD):
                who = (school, gp)[i % 2]
                events.append(Record(
                    Action.DISCLOSURE, who, subject_id=people[i % 4],
                    categories=[SYNTHETIC_CATEGORIES[i % 5]], purpose="hulpverlening",
                    effect="permit", basis="consent", consent_ids=[consent_ids[i % 10]],
                    recipient_organisation_id=who.organisation_id,
                    object_type="observation", object_id=household))
        with begin() as session:
            for table, values in rows.items():
                session.execute(insert(table), values)
            keys: dict[str, DataKey] = {}
            sealed = []
            for household, subject, category in observations:
                observation = new_id()
                key = keys.get(subject) or keys.setdefault(
                    subject, data_key(session, household, subject))
                sealed.append({
                    "id": observation, "household_id": household, "subject_id": subject,
                    "category": category, "concern": "low", "observed_on": today,
                    "body": key.seal(f"observation:{observation}", WORRIES.get(
                        category, ("low", "Gaat goed op school."))[1]),
                    "submitted_by": regisseurs[0].actor_id,
                    "submitted_by_organisation_id": cast.org("wijkteam"),
                    "submitted_by_party": "wijkteam", "meeting_id": None,
                    "contribution": None, "created_at": at, "person_key": True})
            session.execute(insert(Observation), sealed)
            record_all(session, events)
        with begin() as session:
            sequence_pending(session)
        if progress:
            progress(size)
