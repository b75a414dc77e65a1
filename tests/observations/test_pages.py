"""Issue 6 pages: the partner's submission form with its live preview, the household's
timeline with withheld items visibly different."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.models import AuditPending
from broker.consent.schemas import ConsentCreate
from broker.consent.service import grant_consent
from broker.identity.principal import Principal
from broker.identity.service import professional_principal
from broker.observations.models import Observation
from broker.policy import Policy
from tests.consent.test_pages import arrange
from tests.dates import days_from_today
from tests.factories import PASSWORD, make_org, make_professional
from tests.identity.flows import csrf_of, login


def school_with_consent(session: Session, policy: Policy) -> tuple[Principal, dict[str, str]]:
    """Gezin J. (Noor 13, Sanne with custody); Noor and Sanne let De Linde and the wijkteam
    see education data. The school's teacher logs in as juf@example.org."""
    regisseur, ids = arrange(session, policy)
    school = make_org(session, policy, party="school", name="De Linde")
    teacher = make_professional(session, school, roles=["partner"], email="juf@example.org")
    grant_consent(session, actor=regisseur, body=ConsentCreate.model_validate({
        "subject_id": ids["c1"], "categories": ["onderwijs"],
        "recipients": [{"organisation_id": school.id}, {"party": "wijkteam"}],
        "purposes": ["hulpverlening"], "grantor_ids": [ids["c1"], ids["m"]],
        "evidence": {"method": "written"}}))
    return professional_principal(session, school, teacher), ids


class TestSubmissionForm:
    def test_preview_then_share_then_timeline(self, client: TestClient, session: Session,
                                              policy: Policy) -> None:
        _, ids = school_with_consent(session, policy)
        login(client, "juf@example.org", PASSWORD)
        form = client.get(f"/huishoudens/{ids['household']}/signalen/nieuw")
        assert form.status_code == 200 and "Wat heeft u gezien?" in form.text
        fields = {"csrf_token": csrf_of(form.text), "subject_id": ids["c1"],
                  "category": "onderwijs", "concern": "medium", "observed_on": days_from_today(-3)}
        preview = client.post(f"/huishoudens/{ids['household']}/signalen/voorbeeld",
                              data=fields)
        assert "Dit mag gedeeld worden" in preview.text and "Wijkteam Noord" in preview.text
        refused = client.post(f"/huishoudens/{ids['household']}/signalen/voorbeeld",
                              data={**fields, "category": "financien", "concern": "acute"})
        assert "Dit mag niet gedeeld worden" in refused.text and "meldcode" in refused.text

        shared = client.post(f"/huishoudens/{ids['household']}/signalen",
                             data={**fields, "body": "Noor is vaak moe in de klas."},
                             follow_redirects=True)
        assert shared.status_code == 200 and "Noor is vaak moe in de klas." in shared.text
        assert "Onderwijs" in shared.text and "De Linde" in shared.text

    def test_a_refused_share_stores_nothing_but_keeps_the_refusal(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        school, ids = school_with_consent(session, policy)
        login(client, "juf@example.org", PASSWORD)
        form = client.get(f"/huishoudens/{ids['household']}/signalen/nieuw")
        refused = client.post(f"/huishoudens/{ids['household']}/signalen", data={
            "csrf_token": csrf_of(form.text), "subject_id": ids["c1"], "category": "financien",
            "concern": "high", "observed_on": days_from_today(-3), "body": "Schulden thuis."})
        assert refused.status_code == 403 and "meldcode" in refused.text
        assert "Schulden thuis." in refused.text  # the form keeps what was typed
        assert session.scalars(select(Observation)).all() == []
        assert session.scalars(select(AuditPending.id).where(
            AuditPending.action == "refusal",
            AuditPending.actor_organisation_id == school.organisation_id)).all()


class TestTimeline:
    def test_withheld_items_are_marked_and_name_no_special_category(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, ids = arrange(session, policy)
        gp = make_org(session, policy, party="huisarts", name="Praktijk Oost")
        make_professional(session, gp, roles=["partner"], email="dokter@example.org")
        grant_consent(session, actor=regisseur, body=ConsentCreate.model_validate({
            "subject_id": ids["c1"], "categories": ["onderwijs"],
            "recipients": [{"organisation_id": gp.id}], "purposes": ["hulpverlening"],
            "grantor_ids": [ids["c1"], ids["m"]], "evidence": {"method": "written"}}))
        login(client, "reg@example.org", PASSWORD)
        form = client.get(f"/huishoudens/{ids['household']}/signalen/nieuw")
        for category, text in (("opvoeding", "Weinig structuur thuis."),
                               ("middelengebruik", "Vader drinkt.")):
            client.post(f"/huishoudens/{ids['household']}/signalen", data={
                "csrf_token": csrf_of(form.text), "subject_id": ids["c1"], "body": text,
                "category": category, "concern": "low", "observed_on": days_from_today(-3)})
        client.post("/logout", data={"csrf_token": csrf_of(form.text)})
        login(client, "dokter@example.org", PASSWORD)
        page = client.get(f"/huishoudens/{ids['household']}/signalen").text
        assert page.count('class="withheld"') == 2 and "Afgeschermd" in page
        assert "Opvoeding" in page  # not special: the stub may name the leefgebied
        assert "Middelengebruik" not in page and "Vader drinkt" not in page
        assert "Weinig structuur" not in page
