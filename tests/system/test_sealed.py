"""Issue 17, acceptance 2: sealed text and names open only under a permitting decision. Each
service that returns a family's personal data is called once as it is (the text is there) and
once with the door deciding `deny` for everything: then it raises `NotDisclosed` or its answer
holds none of that text. No service can read a body, a step text, a plan, a meeting title or
a name without asking the door (and `make lint` keeps `broker.vault.opening` the door's)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.clock import local_day, now
from broker.disclosure import door
from broker.disclosure.engine import Decision, Effect
from broker.family import service as family
from tests.meldcode.helpers import open_case
from tests.quality.test_readiness import World, held_meeting, signal
from tests.quality.test_readiness import world as world  # noqa: F401  (the fixture)


def _deny(*args: Any, **kwargs: Any) -> Decision:
    return Decision(Effect.DENY, None, "test")


@pytest.fixture
def reads(client: TestClient, world: World) -> dict[str, tuple[Any, str, str]]:
    """Each read: who asks, the path, and a text of the family it shows when permitted."""
    s = world.s
    item = signal(client, world)
    case = open_case(client, s, steps=5)
    meeting = held_meeting(client, world)["meeting_id"]
    household = world.household
    # Issue 18: a request for information (Noor may be named to the GP: her family agreed).
    named = client.post("/api/v1/consents", headers=s.regisseur.headers, json={
        "subject_id": s.family["c1"], "categories": ["basisgegevens"],
        "recipients": [{"organisation_id": s.gp.org.id}], "purposes": ["hulpverlening"],
        "grantor_ids": [s.family["c1"], s.family["m"], s.family["p"]],
        "evidence": {"method": "written"}})
    assert named.status_code == 201, named.text
    asked = client.post("/api/v1/information-requests", headers=s.regisseur.headers, json={
        "subject_id": s.family["c1"], "categories": ["gezondheid"],
        "holder_organisation_id": s.gp.org.id, "purpose": "hulpverlening",
        "reason": "Wat weet de huisarts?"})
    assert asked.status_code == 201, asked.text
    # Issue 21: the path of help (a child's own words under the child's key).
    spoken = client.post(f"/api/v1/households/{household}/child-contacts",
                         headers=s.regisseur.headers, json={
                             "child_id": s.family["c1"], "on": local_day(now()).isoformat(),
                             "seen": True, "spoken": True,
                             "view": {"wishes": "Een eigen kamer."}})
    assert spoken.status_code == 201, spoken.text
    return {
        "care path": (s.regisseur, f"/api/v1/households/{household}/care-path",
                      "Een eigen kamer"),
        "information request": (s.gp, "/api/v1/information-requests",
                                "Wat weet de huisarts?"),
        "household": (s.regisseur, f"/api/v1/households/{household}", "Noor"),
        "observations": (s.regisseur, f"/api/v1/households/{household}/observations",
                         "Blauwe plekken"),
        "own observation": (s.regisseur, f"/api/v1/observations/{item}", "Blauwe plekken"),
        "meldcode case": (s.teacher, f"/api/v1/meldcode/cases/{case}", "Stap 2 vastgelegd"),
        "report": (s.teacher, f"/api/v1/meldcode/cases/{case}/report", "Stap 2 vastgelegd"),
        "plan": (s.regisseur, f"/api/v1/households/{household}/plan", "elke dag op school"),
        "meeting title": (s.regisseur, f"/api/v1/meetings/{meeting}", "Bijeenkomst"),
    }


def test_every_read_of_personal_data_needs_a_permitting_decision(
        client: TestClient, reads: dict[str, tuple[Any, str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, (who, path, text) in reads.items():
        shown = client.get(path, headers=who.headers)
        assert shown.status_code == 200 and text in shown.text, name
    monkeypatch.setattr(door, "decide", _deny)
    opened = {}
    for name, (who, path, text) in reads.items():
        try:
            answer = client.get(path, headers=who.headers)
        except door.NotDisclosed:
            continue
        if text in answer.text:
            opened[name] = answer.status_code
    assert opened == {}


def test_the_door_opens_nothing_under_a_refusal() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from broker.vault.sealing import DataKey

    key = DataKey("h-1", AESGCM(AESGCM.generate_key(bit_length=256)))
    sealed = key.seal("observation:o-1", "Geheim.")
    permit = Decision(Effect.PERMIT, None, "test")
    assert door.unseal(permit, key, "observation:o-1", sealed) == "Geheim."
    with pytest.raises(door.NotDisclosed):
        door.unseal(_deny(), key, "observation:o-1", sealed)


def test_the_family_page_opens_only_for_a_member_of_the_household(
        session: Session, world: World) -> None:
    from broker.disclosure.facts import load_household

    facts = load_household(session, household_id=world.household)
    assert facts is not None
    mother = family.member_principal(world.s.family["m"])
    stranger = family.member_principal("someone-else")
    assert door.for_family(facts, mother).permitted
    assert not door.for_family(facts, stranger).permitted

