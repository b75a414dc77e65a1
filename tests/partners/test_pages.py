"""Issue 20, the partner's part: 'Gezinnen' lists the families the school's organisation is
involved with; a family's page shows exactly what it may see, by name where the door allows,
withheld items with the reason; the uninvolved learn nothing (404); every read is recorded."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.models import AuditPending
from broker.errors import NotFound
from broker.information_requests import service as information
from broker.information_requests.schemas import InformationRequestCreate
from broker.meldcode.schemas import CaseCreate
from broker.meldcode.service import open_case
from broker.partners import service
from broker.policy import Policy
from tests.dates import days_from_today
from tests.factories import PASSWORD
from tests.identity.flows import csrf_of, login
from tests.observations.test_pages import school_with_consent
from tests.partners.helpers import involved_school


def _main(html: str) -> str:
    return html[html.index("<main"):]


class TestInvolvedFamilies:
    def test_the_regisseurs_free_text_label_never_reaches_a_partner(
            self, session: Session, policy: Policy) -> None:
        """Fresh eyes on issue 20: a label such as 'vader in detentie' is the regisseur's."""
        from broker.households.models import Household

        world = involved_school(session, policy)
        household = session.get(Household, world.ids["household"])
        assert household is not None
        household.label = "Familie Jansen (vader in detentie)"
        session.flush()
        (row,) = service.involved_families(session, actor=world.school)
        assert row.label == "Jansen"
        page = service.family_page(session, actor=world.school,
                                   household_id=world.ids["household"])
        assert page.view.family_names == ("Jansen",)

    def test_the_regisseurs_own_organisation_works_on_huishoudens_not_here(
            self, session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        assert service.involved_families(session, actor=world.regisseur) == []

    def test_the_school_sees_the_family_it_is_involved_with_by_the_names_it_may_see(
            self, session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        rows = service.involved_families(session, actor=world.school)
        assert [r.household_id for r in rows] == [world.ids["household"]]
        assert rows[0].label == "Jansen" and rows[0].names == ["Noor Jansen"]
        assert rows[0].involvement.grounds == ("consent", "meeting")
        assert rows[0].involvement.categories == ("basisgegevens", "onderwijs")
        assert [m.reference for m in rows[0].meetings] == [world.meeting_reference]

    def test_an_uninvolved_organisation_sees_no_family(self, session: Session,
                                                         policy: Policy) -> None:
        world = involved_school(session, policy)
        assert service.involved_families(session, actor=world.gp) == []

    def test_the_list_records_each_name_it_looked_up(self, session: Session,
                                                     policy: Policy) -> None:
        world = involved_school(session, policy)
        before = _events(session, world.school.organisation_id)
        service.involved_families(session, actor=world.school)
        after = _events(session, world.school.organisation_id)
        assert sorted(after[len(before):]) == ["disclosure", "refusal"]  # Noor; Sanne withheld

    def test_the_page_lists_it_and_links_to_it(self, client: TestClient, session: Session,
                                               policy: Policy) -> None:
        world = involved_school(session, policy)
        login(client, "juf@example.org", PASSWORD)
        start = client.get("/")
        assert 'href="/gezinnen"' in start.text  # in the menu
        page = _main(client.get("/gezinnen").text)
        assert f'href="/gezinnen/{world.ids["household"]}"' in page
        assert "Gezin Jansen" in page and "Gezin J." not in page
        assert "Noor Jansen" in page and world.meeting_reference in page
        assert world.other_household not in page and "Gezin K." not in page


class TestFamilyPage:
    def test_members_by_name_or_a_neutral_label_and_the_meeting(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        login(client, "juf@example.org", PASSWORD)
        response = client.get(f"/gezinnen/{world.ids['household']}")
        assert response.status_code == 200
        page = _main(response.text)
        assert "<h1>Gezin Jansen</h1>" in page  # the family name it may see, not the label
        assert "Noor Jansen" in page
        assert "Ouder 1" in page and "Sanne" not in page  # no consent for her name
        assert not re.search(r">\s*(m|c1)\s*<", page)  # never the household's refs
        assert world.meeting_reference in page and "/bijeenkomsten/" in page

    def test_a_withheld_signal_says_why_and_whom_to_ask(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        login(client, "juf@example.org", PASSWORD)
        page = _main(client.get(f"/gezinnen/{world.ids['household']}").text)
        assert 'class="withheld"' in page and "afgeschermd" in page
        assert "U mag dit signaal niet zien: toestemming ontbreekt" in page
        assert "Vraag de regisseur van dit gezin (Wijkteam Noord)." in page
        assert "Kanarie" not in page

    def test_every_read_is_recorded(self, session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        before = len(_events(session, world.school.organisation_id))
        service.family_page(session, actor=world.school, household_id=world.ids["household"])
        actions = _events(session, world.school.organisation_id)[before:]
        # the two members' names, and the signal: each through the door
        assert actions.count("disclosure") >= 1 and actions.count("refusal") >= 2

    def test_an_uninvolved_partner_learns_nothing(self, client: TestClient, session: Session,
                                                 policy: Policy) -> None:
        world = involved_school(session, policy)
        try:
            service.family_page(session, actor=world.gp, household_id=world.ids["household"])
            raise AssertionError("an uninvolved partner saw the family")
        except NotFound:
            pass
        login(client, "dokter@example.org", PASSWORD)
        for household in (world.ids["household"], world.other_household, "no-such-id"):
            response = client.get(f"/gezinnen/{household}")
            assert response.status_code == 404
            assert "Jansen" not in response.text and "Gezin J." not in response.text
        assert "Uw organisatie is nu bij geen enkel gezin betrokken." in client.get(
            "/gezinnen").text

    def test_the_school_may_not_open_a_family_it_is_not_involved_with(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        login(client, "juf@example.org", PASSWORD)
        response = client.get(f"/gezinnen/{world.other_household}")
        assert response.status_code == 404 and "Kok" not in response.text

    def test_its_own_meldcode_case_is_listed_by_the_childs_name(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        case = open_case(session, actor=world.school,
                         body=CaseCreate.model_validate({"child_id": world.ids["c1"]}))
        login(client, "juf@example.org", PASSWORD)
        page = _main(client.get(f"/gezinnen/{world.ids['household']}").text)
        assert f'href="/meldcode/zaken/{case.id}"' in page and "Meldcode: Noor Jansen" in page
        heading = re.search(r"<h1>(.*?)</h1>", client.get(f"/meldcode/zaken/{case.id}").text,
                            re.S)
        assert heading and "Meldcode: Noor Jansen" in heading.group(1)


class TestNeutralNames:
    def test_a_meldcode_case_about_a_child_whose_name_is_withheld_reads_kind_1(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        school, ids = school_with_consent(session, policy)  # education only, no names
        case = open_case(session, actor=school,
                         body=CaseCreate.model_validate({"child_id": ids["c1"]}))
        login(client, "juf@example.org", PASSWORD)
        page = client.get(f"/meldcode/zaken/{case.id}").text
        heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
        assert heading and re.sub(r"\s+", " ", heading.group(1)).strip() == "Meldcode: Kind 1"
        assert "Noor Jansen" not in page and "Sanne" not in page
        family = _main(client.get(f"/gezinnen/{ids['household']}").text)
        assert "Ouder 1" in family and "Kind 1" in family
        assert "Gezin (namen niet gedeeld met uw organisatie)" in family


class TestRefusedSignal:
    def test_the_school_is_told_how_to_get_consent(self, client: TestClient, session: Session,
                                                   policy: Policy) -> None:
        world = involved_school(session, policy)
        login(client, "juf@example.org", PASSWORD)
        form = client.get(f"/huishoudens/{world.ids['household']}/signalen/nieuw")
        refused = client.post(f"/huishoudens/{world.ids['household']}/signalen", data={
            "csrf_token": csrf_of(form.text), "subject_id": world.ids["c1"],
            "category": "opvoeding", "concern": "low", "observed_on": days_from_today(-1),
            "body": "Ouders vragen hulp bij grenzen stellen."})
        assert refused.status_code == 403
        page = _main(refused.text)
        assert "Dit signaal is niet gedeeld: er is geen toestemming" in page
        assert "Vraag de regisseur van dit gezin, " in page and "(Wijkteam Noord)" in page
        assert "toestemming te vragen voor Opvoeding, te delen met Wijkteam Noord" in page
        assert "Of vraag de ouders" in page
        assert "Ouders vragen hulp bij grenzen stellen." in page  # the form keeps its input

    def test_a_date_in_the_future_is_refused_in_dutch(self, client: TestClient,
                                                     session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        login(client, "juf@example.org", PASSWORD)
        form = client.get(f"/huishoudens/{world.ids['household']}/signalen/nieuw")
        refused = client.post(f"/huishoudens/{world.ids['household']}/signalen", data={
            "csrf_token": csrf_of(form.text), "subject_id": world.ids["c1"],
            "category": "onderwijs", "concern": "low", "observed_on": days_from_today(3),
            "body": "Te laat."})
        assert refused.status_code == 422
        assert "De datum ligt in de toekomst." in refused.text
        assert "lies in the future" not in refused.text


class TestDutchRefusals:
    def test_a_meldcode_step_out_of_order_is_explained_in_dutch(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        case = open_case(session, actor=world.school,
                         body=CaseCreate.model_validate({"child_id": world.ids["c1"]}))
        login(client, "juf@example.org", PASSWORD)
        page = client.get(f"/meldcode/zaken/{case.id}")
        refused = client.post(f"/meldcode/zaken/{case.id}/stap", data={
            "csrf_token": csrf_of(page.text), "step": "3", "content": "Gesprek gevoerd."})
        assert refused.status_code == 422
        assert "Neem de stappen van de meldcode op volgorde" in refused.text
        assert "The next step" not in refused.text and "step_order" not in refused.text

    def test_refusing_a_request_without_a_reason_is_explained_on_the_list(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        world = involved_school(session, policy)
        asked = information.ask(session, actor=world.regisseur,
                                body=InformationRequestCreate.model_validate({
                                    "subject_id": world.ids["c1"],
                                    "categories": ["onderwijs"],
                                    "holder_organisation_id": world.school.organisation_id,
                                    "purpose": "hulpverlening",
                                    "reason": "Hoe gaat het op school?"}))
        login(client, "juf@example.org", PASSWORD)
        listed = client.get("/informatieverzoeken")
        refused = client.post(f"/informatieverzoeken/{asked.request.id}/antwoord", data={
            "csrf_token": csrf_of(listed.text), "answer": "refused"})
        assert refused.status_code == 422
        assert "Zeg waarom u dit niet deelt." in refused.text
        assert "reason_required" not in refused.text
        family = _main(client.get(f"/gezinnen/{world.ids['household']}").text)
        assert "Open informatieverzoeken" in family and "Hoe gaat het op school?" in family


def _events(session: Session, organisation_id: str) -> list[str]:
    return list(session.scalars(select(AuditPending.action).where(
        AuditPending.actor_organisation_id == organisation_id,
        AuditPending.action.in_(["disclosure", "refusal"])).order_by(AuditPending.id)))
