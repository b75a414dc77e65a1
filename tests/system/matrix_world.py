"""The world the access matrix runs in: one family, and a caller for each role and relation to
it. Built through the API once per module; every request of the matrix runs in a savepoint
that is rolled back, so each starts from this same world."""

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.clock import local_day, now, timestamp
from broker.family import destruction
from broker.family import service as family
from broker.family.deps import FAMILY_COOKIE
from broker.identity import service as identity
from broker.identity.deps import SESSION_COOKIE
from broker.identity.models import Team
from broker.mail.models import OutboxMessage, OutboxStatus
from broker.mandates.models import Mandate
from broker.policy import Policy
from tests.dates import days_from_today, years_ago
from tests.factories import make_org, make_professional, make_secret_client, make_team
from tests.identity.test_tokens import secret_token
from tests.meetings.test_outcome import outcome

# Personal data of the family: none of it may appear where the table says so.
MOTHER = {"ref": "m", "given_name": "Zwaantje", "family_name": "Quispelaar",
          "birth_date": "1984-07-19", "role": "parent", "bsn": "123456782",
          "email": "zwaantje.quispelaar@example.org"}
CHILD = {"ref": "c", "given_name": "Bramwell", "family_name": "Quispelaar", "role": "child"}
TEXTS = ("Kanarie-onderwijs", "Kanarie-gezondheid", "Kanarie-rechtvaardiging",
         "Kanarie-analyse", "Kanarie-stap", "Kanarie-vraag", "Kanarie-hulp")

# The columns of the table: each a role with its relation to the family.
PERSONAS = {
    "reg": "regisseur of the family (wijkteam)",
    "par": "involved partner (school: consent for the child's schooling)",
    "unr": "uninvolved partner (a GP without any relation to the family)",
    "af": "aandachtsfunctionaris of the regisseur's organisation (second pair of eyes)",
    "fg": "privacy officer (FG) of the municipality",
    "tl": "teamleider of another organisation (the municipality): no household of the wijkteam",
    "adm": "administrator",
    "ext": "a professional of another municipality (a token from its own broker)",
    "cli": "partner system of the school without a user (client credentials)",
    "anon": "no token, no session",
    "fam": "the mother on the family page (her personal link's session; no token)",
    "rt2": "a regisseur of another team of the regisseur's organisation",
    "tl2": "the teamleider of that other team",
    "sys": "partner system of the regisseur's organisation without a user",
    "sub": "an organisation that only shared an observation about the child (JGGZ)",
}


@dataclass
class Persona:
    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""


@dataclass
class World:
    personas: dict[str, Persona]
    ids: dict[str, str]
    canaries: tuple[str, ...]  # the family's personal data, searched for in every answer


def canaries(child_born: str) -> tuple[str, ...]:
    return ("Zwaantje", "Quispelaar", "Bramwell", "123456782", str(MOTHER["birth_date"]),
            child_born, "zwaantje.quispelaar", *TEXTS)


def _browser(client: TestClient, persona: Persona, cookies: dict[str, str], path: str = "/"
             ) -> None:
    """A browser that opened a page: the flow cookie holding its CSRF token, and a session
    cookie (a real one for a logged-in professional or a family member)."""
    client.cookies.clear()
    page = client.get(path, cookies=cookies)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {path}"
    persona.cookies = cookies | {"broker_flow": client.cookies["broker_flow"]}
    persona.csrf = match.group(1)
    client.cookies.clear()


def _foreign_token() -> str:
    """A well-formed access token of another broker: its own issuer and key."""
    key = ECKey.generate_key("P-256")
    claims = {"iss": "https://broker.andere-gemeente.nl", "aud": "broker-api",
              "sub": "u-1", "org": "o-1", "party": "wijkteam", "roles": ["regisseur"],
              "iat": timestamp(), "exp": timestamp() + 300, "jti": secrets.token_hex(8)}
    return jwt.encode({"alg": "ES256", "typ": "at+jwt", "kid": "k1"}, claims, key)


