"""Issue 10 item 3 (and issue 18 acceptance 7): a hypothesis state machine drives the real
services — consents granted and withdrawn, overrides requested (urgent or not, to the
recipients the policy allows or with a named legal ground), approved, revoked and running
out, mandates of Veilig Thuis and a GI registered and ended, children having birthdays,
meetings inviting organisations and being cancelled — and after every step checks each
decision (`POST /decisions`' service), for information held by the regisseur's organisation,
by the school or by nobody alone, and who is involved with the family against a model written
here from DOMAIN.md and the policy, sharing no code with the broker. Runs in a transaction
rolled back after each example."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from broker.audit.context import INFO_KEY
from broker.clock import frozen_at
from broker.consent import service as consent
from broker.consent.schemas import ConsentCreate, DecisionCreate
from broker.errors import BrokerError
from broker.households import service as households
from broker.households.schemas import HouseholdCreate
from broker.identity import service as identity
from broker.identity.principal import Principal, PrincipalKind
from broker.mandates import service as mandates
from broker.mandates.schemas import MandateCreate
from broker.meetings import service as meetings
from broker.meetings.schemas import MeetingCreate
from broker.meldcode import service as meldcode
from broker.meldcode.schemas import CaseCreate, OverrideCreate, StepCreate
from broker.policy import Policy
from tests.soak import note, scaled

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
# The children turn 12 and 16 a few weeks into the run; the parents are adults.
BORN = {"m": date(1985, 5, 1), "f": date(1983, 8, 9), "c1": date(2014, 12, 20),
        "c2": date(2010, 12, 25)}
CUSTODY = {"c1": {"m", "f"}, "c2": {"m", "f"}}
CATEGORIES = {"onderwijs": 730, "gezondheid": 365}  # category -> longest consent (days)
OVERRIDE_MAX_DAYS, URGENT_REVIEW_HOURS = 28, 48
PARTNERS = ("school", "huisarts", "veilig_thuis", "gi")
# Whom a holder may tell by default (Veilig Thuis), in acute danger (also the police, not
# modelled), and the mandates: kind -> (party holding it, purpose it serves, whether the
# regisseur's organisation must give its own information, longest term in days). Both
# kinds' categories include every category modelled here (policies/parties.yaml).
DEFAULT_RECIPIENTS, URGENT_RECIPIENTS = {"veilig_thuis"}, {"veilig_thuis", "politie"}
MANDATES = {"vt_report": ("veilig_thuis", "meldcode", False, 182),
            "ots": ("gi", "jeugdbescherming", True, 366)}
PURPOSE = {"school": "hulpverlening", "huisarts": "hulpverlening",
           "veilig_thuis": "meldcode", "gi": "jeugdbescherming"}
STEPS = {"calls": 0, "checked": 0}  # service calls made, states checked against the model


def age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class ModelConsent:
    id: str
    subject: str
    category: str
    org: str
    grantors: frozenset[str]
    start: datetime
    until: datetime
    withdrawn: datetime | None = None

    def in_force(self, at: datetime) -> bool:
        return self.start <= at < self.until and (self.withdrawn is None or at < self.withdrawn)


@dataclass
class ModelOverride:
    id: str
    category: str
    org: str
    holder: str
    urgent: bool
    created: datetime
    until: datetime
    approved: datetime | None = None
    revoked: datetime | None = None

    def window(self) -> tuple[datetime, datetime] | None:
        """Approved: from approval to its end; urgent: at once, until the review deadline
        unless reviewed; a revocation ends it."""
        if self.urgent:
            start = self.created
            end = self.until if self.approved else min(
                self.until, self.created + timedelta(hours=URGENT_REVIEW_HOURS))
        elif self.approved:
            start, end = self.approved, self.until
        else:
            return None
        if self.revoked:
            end = min(end, self.revoked)
        return start, end

    def permits(self, at: datetime) -> bool:
        window = self.window()
        return window is not None and window[0] <= at < window[1]

    def status(self, at: datetime) -> str:
        if self.revoked:
            return "revoked"
        if at >= self.until:
            return "expired"
        if self.urgent and not self.approved and \
                at >= self.created + timedelta(hours=URGENT_REVIEW_HOURS):
            return "lapsed"
        return "active" if self.approved or self.urgent else "pending"


@dataclass
class ModelMandate:
    id: str
    ref: str
    kind: str
    org: str
    start: date
    until: date
    ended: date | None = None

    def in_force(self, day: date) -> bool:
        return self.start <= day < min(self.until, self.ended or date.max)


@dataclass
class Model:
    now: datetime = START
    ids: dict[str, str] = field(default_factory=dict)  # ref -> member id
    consents: list[ModelConsent] = field(default_factory=list)
    overrides: list[ModelOverride] = field(default_factory=list)
    mandates: list[ModelMandate] = field(default_factory=list)
    meetings: dict[str, tuple[str, bool]] = field(default_factory=dict)  # id -> org, cancelled
    owner: str = ""  # the regisseur's organisation: it holds the household record

    def today(self) -> date:
        return self.now.astimezone(AMSTERDAM).date()

    def required(self, ref: str) -> set[str]:
        """DOMAIN.md: adults and youths from 16 alone; 12 to 15 the youth and every
        custodian; under 12 every custodian."""
        years = age(BORN[ref], self.today())
        custodians = CUSTODY.get(ref, set())
        if years >= 16:
            return {ref}
        return ({ref} if years >= 12 else set()) | custodians

    def decide(self, ref: str, category: str, org: str, holder: str | None, purpose: str
               ) -> tuple[str, str | None, set[str], set[str], set[str]]:
        """(effect, basis, consent ids, override ids, mandate ids)."""
        if org == holder:
            return "permit", "own_submission", set(), set(), set()
        good = {c.id for c in self.consents if c.subject == ref and c.category == category
                and c.org == org and purpose == "hulpverlening" and c.in_force(self.now)
                and self.required(ref) <= c.grantors}
        if good:
            return "permit", "consent", good, set(), set()
        # An override releases only what its holder, the requesting organisation, holds.
        overriding = {o.id for o in self.overrides if ref == "c1" and o.category == category
                      and o.org == org and o.holder == holder and o.permits(self.now)}
        if overriding:
            return "permit", "override", set(), overriding, set()
        # A mandate is a ground to receive the child's data for its purpose: what the
        # regisseur's organisation must give (an OTS), never what another holder keeps secret
        # (a report registered by the team carries no reporter's information).
        grounds = {m.id for m in self.mandates if m.ref == ref and m.org == org
                   and MANDATES[m.kind][1] == purpose and m.in_force(self.today())
                   and MANDATES[m.kind][2] and holder in (None, self.owner)}
        if grounds:
            return "permit", "legal_duty", set(), set(), grounds
        return "deny", None, set(), set(), set()

    def involved(self, org: str) -> bool:
        return any(c.org == org and c.in_force(self.now) for c in self.consents) or any(
            o.org == org and o.permits(self.now) for o in self.overrides) or any(
            m.org == org and m.in_force(self.today()) for m in self.mandates) or any(
            invited == org and not cancelled for invited, cancelled in self.meetings.values())


class Broker(RuleBasedStateMachine):
    """The broker and the model side by side, with the clock frozen at the model's now."""

    engine: Engine
    app: FastAPI
    policy: Policy

    def __init__(self) -> None:
        super().__init__()
        self.connection = self.engine.connect()
        self.outer = self.connection.begin()
        self.session = Session(bind=self.connection, join_transaction_mode="create_savepoint",
                               expire_on_commit=False, info={INFO_KEY: self.app.state.audit})
        self.model = Model()

    def teardown(self) -> None:
        self.session.close()
        self.outer.rollback()
        self.connection.close()

    def call(self, work: Any, /, **kwargs: Any) -> Any:
        """One service call as one request: rolled back when it fails."""
        STEPS["calls"] += 1
        with frozen_at(self.model.now):
            savepoint = self.session.begin_nested()
            try:
                result = work(self.session, **kwargs)
            except BrokerError:
                savepoint.rollback()
                raise
            savepoint.commit()
            return result

    @initialize()
    def family(self) -> None:
        s, policy = self.session, self.policy
        with frozen_at(START):
            team = identity.create_organisation(s, name="Wijkteam", party="wijkteam",
                                                policy=policy)
            self.orgs = {party: identity.create_organisation(
                s, name=party, party=party, policy=policy) for party in PARTNERS}
            self.model.owner = team.id
            # The second pair of eyes is a colleague in the regisseur's team.
            south = identity.create_team(s, organisation_id=team.id, name="Team Zuid")
            people = {name: identity.create_professional(
                s, organisation_id=team.id, email=f"{name}@wijkteam.example", name=name,
                roles=roles, password=None, team_ids=[south.id]) for name, roles in (
                ("regisseur", ["regisseur", "aandachtsfunctionaris"]),
                ("tweede", ["aandachtsfunctionaris"]))}
            self.regisseur, self.second = (identity.professional_principal(s, team, people[n])
                                           for n in ("regisseur", "tweede"))
            household = households.create_household(s, actor=self.regisseur,
                                                     body=HouseholdCreate(
                label="Gezin", members=[
                    {"ref": ref, "given_name": ref, "family_name": "Model", "birth_date": born,
                     "role": "child" if ref.startswith("c") else "parent"}
                    for ref, born in BORN.items()],
                custody=[{"custodian": p, "child": c} for c, ps in CUSTODY.items()
                         for p in sorted(ps)]))
            self.household_id = household.id
            self.model.ids = {m.ref: m.id for m in households.members_of(s, household.id)}
            self.refs = {v: k for k, v in self.model.ids.items()}
            case = meldcode.open_case(s, actor=self.regisseur,
                                      body=CaseCreate(child_id=self.model.ids["c1"]))
            for number in range(1, 5):
                meldcode.record_step(s, actor=self.regisseur, case_id=case.id, body=StepCreate(
                    step=number, content="vastgelegd", answers={
                        "vermoeden": True, "acuut_of_structureel_onveilig": False,
                        "hulp_mogelijk": True, "hulp_geaccepteerd": False,
                        "hulp_leidt_tot_veiligheid": False} if number == 4 else None))
            self.case_id = case.id

    def partner(self, party: str) -> Principal:
        return Principal(kind=PrincipalKind.CLIENT, organisation_id=self.orgs[party].id,
                         party=party, roles=frozenset({"partner"}), client_id=f"cl_{party}")

    @rule(kind=st.sampled_from(sorted(MANDATES)), party=st.sampled_from(["veilig_thuis", "gi"]),
          ref=st.sampled_from(["c1", "c2", "m"]), days=st.sampled_from([1, 30, 365]))
    def register_mandate(self, kind: str, party: str, ref: str, days: int) -> None:
        """The regisseur registers a ground it was told of: only the kind the party holds,
        only for a child, at most the kind's term."""
        model = self.model
        body = MandateCreate(subject_id=model.ids[ref], kind=kind,
                             organisation_id=self.orgs[party].id, reference="C/09/1",
                             valid_from=model.today(),
                             valid_until=model.today() + timedelta(days=days))
        if MANDATES[kind][0] != party:
            expected = "mandate_kind"
        elif age(BORN[ref], model.today()) >= 18:
            expected = "not_a_child"
        elif days > MANDATES[kind][3]:
            expected = "mandate_too_long"
        else:
            expected = "ok"
        try:
            view = self.call(mandates.register, actor=self.regisseur, body=body)
        except BrokerError as error:
            assert error.code == expected, (error.code, expected)
            return
        assert expected == "ok", expected
        model.mandates.append(ModelMandate(view.mandate.id, ref, kind, self.orgs[party].id,
                                           model.today(),
                                           model.today() + timedelta(days=days)))

    @precondition(lambda self: self.model.mandates)
    @rule(pick=st.integers(0, 10_000))
    def end_mandate(self, pick: int) -> None:
        model = self.model
        target = model.mandates[pick % len(model.mandates)]
        expected = "mandate_ended" if target.ended is not None else "ok"
        try:
            self.call(mandates.end, actor=self.regisseur, mandate_id=target.id,
                      on=model.today())
        except BrokerError as error:
            assert error.code == expected, (error.code, expected)
            return
        assert expected == "ok", expected
        target.ended = model.today()

    @rule(ref=st.sampled_from(sorted(BORN)), category=st.sampled_from(sorted(CATEGORIES)),
          party=st.sampled_from(["school", "huisarts"]),
          grantors=st.one_of(st.just(set()), st.sets(st.sampled_from(sorted(BORN)),
                                                      min_size=1, max_size=3)),
          days=st.sampled_from([1, 30, 364, 366, 730, 731]))
    def grant(self, ref: str, category: str, party: str, grantors: set[str], days: int) -> None:
        """Grantors: as often as not exactly those the model requires now (drawn empty)."""
        model = self.model
        grantors = grantors or model.required(ref)
        body = ConsentCreate(
            subject_id=model.ids[ref], categories=[category],
            recipients=[{"organisation_id": self.orgs[party].id}], purposes=["hulpverlening"],
            grantor_ids=[model.ids[g] for g in sorted(grantors)],
            evidence={"method": "written"}, valid_until=model.now + timedelta(days=days))
        if days > CATEGORIES[category]:
            expected = "period_too_long"
        elif grantors != model.required(ref):
            expected = "capacity"
        else:
            expected = "ok"
        try:
            made = self.call(consent.grant_consent, actor=self.regisseur, body=body)
        except BrokerError as error:
            assert error.code == expected, (error.code, expected)
            return
        assert expected == "ok", expected
        model.consents.append(ModelConsent(made.id, ref, category, self.orgs[party].id,
                                           frozenset(grantors), model.now,
                                           model.now + timedelta(days=days)))

    @precondition(lambda self: self.model.consents)
    @rule(pick=st.integers(0, 10_000), grantor=st.sampled_from(sorted(BORN)))
    def withdraw(self, pick: int, grantor: str) -> None:
        model = self.model
        target = model.consents[pick % len(model.consents)]
        if target.withdrawn is not None:
            expected = "already_withdrawn"
        elif grantor not in target.grantors | model.required(target.subject):
            expected = "not_entitled"
        else:
            expected = "ok"
        try:
            self.call(consent.withdraw_consent, actor=self.regisseur, consent_id=target.id,
                      grantor_id=model.ids[grantor], reason=None)
        except BrokerError as error:
            assert error.code == expected, (error.code, expected)
            return
        assert expected == "ok", expected
        target.withdrawn = model.now

    @rule(urgent=st.booleans(), category=st.sampled_from(sorted(CATEGORIES)),
          party=st.sampled_from(["school", "huisarts", "veilig_thuis"]),
          ground=st.booleans(), days=st.sampled_from([1, 7, 28, 29]))
    def request_override(self, urgent: bool, category: str, party: str, ground: bool,
                         days: int) -> None:
        """Veilig Thuis by default, others with a named legal ground; in acute danger
        (urgent) only Veilig Thuis (or the police)."""
        model = self.model
        body = OverrideCreate(
            subject_ids=[model.ids["c1"]], categories=[category],
            recipients=[{"organisation_id": self.orgs[party].id,
                         "legal_ground": "art. 6 lid 1 sub d AVG" if ground else None}],
            justification="Nodig.", valid_until=model.now + timedelta(days=days),
            urgent=urgent, inform_parents={"planned_on": model.today() + timedelta(days=1)})
        if days > OVERRIDE_MAX_DAYS:
            expected = "override_too_long"
        elif urgent and party not in URGENT_RECIPIENTS or \
                party not in DEFAULT_RECIPIENTS and not (urgent or ground):
            expected = "override_recipient"
        else:
            expected = "ok"
        try:
            view = self.call(meldcode.request_override, actor=self.regisseur,
                             case_id=self.case_id, body=body)
        except BrokerError as error:
            assert error.code == expected, (error.code, expected)
            return
        assert expected == "ok", expected
        model.overrides.append(ModelOverride(view.override.id, category, self.orgs[party].id,
                                             self.regisseur.organisation_id, urgent, model.now,
                                             model.now + timedelta(days=days)))

    @precondition(lambda self: self.model.overrides)
    @rule(pick=st.integers(0, 10_000))
    def approve(self, pick: int) -> None:
        target = self.model.overrides[pick % len(self.model.overrides)]
        status = target.status(self.model.now)
        may = status == "pending" or (status == "active" and target.approved is None)
        try:
            self.call(meldcode.approve_override, actor=self.second, override_id=target.id)
        except BrokerError as error:
            assert not may and error.code == "override_not_pending", (error.code, status)
            return
        assert may, status
        target.approved = self.model.now

    @precondition(lambda self: self.model.overrides)
    @rule(pick=st.integers(0, 10_000))
    def revoke(self, pick: int) -> None:
        target = self.model.overrides[pick % len(self.model.overrides)]
        status = target.status(self.model.now)
        try:
            self.call(meldcode.revoke_override, actor=self.second, override_id=target.id,
                      reason="Niet meer nodig.")
        except BrokerError as error:
            assert status in ("revoked", "expired", "lapsed") and \
                error.code == "override_ended", (error.code, status)
            return
        assert status in ("pending", "active"), status
        target.revoked = self.model.now

    @rule(party=st.sampled_from(PARTNERS))
    def invite(self, party: str) -> None:
        model = self.model
        view = self.call(meetings.create_meeting, actor=self.regisseur, body=MeetingCreate(
            household_id=self.household_id, title="Netwerkbijeenkomst", duration_minutes=60,
            location="Wijkcentrum", slots=[{"start": model.now + timedelta(days=10)}],
            invitees=[{"organisation_id": self.orgs[party].id, "required": True}]))
        model.meetings[view.meeting.id] = (self.orgs[party].id, False)

    @precondition(lambda self: any(not c for _, c in self.model.meetings.values()))
    @rule(pick=st.integers(0, 10_000))
    def cancel(self, pick: int) -> None:
        live = sorted(m for m, (_, cancelled) in self.model.meetings.items() if not cancelled)
        meeting_id = live[pick % len(live)]
        self.call(meetings.cancel_meeting, actor=self.regisseur, meeting_id=meeting_id)
        self.model.meetings[meeting_id] = (self.model.meetings[meeting_id][0], True)

    @rule(hours=st.sampled_from([1, 11, 25, 47, 49, 24 * 10, 24 * 30, 24 * 200, 24 * 370]))
    def advance(self, hours: int) -> None:
        """Time passes: birthdays, the urgent review deadline, ends of consents and overrides."""
        self.model.now += timedelta(hours=hours)

    @invariant()
    def decisions_agree(self) -> None:
        if not self.model.ids:
            return
        STEPS["checked"] += 1
        # The regisseur's own information, the school's, and information nobody holds alone.
        holders = (self.regisseur.organisation_id, self.orgs["school"].id, None)
        for ref in sorted(BORN):
            for category in sorted(CATEGORIES):
                for party in PARTNERS:
                    for holder in holders:
                        self._agree(ref, category, party, holder)

    def _agree(self, ref: str, category: str, party: str, holder: str | None) -> None:
        model = self.model
        org = self.orgs[party].id
        decision = self.call(consent.dry_run, actor=self.regisseur, body=DecisionCreate(
            subject_id=model.ids[ref], category=category, purpose=PURPOSE[party],
            recipient={"organisation_id": org}, holder_organisation_id=holder))
        expected = model.decide(ref, category, org, holder, PURPOSE[party])
        got = (decision.effect.value, decision.basis.value if decision.basis else None,
               set(decision.consent_ids), set(decision.override_ids),
               set(decision.mandate_ids))
        assert got == expected, (ref, category, party, holder, model.now)

    @invariant()
    def involvement_agrees(self) -> None:
        if not self.model.ids:
            return
        for party in PARTNERS:
            try:
                with frozen_at(self.model.now):
                    households.visible_facts(self.session, self.partner(party),
                                             household_id=self.household_id)
                seen = True
            except BrokerError as error:
                assert error.status == 404
                seen = False
            assert seen == self.model.involved(self.orgs[party].id), (party, self.model.now)


def test_services_agree_with_the_reference_model(app: FastAPI, engine: Engine,
                                                 policy: Policy) -> None:
    Broker.engine, Broker.app, Broker.policy = engine, app, policy
    examples, steps = scaled(12, 200), scaled(30, 60)
    STEPS.update(calls=0, checked=0)
    run_state_machine_as_test(Broker, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
    note("reference model (state machine)", examples=examples, steps=STEPS["checked"],
         service_calls=STEPS["calls"])

