"""Issue 21: the quality pages show every criterion of the Toezichtkader's themes, grouped by
theme, each with a Dutch label; on the household's page each status links the regisseur to
the page where it is put right, and the team lead's households at risk link to theirs."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.policy import Policy
from broker.quality.pages import FLAGS, LABELS, links
from broker.quality.service import INDICATORS, Flag, Readiness
from tests.conftest import Mailbox
from tests.factories import PASSWORD
from tests.identity.flows import login
from tests.meldcode.helpers import colleague, setting
from tests.quality.test_readiness import World, signal


@pytest.fixture
def world(client: TestClient, session: Session, policy: Policy, smtp_server: Mailbox) -> World:
    smtp_server.serve(session)
    s = setting(client, session, policy)
    return World(s, colleague(client, session, s.regisseur.org, ["teamleider"]))


def test_every_indicator_and_flag_has_its_words() -> None:
    assert set(LABELS) == set(INDICATORS)
    assert set(FLAGS) == {f.value for f in Flag}
    assert set(links(Readiness("h", [], []))) == set(INDICATORS)


def headings(html: str) -> list[str]:
    return re.findall(r'<h[23] id="thema-\w+">([^<]+)</h[23]>', html)


def test_the_regisseur_follows_each_status_to_where_it_is_fixed(
        client: TestClient, session: Session, world: World) -> None:
    regisseur = world.s.regisseur.professional
    assert regisseur is not None
    login(client, regisseur.email, PASSWORD)
    page = client.get(f"/kwaliteit/huishoudens/{world.household}")
    assert page.status_code == 200
    assert headings(page.text) == ["Toeleiding en toegang", "In zorg",
                                   "Veiligheid van de kinderen"]
    for indicator in INDICATORS:
        assert f'data-indicator="{indicator}"' in page.text
    care = f"/huishoudens/{world.household}/hulp"
    for anchor in ("hulpvraag", "veiligheid", "kindgesprekken", "familiegroepsplan",
                   "evaluatie", "opschaling", "andere-plannen", "terugkoppeling", "afsluiten"):
        assert f'href="{care}#{anchor}"' in page.text, anchor
    # Without a plan, the analysis and the plan come from a network meeting.
    assert f'href="/bijeenkomsten/nieuw?household={world.household}"' in page.text
    assert f'href="/meldcode/nieuw?household={world.household}"' in page.text
    assert "Hulpvraag met het gezin geformuleerd" in page.text


def test_the_team_lead_sees_themes_and_follows_a_household_at_risk(
        client: TestClient, session: Session, world: World) -> None:
    signal(client, world)
    assert world.lead.professional is not None
    login(client, world.lead.professional.email, PASSWORD)
    dashboard = client.get("/kwaliteit")
    assert headings(dashboard.text) == ["Toeleiding en toegang", "In zorg",
                                        "Veiligheid van de kinderen"]
    for label in LABELS.values():
        assert label in dashboard.text
    assert f'href="/kwaliteit/huishoudens/{world.household}"' in dashboard.text
    detail = client.get(f"/kwaliteit/huishoudens/{world.household}")
    assert detail.status_code == 200
    assert f'href="/huishoudens/{world.household}/hulp' not in detail.text
