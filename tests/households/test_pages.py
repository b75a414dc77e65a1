"""The regisseur's household pages: the list by family name, a new household in the browser
(members, custody, the BSN elfproef per field), and the custody page's Dutch refusals."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.models import AuditPending
from broker.audit.recording import Action
from broker.households.models import Custody, Household, Member
from broker.households.schemas import HouseholdCreate
from broker.households.service import create_household, sort_key
from broker.identity.service import professional_principal, require_organisation
from broker.policy import Policy
from tests.conftest import Mailbox
from tests.dates import days_from_today, years_ago
from tests.factories import PASSWORD, make_org, make_professional
from tests.identity.flows import csrf_of, login

EMAIL = "reg@example.org"


def regisseur(session: Session, policy: Policy) -> None:
    make_professional(session, make_org(session, policy, name="Wijkteam Noord"),
                      roles=["regisseur"], email=EMAIL)


def family(**rows: str) -> dict[str, str]:
    """A filled form: Jan de Vries and Noor (13) in his custody, changed by `rows`."""
    return {"adult-0-given_name": "Jan", "adult-0-family_name": "de Vries",
            "adult-0-birth_date": "1984-05-12", "adult-0-role": "parent",
            "adult-0-bsn": "111222333", "adult-0-email": "jan@example.org",
            "child-0-given_name": "Noor", "child-0-family_name": "de Vries",
            "child-0-birth_date": years_ago(13, 40), "child-0-custody": "adult-0"} | rows


class TestNewHousehold:
    def test_the_list_links_to_the_form(self, client: TestClient, session: Session,
                                        policy: Policy) -> None:
        regisseur(session, policy)
        login(client, EMAIL, PASSWORD)
        assert 'href="/huishoudens/nieuw"' in client.get("/huishoudens").text
        page = client.get("/huishoudens/nieuw")
        assert page.status_code == 200
        assert 'name="adult-1-given_name"' in page.text and 'name="child-1-birth_date"' in page.text

    def test_a_partner_may_not_create_one(self, client: TestClient, session: Session,
                                          policy: Policy) -> None:
        make_professional(session, make_org(session, policy, party="school"),
                          roles=["partner"], email="school@example.org")
        login(client, "school@example.org", PASSWORD)
        assert 'href="/huishoudens/nieuw"' not in client.get("/huishoudens").text
        refused = client.get("/huishoudens/nieuw", headers={"accept": "text/html"})
        assert refused.status_code == 403

    def test_created_with_members_and_custody_then_redirected(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur(session, policy)
        home = login(client, EMAIL, PASSWORD)
        response = client.post("/huishoudens/nieuw", follow_redirects=False,
                               data=family(csrf_token=csrf_of(home.text)))
        assert response.status_code == 303
        household_id = response.headers["location"].removeprefix("/huishoudens/")
        household = session.get(Household, household_id)
        assert household is not None and household.label == "Gezin de Vries"
        members = {m.ref: m for m in session.scalars(
            select(Member).where(Member.household_id == household_id))}
        assert sorted(members) == ["kind1", "ouder1"]
        assert members["ouder1"].bsn == "111222333"
        assert members["ouder1"].email == "jan@example.org"
        assert members["kind1"].email is None
        (link,) = session.scalars(select(Custody).where(Custody.household_id == household_id))
        assert (link.custodian_id, link.child_id) == (members["ouder1"].id, members["kind1"].id)
        page = client.get(response.headers["location"])
        assert "Gezin De Vries" in page.text and "Noor de Vries" in page.text

    def test_a_bsn_failing_the_elfproef_is_named_and_nothing_is_lost(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur(session, policy)
        home = login(client, EMAIL, PASSWORD)
        before = session.scalar(select(Household.id).limit(1))
        response = client.post("/huishoudens/nieuw", data=family(
            csrf_token=csrf_of(home.text), **{"adult-0-bsn": "123 456 789"}))
        assert response.status_code == 422
        assert "klopt niet volgens de elfproef" in response.text
        assert 'id="adult-0-bsn" name="adult-0-bsn" type="text" value="123 456 789" ' \
               'aria-invalid="true"' in response.text
        assert 'value="jan@example.org"' in response.text
        assert 'value="adult-0" checked' in response.text
        assert session.scalar(select(Household.id).limit(1)) == before

    def test_every_wrong_field_is_named(self, client: TestClient, session: Session,
                                        policy: Policy) -> None:
        regisseur(session, policy)
        home = login(client, EMAIL, PASSWORD)
        response = client.post("/huishoudens/nieuw", data=family(
            csrf_token=csrf_of(home.text), **{
                "adult-0-email": "jan-at-example", "child-0-birth_date": days_from_today(3),
                "child-0-given_name": "", "adult-0-bsn": "12345"}))
        assert response.status_code == 422
        for key, text in [("adult-0-email", "Dit is geen e-mailadres"),
                          ("child-0-given_name", "Vul dit in."),
                          ("adult-0-bsn", "Een BSN bestaat uit 9 cijfers")]:
            assert f'<small id="{key}-error" class="field-error">{text}' in response.text, key
        again = client.post("/huishoudens/nieuw", data=family(
            csrf_token=csrf_of(home.text), **{"child-0-birth_date": days_from_today(3)}))
        assert "Deze geboortedatum ligt in de toekomst." in again.text

    def test_custody_of_an_adult_child_is_refused_by_field(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur(session, policy)
        home = login(client, EMAIL, PASSWORD)
        response = client.post("/huishoudens/nieuw", data=family(
            csrf_token=csrf_of(home.text), **{"child-0-birth_date": years_ago(19)}))
        assert response.status_code == 422
        assert '<small id="child-0-custody-error" class="field-error">Dit kind is 18 jaar ' \
               'of ouder' in response.text

    def test_adding_a_row_keeps_what_was_filled(self, client: TestClient, session: Session,
                                                policy: Policy) -> None:
        regisseur(session, policy)
        home = login(client, EMAIL, PASSWORD)
        response = client.post("/huishoudens/nieuw", data=family(
            csrf_token=csrf_of(home.text), add="adult"))
        assert response.status_code == 200
        assert 'name="adult-2-given_name"' in response.text
        assert 'value="Jan"' in response.text and 'value="Noor"' in response.text
        assert "Volwassene 1: Jan de Vries" in response.text
        assert session.scalar(select(Household.id).limit(1)) is None


class TestList:
    def test_named_by_the_adults_family_names_sorted_and_recorded(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        org = make_org(session, policy, name="Wijkteam Zuid")
        person = make_professional(session, org, roles=["regisseur"], email=EMAIL)
        actor = professional_principal(session, require_organisation(session, org.id), person)
        for label, adults in [("Gezin '.", [("Tim", "'t Hart"), ("Eva", "Zwart")]),
                              ("Gezin v.", [("Bas", "van den Berg")])]:
            create_household(session, actor=actor, body=HouseholdCreate.model_validate({
                "label": label, "members": [
                    {"ref": f"p{n}", "given_name": given, "family_name": family_name,
                     "birth_date": f"198{n}-01-01", "role": "parent"}
                    for n, (given, family_name) in enumerate(adults)] + [
                    {"ref": "c", "given_name": "Kim", "family_name": "X",
                     "birth_date": years_ago(5), "role": "child"}]}))
        login(client, EMAIL, PASSWORD)
        before = session.scalar(select(AuditPending.id).order_by(AuditPending.id.desc())
                                .limit(1))
        page = client.get("/huishoudens").text
        assert page.index("Gezin Van den Berg") < page.index("Gezin &#39;t Hart / Zwart")
        assert "(3 gezinsleden, 1 kind)" in page and "(2 gezinsleden, 1 kind)" in page
        assert "Gezin &#39;." not in page
        recorded = session.scalars(select(AuditPending).where(
            AuditPending.id > (before or 0), AuditPending.action == Action.DISCLOSURE)).all()
        assert len(recorded) == 3  # each adult's name passed the door


def test_sort_key_skips_the_tussenvoegsel() -> None:
    names = ["Zwart", "van der Berg", "'t Hart", "De Vries", "Bakker"]
    assert sorted(names, key=sort_key) == ["Bakker", "van der Berg", "'t Hart", "De Vries",
                                           "Zwart"]


class TestPersonalLinkPage:
    def test_the_link_shows_once_after_a_redirect_and_a_reload_makes_no_second(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        """Issue 20 acceptance 3 for the parent's personal link."""
        from broker.family.models import FamilyLink

        regisseur(session, policy)
        home = login(client, EMAIL, PASSWORD)
        created = client.post("/huishoudens/nieuw", follow_redirects=False,
                              data=family(csrf_token=csrf_of(home.text)))
        household_page = created.headers["location"]
        parent = session.scalars(select(Member).where(
            Member.household_id == household_page.removeprefix("/huishoudens/"),
            Member.ref == "ouder1")).one()
        path = f"{household_page}/leden/{parent.id}/link"
        made = client.post(path, data={"csrf_token": csrf_of(client.get(household_page).text)},
                           follow_redirects=False)
        assert made.status_code == 303, made.text[-2000:]
        assert made.headers["location"] == path
        shown = client.get(path)
        assert "Persoonlijke link gemaakt" in shown.text and "/mijn/link/" in shown.text
        again = client.get(path, follow_redirects=False)
        assert (again.status_code, again.headers["location"]) == (303, household_page)
        assert len(mail.messages) == 1  # to the parent's address
        assert len(session.scalars(select(FamilyLink).where(
            FamilyLink.member_id == parent.id)).all()) == 1
