"""Issue 21: the path of a household's help in the browser. Each form records through its
one service function and answers 303 to its section; a refusal shows the page again with
what was typed and a Dutch message (closing while the family stops, without an escalation:
`closure_unsafe`)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from broker.care.models import (
    ChildContact,
    Closure,
    Escalation,
    Evaluation,
    FamilyGroupPlanEvent,
    HelpRequest,
    OtherPlan,
    SafetyAssessment,
    SignalFeedback,
)
from broker.clock import local_day, now
from broker.observations.models import Observation
from broker.policy import Policy
from tests.conftest import Mailbox
from tests.consent.helpers import consent_body
from tests.factories import PASSWORD
from tests.identity.flows import csrf_of, login
from tests.meldcode.helpers import Setting, setting
from tests.quality.test_readiness import World, held_meeting

TODAY = local_day(now())


@dataclass
class Browser:
    client: TestClient
    w: World
    csrf: str

    @property
    def household(self) -> str:
        return self.w.household

    @property
    def page(self) -> str:
        return f"/huishoudens/{self.household}/hulp"

    def post(self, section: str, **fields: Any) -> Any:
        return self.client.post(f"{self.page}/{section}", follow_redirects=False,
                                data={"csrf_token": self.csrf} | fields)


@pytest.fixture
def web(client: TestClient, session: Session, policy: Policy,
            smtp_server: Mailbox) -> Browser:
    smtp_server.serve(session)
    s: Setting = setting(client, session, policy)
    w = World(s, s.regisseur)
    assert s.regisseur.professional is not None
    login(client, s.regisseur.professional.email, PASSWORD)
    page = client.get(f"/huishoudens/{w.household}/hulp")
    assert page.status_code == 200, page.text
    return Browser(client, w, csrf_of(page.text))


def intake(b: Browser, policy: Policy, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "question": "Rust in huis en Noor weer naar school.",
        "formulated_with": [b.w.s.family["m"], b.w.s.family["c1"]],
        "life_domains": ["onderwijs", "financien"], "on": TODAY.isoformat(),
        # the answers that ask for no full assessment
        **{f"safety:{q.id}": "nee" if q.full_assessment_when else "ja"
           for q in policy.safety.questions},
        f"zrm:{b.w.s.family['m']}:financien": "3"}
    return fields | changes


def redirected(response: Any, b: Browser, section: str) -> None:
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{b.page}#{section}"


class TestThePage:
    def test_the_household_page_links_to_it(self, web: Browser) -> None:
        page = web.client.get(f"/huishoudens/{web.household}")
        assert f'href="{web.page}"' in page.text
        assert "Hulpverlening (van hulpvraag tot afsluiting)" in page.text

    def test_every_section_is_there_with_its_form(self, web: Browser) -> None:
        page = web.client.get(web.page).text
        for section in ("hulpvraag", "veiligheid", "kindgesprekken", "familiegroepsplan",
                        "evaluatie", "opschaling", "andere-plannen", "terugkoppeling",
                        "afsluiten"):
            assert f'id="{section}"' in page, section
        for action in ("hulpvraag", "veiligheid", "kindgesprek", "familiegroepsplan",
                       "opschaling", "andere-plannen", "afsluiten"):
            assert f'action="{web.page}/{action}"' in page, action
        assert "Maakt iemand (een gezinslid of een professional) zich zorgen" in page

    def test_a_partner_may_not_see_it(self, client: TestClient, web: Browser) -> None:
        teacher = web.w.s.teacher.professional
        assert teacher is not None
        client.cookies.clear()
        login(client, teacher.email, PASSWORD)
        refused = client.get(web.page, headers={"accept": "text/html"})
        assert refused.status_code == 403


class TestHelpRequest:
    def test_recorded_and_shown(self, web: Browser, session: Session,
                                policy: Policy) -> None:
        redirected(web.post("hulpvraag", **intake(web, policy)), web, "hulpvraag")
        (request,) = session.scalars(select(HelpRequest).where(
            HelpRequest.household_id == web.household))
        assert request.formulated_with == [web.w.s.family["m"], web.w.s.family["c1"]]
        assert request.member_zrm == {web.w.s.family["m"]: {"financien": 3}}
        assert request.full_assessment is False
        page = web.client.get(web.page).text
        assert "Rust in huis en Noor weer naar school." in page
        assert TODAY.strftime("%d-%m-%Y") in page and "S. Jansen" in page

    def test_an_unanswered_question_keeps_what_was_typed(
            self, web: Browser, session: Session, policy: Policy) -> None:
        fields = intake(web, policy)
        del fields[f"safety:{policy.safety.questions[0].id}"]
        response = web.post("hulpvraag", **fields)
        assert response.status_code == 422
        assert "Beantwoord elke veiligheidsvraag met ja of nee." in response.text
        assert "Rust in huis en Noor weer naar school.</textarea>" in response.text
        assert f'value="{web.w.s.family["c1"]}" checked' in response.text
        assert session.scalar(select(HelpRequest.id)) is None

    def test_a_day_in_the_future_is_refused_in_dutch(self, web: Browser,
                                                     policy: Policy) -> None:
        later = (TODAY + timedelta(days=3)).isoformat()
        response = web.post("hulpvraag", **intake(web, policy, on=later))
        assert response.status_code == 422
        assert "Deze datum ligt in de toekomst." in response.text
        assert f'value="{later}"' in response.text


class TestSafetyAssessment:
    def test_recorded(self, web: Browser, session: Session) -> None:
        response = web.post("veiligheid", subject_ids=web.w.s.family["c1"],
                                instrument="LIRIK", outcome="risico", safety_scale="5",
                                rationale="Spanning thuis.", on=TODAY.isoformat())
        redirected(response, web, "veiligheid")
        (a,) = session.scalars(select(SafetyAssessment))
        assert (a.instrument, a.outcome, a.scale) == ("LIRIK", "risico", 5)
        assert "Spanning thuis." in web.client.get(web.page).text

    def test_an_unknown_instrument_is_refused_in_dutch(self, web: Browser) -> None:
        response = web.post("veiligheid", instrument="Natte vinger", outcome="veilig",
                                rationale="Zo gezien.")
        assert response.status_code == 422
        assert "Kies een instrument uit de lijst." in response.text
        assert "Zo gezien.</textarea>" in response.text


class TestChildContact:
    def test_recorded_with_the_childs_own_words(self, web: Browser,
                                                session: Session) -> None:
        response = web.post("kindgesprek", child_id=web.w.s.family["c2"],
                                on=TODAY.isoformat(), seen="1", spoken="1", place="school",
                                worries="Papa is boos.", good_things="Voetbal.",
                                wishes="Rust.")
        redirected(response, web, "kindgesprekken")
        (contact,) = session.scalars(select(ChildContact))
        assert (contact.child_id, contact.place, contact.spoken) == (
            web.w.s.family["c2"], "school", True)
        page = web.client.get(web.page).text
        assert "Papa is boos." in page and "gezien en gesproken op" in page

    def test_words_without_a_conversation_are_refused(self, web: Browser) -> None:
        response = web.post("kindgesprek", child_id=web.w.s.family["c1"],
                                on=TODAY.isoformat(), seen="1", worries="Niets gezegd.")
        assert response.status_code == 422
        assert "alleen vast als u het kind hebt gesproken" in response.text
        assert "Niets gezegd.</textarea>" in response.text


class TestFamilyGroupPlan:
    def test_offered_then_declined_with_a_reason(self, web: Browser,
                                                 session: Session) -> None:
        redirected(web.post("familiegroepsplan", status="offered", on=TODAY.isoformat()),
                   web, "familiegroepsplan")
        refused = web.post("familiegroepsplan", status="declined", on=TODAY.isoformat())
        assert refused.status_code == 422
        assert "Zeg wie van het gezin het familiegroepsplan afwees, en waarom." in refused.text
        redirected(web.post("familiegroepsplan", status="declined", on=TODAY.isoformat(),
                                decided_by=web.w.s.family["m"], note="Liever zelf."),
                   web, "familiegroepsplan")
        assert [e.status for e in session.scalars(select(FamilyGroupPlanEvent)
                                                  .order_by(FamilyGroupPlanEvent.created_at))
                ] == ["offered", "declined"]
        assert "Liever zelf." in web.client.get(web.page).text

    def test_not_offered_first(self, web: Browser) -> None:
        response = web.post("familiegroepsplan", status="received", on=TODAY.isoformat(),
                                reference="FGP-1")
        assert response.status_code == 409
        assert "Leg eerst vast dat het familiegroepsplan is aangeboden." in response.text


class TestEvaluation:
    def test_without_a_plan_there_is_no_form(self, web: Browser) -> None:
        page = web.client.get(web.page).text
        assert f'action="{web.page}/evaluatie"' not in page
        response = web.post("evaluatie", on=TODAY.isoformat(), goal1_start="3",
                                goal1_now="6", safety_scale="6", safety_outcome="veilig",
                                next_evaluation=(TODAY + timedelta(days=60)).isoformat())
        assert response.status_code == 409
        assert "Er is nog geen plan om te evalueren." in response.text

    def test_recorded_against_the_plan(self, client: TestClient, web: Browser,
                                       session: Session) -> None:
        held_meeting(client, web.w)
        page = web.client.get(web.page).text
        assert 'name="goal1_start"' in page
        response = web.post("evaluatie", on=TODAY.isoformat(),
                                participants=web.w.s.family["m"], goal1_start="3",
                                goal1_now="6", safety_scale="7", safety_outcome="veilig",
                                needs_changed="1",
                                next_evaluation=(TODAY + timedelta(days=60)).isoformat())
        redirected(response, web, "evaluatie")
        (e,) = session.scalars(select(Evaluation))
        assert e.goals == [{"priority": 1, "start": 3, "now": 6}] and e.needs_changed

    def test_the_next_evaluation_comes_later(self, client: TestClient,
                                             web: Browser) -> None:
        held_meeting(client, web.w)
        response = web.post("evaluatie", on=TODAY.isoformat(), goal1_start="3",
                                goal1_now="6", safety_scale="7", safety_outcome="veilig",
                                next_evaluation=TODAY.isoformat())
        assert response.status_code == 422
        assert "De volgende evaluatie komt na deze evaluatie" in response.text


class TestEscalation:
    def test_recorded_then_its_outcome(self, web: Browser, session: Session) -> None:
        redirected(web.post("opschaling", to="jeugdbeschermingstafel",
                                why="family_withdrew", on=TODAY.isoformat(),
                                reason="Gezin haakt af."), web, "opschaling")
        (escalation,) = session.scalars(select(Escalation))
        page = web.client.get(web.page).text
        assert "Jeugdbeschermingstafel" in page and "Gezin haakt af." in page
        response = web.post(f"opschaling/{escalation.id}/uitkomst",
                                outcome="Raad gaat onderzoeken.", on=TODAY.isoformat(),
                                item=escalation.id)
        redirected(response, web, "opschaling")
        assert "Raad gaat onderzoeken." in web.client.get(web.page).text

    def test_without_a_reason_the_form_says_what_is_missing(self, web: Browser) -> None:
        response = web.post("opschaling", to="raad", why="unsafe", on=TODAY.isoformat())
        assert response.status_code == 422
        assert "Kies naar wie en waarom" in response.text
        assert '<option value="raad" selected>' in response.text


class TestOtherPlans:
    def test_registered_linked_and_ended(self, web: Browser, session: Session) -> None:
        gp = web.w.s.gp.org
        redirected(web.post("andere-plannen", organisation_id=gp.id, kind="coordinator",
                                reference="ZC-7", contact="Dr. Ali", since=TODAY.isoformat()),
                   web, "andere-plannen")
        (other,) = session.scalars(select(OtherPlan))
        assert not other.linked
        assert "ZC-7" in web.client.get(web.page).text
        redirected(web.post(f"andere-plannen/{other.id}", change="link", item=other.id),
                   web, "andere-plannen")
        redirected(web.post(f"andere-plannen/{other.id}", change="end", item=other.id,
                                ended_on=TODAY.isoformat()), web, "andere-plannen")
        session.refresh(other)
        assert other.linked and other.ended_on == TODAY

    def test_ending_needs_a_day(self, web: Browser, session: Session) -> None:
        web.post("andere-plannen", organisation_id=web.w.s.gp.org.id, kind="plan",
                     reference="P-1", since=TODAY.isoformat())
        (other,) = session.scalars(select(OtherPlan))
        response = web.post(f"andere-plannen/{other.id}", change="end", item=other.id)
        assert response.status_code == 422 and "vul de einddatum in" in response.text


class TestFeedback:
    def test_the_school_hears_what_was_done(self, client: TestClient, web: Browser,
                                            session: Session) -> None:
        s = web.w.s
        family = s.family
        shared = client.post("/api/v1/consents", headers=s.regisseur.headers, json=consent_body(
            family["c1"], [family["c1"], family["m"], family["p"]],
            recipients=[{"organisation_id": s.regisseur.org.id}]))
        assert shared.status_code == 201, shared.text
        posted = client.post("/api/v1/observations", headers=s.teacher.headers, json={
            "subject_id": s.family["c1"], "category": "onderwijs", "concern": "medium",
            "observed_on": TODAY.isoformat(), "body": "Vaak te laat."})
        assert posted.status_code == 201, posted.text
        page = web.client.get(web.page).text
        assert "terugkoppelen uiterlijk" in page and s.teacher.org.name in page
        # The regisseur's start page lists the household, with the day it is due.
        due = (TODAY + timedelta(days=14)).strftime("%d-%m-%Y")
        home = web.client.get("/").text
        assert "Terugkoppeling te geven" in home
        assert f'href="{web.page}#terugkoppeling"' in home
        assert f"1 signaal: terugkoppelen uiterlijk {due}" in home
        observation = posted.json()["id"]
        redirected(web.post("terugkoppeling", observation_id=observation, outcome="in_plan",
                                on=TODAY.isoformat()), web, "terugkoppeling")
        (feedback,) = session.scalars(select(SignalFeedback))
        assert feedback.outcome == "in_plan"
        assert "opgenomen in het plan" in web.client.get(web.page).text
        again = web.post("terugkoppeling", observation_id=observation, outcome="meeting")
        assert again.status_code == 409
        assert "Op dit signaal is al teruggekoppeld." in again.text
        assert f'href="{web.page}#terugkoppeling"' not in web.client.get("/").text
        # The school reads on its family page what was done, and nothing more.
        assert s.teacher.professional is not None
        client.cookies.clear()
        login(client, s.teacher.professional.email, PASSWORD)
        family_page = client.get(f"/gezinnen/{web.household}").text
        assert (f"Teruggekoppeld op {TODAY.strftime('%d-%m-%Y')}: opgenomen in het plan"
                in family_page)

    def test_overdue_feedback_shows_late_on_the_start_page(
            self, client: TestClient, web: Browser, session: Session) -> None:
        s = web.w.s
        family = s.family
        client.post("/api/v1/consents", headers=s.regisseur.headers, json=consent_body(
            family["c1"], [family["c1"], family["m"], family["p"]],
            recipients=[{"organisation_id": s.regisseur.org.id}]))
        posted = client.post("/api/v1/observations", headers=s.teacher.headers, json={
            "subject_id": family["c1"], "category": "onderwijs", "concern": "medium",
            "observed_on": (TODAY - timedelta(days=20)).isoformat(), "body": "Verzuim."})
        assert posted.status_code == 201, posted.text
        session.execute(update(Observation).where(Observation.id == posted.json()["id"])
                        .values(created_at=now() - timedelta(days=20)))
        home = web.client.get("/").text
        assert "1 signaal: terugkoppeling te laat, was uiterlijk" in home
        page = web.client.get(web.page).text
        assert 'class="late">terugkoppeling te laat' in page


class TestClosure:
    def test_the_family_stops_without_an_escalation_is_refused_in_dutch(
            self, web: Browser, session: Session, policy: Policy) -> None:
        web.post("hulpvraag", **intake(web, policy))
        response = web.post("afsluiten", reason="gezin_stopt", on=TODAY.isoformat(),
                                note="Moeder wil niet meer.")
        assert response.status_code == 422
        assert ("Afsluiten kan nu niet: de laatste taxatie is niet veilig of het gezin stopt, "
                "en er is niet opgeschaald.") in response.text
        assert "Moeder wil niet meer.</textarea>" in response.text
        assert 'value="gezin_stopt" required checked' in response.text
        assert session.scalar(select(Closure.id)) is None

    def test_after_an_escalation_it_closes(self, web: Browser, session: Session,
                                           policy: Policy) -> None:
        web.post("hulpvraag", **intake(web, policy))
        web.post("opschaling", to="veilig_thuis", why="family_withdrew",
                     on=TODAY.isoformat(), reason="Gezin stopt.")
        redirected(web.post("afsluiten", reason="gezin_stopt", on=TODAY.isoformat()),
                   web, "afsluiten")
        assert session.scalar(select(Closure.reason)) == "gezin_stopt"
        page = web.client.get(web.page).text
        assert "De hulp is afgesloten." in page and "het gezin stopt" in page

    def test_aftercare_needs_its_organisation(self, web: Browser, policy: Policy) -> None:
        web.post("hulpvraag", **intake(web, policy))
        response = web.post("afsluiten", reason="nazorg", on=TODAY.isoformat())
        assert response.status_code == 422
        assert "Kies de organisatie die de nazorg geeft." in response.text

    def test_an_unknown_aftercare_organisation_is_refused_not_stored(
            self, web: Browser, session: Session, policy: Policy) -> None:
        web.post("hulpvraag", **intake(web, policy))
        web.post("opschaling", to="raad", why="family_withdrew", on=TODAY.isoformat(),
                 reason="Gezin stopt.")
        response = web.post("afsluiten", reason="gezin_stopt",
                            aftercare_organisation_id="onbekend")
        assert response.status_code == 422
        assert "Kies de organisatie die de nazorg geeft." in response.text
        assert session.scalar(select(Closure.id)) is None

    def test_without_its_csrf_token_nothing_happens(self, web: Browser,
                                                    session: Session) -> None:
        response = web.client.post(f"{web.page}/afsluiten", data={
            "reason": "zelfstandig"}, headers={"accept": "text/html"})
        assert response.status_code == 403
        assert session.scalar(select(Closure.id)) is None