def build(client: TestClient, session: Session, policy: Policy) -> World:
    def professional(party_org: Any, roles: list[str], name: str,
                     teams: Sequence[Team] = ()) -> Persona:
        person = make_professional(session, party_org, roles=roles, teams=teams)
        token = secret_token(client, make_secret_client(session, party_org, person))
        persona = Persona(name, {"Authorization": f"Bearer {token}"})
        raw, _ = identity.open_web_session(session, professional=person,
                                           ttl=timedelta(hours=8))
        _browser(client, persona, {SESSION_COOKIE: raw})
        ids[f"{name}_professional"] = person.id
        return persona

    ids: dict[str, str] = {}
    team = make_org(session, policy, party="wijkteam", name="Wijkteam Zuid")
    school = make_org(session, policy, party="school", name="OBS De Esdoorn")
    gp = make_org(session, policy, party="huisarts", name="Huisartsenpraktijk West")
    town = make_org(session, policy, party="gemeente", name="Gemeente Voorbeeld")
    jggz = make_org(session, policy, party="jggz", name="Jeugd-ggz Oost")
    make_org(session, policy, party="veilig_thuis", name="Veilig Thuis Regio")
    ids |= {"team": team.id, "school": school.id, "gp": gp.id, "town": town.id,
            "jggz": jggz.id}
    # The family belongs to team Zuid (its regisseur's); team Noord is the same organisation.
    south, north = make_team(session, team, "Team Zuid"), make_team(session, team, "Team Noord")
    personas = {
        "reg": professional(team, ["regisseur"], "reg", [south]),
        "par": professional(school, ["partner"], "par"),
        "unr": professional(gp, ["partner"], "unr"),
        "af": professional(team, ["aandachtsfunctionaris"], "af", [south]),
        "fg": professional(town, ["privacy_officer"], "fg"),
        "tl": professional(town, ["teamleider"], "tl"),
        "adm": professional(town, ["admin"], "adm"),
        "ext": Persona("ext", {"Authorization": f"Bearer {_foreign_token()}"}),
        "cli": Persona("cli", {"Authorization": "Bearer " + secret_token(
            client, make_secret_client(session, school))}),
        "anon": Persona("anon"),
        "fam": Persona("fam"),
        "rt2": professional(team, ["regisseur"], "rt2", [north]),
        "tl2": professional(team, ["teamleider"], "tl2", [north]),
        "sys": Persona("sys", {"Authorization": "Bearer " + secret_token(
            client, make_secret_client(session, team))}),
        "sub": professional(jggz, ["partner"], "sub"),
    }
    ids["successor"] = make_professional(session, team, roles=["regisseur"], teams=[south]).id
    reg = personas["reg"].headers

    def post(path: str, body: dict[str, Any], headers: dict[str, str] = reg) -> Any:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), f"{path}: {response.text}"
        return response.json()

    # Nine on the day the world is built, so his mother alone consents for him; nothing else
    # in the world is dated that long ago, so his birth date is a canary of its own.
    child_born = years_ago(9, 100)
    household = post("/api/v1/households", {
        "label": "Gezin Q.", "members": [MOTHER, CHILD | {"birth_date": child_born}],
        "custody": [{"custodian": "m", "child": "c"}]})
    members = {m["ref"]: m["id"] for m in household["members"]}
    ids |= {"household": household["id"], "mother": members["m"], "child": members["c"]}
    ids["consent"] = post("/api/v1/consents", {
        "subject_id": ids["child"], "categories": ["onderwijs"],
        "recipients": [{"organisation_id": school.id}], "purposes": ["hulpverlening"],
        "grantor_ids": [ids["mother"]],
        "evidence": {"method": "written", "reference": "formulier 7"}})["id"]
    for name, category in (("observation", "onderwijs"), ("health", "gezondheid")):
        ids[name] = post("/api/v1/observations", {
            "subject_id": ids["child"], "category": category, "concern": "medium",
            "observed_on": days_from_today(-3), "body": f"Kanarie-{category} gezien."})["id"]
    # JGGZ shares what it knows about the child with the wijkteam (the mother consented to
    # that): sharing makes it no part of the family's file.
    post("/api/v1/consents", {
        "subject_id": ids["child"], "categories": ["psychische_gezondheid"],
        "recipients": [{"organisation_id": team.id}], "purposes": ["hulpverlening"],
        "grantor_ids": [ids["mother"]], "evidence": {"method": "written"}})
    ids["signal"] = post("/api/v1/observations", {
        "subject_id": ids["child"], "category": "psychische_gezondheid", "concern": "medium",
        "observed_on": days_from_today(-3), "body": "Kanarie-gezondheid jggz."},
        personas["sub"].headers)["id"]
    ids["case"] = post("/api/v1/meldcode/cases", {"child_id": ids["child"]})["id"]
    for number in range(1, 6):
        step: dict[str, Any] = {"step": number, "content": f"Kanarie-stap {number}."}
        if number == 4:
            step["answers"] = {"vermoeden": True, "acuut_of_structureel_onveilig": False,
                               "hulp_mogelijk": True, "hulp_geaccepteerd": False,
                               "hulp_leidt_tot_veiligheid": False}
        if number == 5:
            step["decision"] = "melden_en_hulp"
        post(f"/api/v1/meldcode/cases/{ids['case']}/steps", step)
    # Step 5 reported: Veilig Thuis holds a report mandate on the child.
    ids["mandate"] = session.scalars(select(Mandate.id).where(
        Mandate.subject_id == ids["child"])).one()
    # The regisseur asks JGGZ what more it knows (it holds something about the child, so
    # naming him tells it nothing new); being asked does not make it involved.
    ids["information_request"] = post("/api/v1/information-requests", {
        "subject_id": ids["child"], "categories": ["psychische_gezondheid"],
        "holder_organisation_id": jggz.id, "purpose": "hulpverlening",
        "reason": "Kanarie-vraag."})["id"]
    ids["override"] = post(f"/api/v1/meldcode/cases/{ids['case']}/overrides", {
        "subject_ids": [ids["child"]], "categories": ["gezondheid"],
        "recipients": [{"organisation_id": school.id,
                        "legal_ground": "Kanarie-grondslag."}],
        "justification": "Kanarie-rechtvaardiging.",
        "valid_until": (now() + timedelta(days=7)).isoformat(), "urgent": False,
        "inform_parents": {"planned_on": (now() + timedelta(days=2)).date().isoformat()}})["id"]
    starts = [now().replace(microsecond=0) + timedelta(days=3 + n) for n in range(2)]
    invitees = [{"professional_id": ids["reg_professional"], "required": True},
                {"organisation_id": school.id, "required": True},
                {"member_id": ids["mother"], "required": True}]
    # One meeting still polling, one scheduled, one held with its outcome and plan.
    for name in ("poll", "meeting", "held"):
        meeting = post("/api/v1/meetings", {
            "household_id": ids["household"], "title": "Netwerkbijeenkomst gezin Quispelaar",
            "duration_minutes": 60, "location": "Wijkcentrum",
            "slots": [{"start": s.isoformat()} for s in starts], "invitees": invitees})
        ids[name] = meeting["id"]
        ids[f"{name}_slot"] = meeting["slots"][0]["id"]
        if name == "poll":
            [link] = [i["personal_link"] for i in meeting["invitees"] if i["personal_link"]]
            ids["link"] = link.rsplit("/", 1)[-1]
        else:
            post(f"/api/v1/meetings/{meeting['id']}/schedule", {"slot_id": ids[f"{name}_slot"]})
    plan = post(f"/api/v1/meetings/{ids['held']}/outcome",
                outcome(ids["reg_professional"], school.id, assessment=True)
                | {"analysis": {"child_needs": "Kanarie-analyse.", "parenting_capacity": "-",
                                "family_environment": "-"}})
    ids["action"] = plan["actions"][0]["id"]
    ids["goal"] = f"{plan['id']}:1"
    ids["withholding"] = post(f"/api/v1/households/{ids['household']}/withholdings", {
        "member_id": ids["mother"], "object_type": "plan_goal", "object_id": ids["goal"],
        "reason": "Kanarie-reden.", "review_on": (local_day(now()) + timedelta(days=30))
        .isoformat()})["id"]
    # The path of help: the help request, an escalation and the GP's own plan.
    household_path = f"/api/v1/households/{ids['household']}"
    post(f"{household_path}/help-requests", {
        "question": "Kanarie-hulp gevraagd.", "formulated_with": [ids["mother"]],
        "life_domains": ["onderwijs"],
        "safety_questions": {q.id: not q.full_assessment_when for q in policy.safety.questions}})
    ids["escalation"] = post(f"{household_path}/escalations", {
        "to": "veilig_thuis", "why": "unsafe", "on": days_from_today(0),
        "reason": "Kanarie-hulp opgeschaald."})["id"]
    ids["other_plan"] = post(f"{household_path}/other-plans", {
        "organisation_id": gp.id, "kind": "plan", "reference": "Kanarie-hulp plan",
        "since": days_from_today(-10)})["id"]
    feed = post("/api/v1/calendar/feed", {})
    ids["feed"] = feed["url"].rsplit("/", 1)[-1].removesuffix(".ics")
    ids["seq"] = "1"
    # Browsers without a session here: a parent opens their personal link, and someone
    # brings a session cookie of another broker.
    invitation = f"/uitnodiging/{ids['link']}"
    _browser(client, personas["anon"], {}, invitation)
    _browser(client, personas["ext"], {SESSION_COOKIE: secrets.token_urlsafe(32)}, invitation)
    # The mother used her personal link to the family page.
    made = post(f"/api/v1/households/{ids['household']}/members/{ids['mother']}/link",
                {"send": False})
    raw = family.open_link(session, token=made["url"].rsplit("/", 1)[-1])
    ids["family_link"] = post(  # a second link, not used yet
        f"/api/v1/households/{ids['household']}/members/{ids['mother']}/link",
        {"send": False})["url"].rsplit("/", 1)[-1]
    ids["request"] = destruction.request_destruction(  # and asked for destruction
        session, member=family.member_principal(ids["mother"])).id
    _browser(client, personas["fam"], {FAMILY_COOKIE: raw}, "/mijn")
    sent = OutboxMessage(kind="reminder", status=OutboxStatus.SENT)  # not to be sent again
    session.add(sent)
    session.commit()
    ids["message"] = sent.id
    return World(personas, ids, canaries(child_born))
