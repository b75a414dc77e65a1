"""Issue 20: the family page a parent reads on a phone. Routine views (the household's page
opened again and again) fold into one line per organisation and month with a count, so what
was really shared stands out; a link that no longer works says what to do next; withdrawing
a consent is confirmed and shown; the header offers to log out of the family session."""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.audit.queries import ReportLine
from broker.clock import frozen_at, now
from broker.family.activity import Routine, group
from broker.policy import Policy
from tests.consent.helpers import consent_body
from tests.dates import days_from_today
from tests.family.test_transparency import Family, link, make_family, open_page
from tests.identity.flows import csrf_of


@pytest.fixture
def family(client: TestClient, session: Session, policy: Policy) -> Family:
    return make_family(client, session, policy)


def line(seq: int, at: str, *, org: str = "school", subject: str = "m",
         object_type: str | None = "household", object_id: str | None = "h1",
         categories: tuple[str, ...] = ("basisgegevens",), actor: str = "p1",
         trace: str | None = None) -> ReportLine:
    return ReportLine(seq=seq, recorded_at=at, action="disclosure", subject_id=subject,
                      organisation_id=org, organisation_name=org.upper(),
                      categories=list(categories), purpose="hulpverlening", basis="consent",
                      processing_activity=None, lawful_basis=None, override_ids=[],
                      object_type=object_type, object_id=object_id, actor_id=actor,
                      trace_id=trace)


class TestGroup:
    def test_twelve_openings_of_the_household_page_are_one_line_with_a_count(self) -> None:
        lines = [line(2 * n + k, f"2026-11-{n + 1:02d}T10:00:00.000000Z", subject=who)
                 for n in range(12) for k, who in enumerate(("m", "c1"))]
        activity = group(lines, people=["m", "c1"], regisseur_id=None,
                         regisseur_organisation_id=None)
        (school,) = activity.organisations
        (month,) = school.months
        (fold,) = month.folds
        assert (fold.kind, fold.times, fold.subject_ids) == (Routine.FILE, 12, ["m", "c1"])
        assert month.items == [] and activity.routine == 12 and activity.total == 24
        assert str(month.first_day) == "2026-11-01" and str(activity.since) == "2026-11-01"

    def test_a_page_that_shows_a_person_twice_is_opened_once(self) -> None:
        lines = [line(n, "2026-11-02T10:00:00.000000Z", trace=f"t{n // 2}") for n in range(6)]
        (school,) = group(lines, people=["m"], regisseur_id=None,
                          regisseur_organisation_id=None).organisations
        assert [f.times for f in school.months[0].folds] == [3]

    def test_reading_the_consents_with_the_household_page_folds_with_it(self) -> None:
        lines = [line(n, f"2026-11-0{n}T10:00:00.000000Z", object_type=kind,
                      object_id=None if kind == "consent" else "h1",
                      categories=() if kind == "consent" else ("basisgegevens",))
                 for n, kind in enumerate(("household", "consent", "household", "consent"), 1)]
        (school,) = group(lines, people=["m"], regisseur_id=None,
                          regisseur_organisation_id=None).organisations
        (fold,) = school.months[0].folds
        assert (fold.kind, fold.times, school.months[0].items) == (Routine.FILE, 2, [])
        assert (fold.categories, fold.objects) == (["basisgegevens"], ["consent"])

    def test_a_disclosure_stands_apart_and_seeing_it_again_folds(self) -> None:
        lines = [line(1, "2026-10-05T10:00:00.000000Z", object_type="observation",
                      object_id="o1", categories=("onderwijs",)),
                 line(2, "2026-11-05T10:00:00.000000Z", object_type="observation",
                      object_id="o1", categories=("onderwijs",)),
                 line(3, "2026-11-06T10:00:00.000000Z", object_type="observation",
                      object_id="o1", categories=("onderwijs",))]
        (school,) = group(lines, people=["m"], regisseur_id=None,
                          regisseur_organisation_id=None).organisations
        november, october = school.months
        assert [i.seq for i in october.items] == [1] and october.folds == []
        (again,) = november.folds
        assert (again.kind, again.times, november.items) == (Routine.AGAIN, 2, [])

    def test_the_regisseur_is_named_apart_and_the_latest_organisation_comes_first(self) -> None:
        lines = [line(1, "2026-11-01T10:00:00.000000Z", org="wijkteam", actor="reg"),
                 line(2, "2026-11-02T10:00:00.000000Z", org="wijkteam", actor="colleague"),
                 line(3, "2026-11-03T10:00:00.000000Z", org="school")]
        activity = group(lines, people=["m"], regisseur_id="reg",
                         regisseur_organisation_id="wijkteam")
        assert [o.organisation_id for o in activity.organisations] == ["school", "wijkteam"]
        folds = activity.organisations[1].months[0].folds
        assert [(f.by_regisseur, f.times) for f in folds] == [(True, 1), (False, 1)]


def test_a_household_opened_many_times_shows_one_folded_line(
        client: TestClient, family: Family) -> None:
    for _ in range(11):  # and once when the family was made
        seen = client.get(f"/api/v1/households/{family.household}",
                          headers=family.school.headers)
        assert seen.status_code == 200
    granted = client.post("/api/v1/consents", headers=family.regisseur.headers,
                          json=consent_body(family.ids["c1"], [family.ids[r] for r in
                                                               ("c1", "m", "p")],
                                            categories=["onderwijs"],
                                            recipients=[{"organisation_id":
                                                         family.school.org.id}]))
    assert granted.status_code == 201, granted.text
    shared = client.post("/api/v1/observations", headers=family.regisseur.headers, json={
        "subject_id": family.ids["c1"], "category": "onderwijs", "concern": "low",
        "observed_on": days_from_today(-1), "body": "Noor gaat graag naar school."})
    assert shared.status_code == 201, shared.text
    assert client.get(f"/api/v1/households/{family.household}/observations",
                      headers=family.school.headers).status_code == 200
    open_page(client, family, "m")
    page = client.get("/mijn").text
    school = page.split('data-organisation="' + family.school.org.id)[1].split("</article>")[0]
    folds = re.findall(r'<li class="fold" data-kind="file" data-times="(\d+)"', school)
    assert folds == ["12"]
    assert "OBS De Linde heeft uw dossier 12 keer geopend." in school
    items = re.findall(r'<li class="item" data-about="([^"]+)"', school)
    assert items == [family.ids["c1"]]  # the observation about Noor, on its own line
    assert "School</strong> (over Noor)" in school
    summary = page.split('class="summary"')[1].split("</article>")[0]
    assert "organisaties iets over u of uw kinderen gezien of gekregen" in summary
    assert page.index('class="summary"') < page.index('id="gedeeld"')
    for raw in ("Foutcode", "hulpverlening", "basisgegevens", "(1 gezin, 1 plan"):
        assert raw not in page


def test_a_used_link_says_so_and_whom_to_ask(client: TestClient, family: Family) -> None:
    token = link(client, family, "m")
    csrf = csrf_of(client.get(f"/mijn/link/{token}").text)
    assert client.post(f"/mijn/link/{token}", data={"csrf_token": csrf},
                       follow_redirects=False).status_code == 303
    for again in (client.get(f"/mijn/link/{token}"),
                  client.post(f"/mijn/link/{token}", data={"csrf_token": csrf})):
        assert again.status_code == 404
        assert "Deze link is al gebruikt" in again.text
        assert (f"Vraag uw regisseur van Team Noord ({family.regisseur.org.name}) om een "
                "nieuwe link.") in again.text
        assert "Foutcode" not in again.text and "link_invalid" not in again.text
        assert "Open mijn pagina" not in again.text


def test_an_expired_or_unknown_link_says_what_to_do(client: TestClient,
                                                     family: Family) -> None:
    token = link(client, family, "m")
    with frozen_at(now() + timedelta(days=15)):
        late = client.get(f"/mijn/link/{token}")
    assert late.status_code == 404 and "Deze link is verlopen" in late.text
    assert "Vraag uw regisseur van Team Noord" in late.text
    unknown = client.get("/mijn/link/not-a-link")
    assert unknown.status_code == 404 and "Deze link werkt niet" in unknown.text
    assert "Vraag uw regisseur om een nieuwe link." in unknown.text
    assert "Team Noord" not in unknown.text  # nothing is known of a link that never was
    assert "Foutcode" not in unknown.text + late.text


def test_without_a_session_the_page_says_how_to_open_it_again(client: TestClient,
                                                               family: Family) -> None:
    closed = client.get("/mijn")
    assert closed.status_code == 401
    assert "Uw pagina is gesloten" in closed.text and "nieuwe link" in closed.text
    assert "Foutcode" not in closed.text and 'href="/login"' not in closed.text


def test_the_header_offers_to_log_out_of_the_family_session(client: TestClient,
                                                            family: Family) -> None:
    open_page(client, family, "m")
    page = client.get("/mijn").text
    header = page.split("</header>")[0]
    assert 'action="/mijn/uitloggen"' in header and "Uitloggen" in header
    assert "Inloggen" not in header
    out = client.post("/mijn/uitloggen", data={"csrf_token": csrf_of(page)},
                      follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/mijn").status_code == 401


def test_withdrawing_is_confirmed_shown_and_a_second_tap_repeats_nothing(
        client: TestClient, family: Family) -> None:
    open_page(client, family, "m")
    page = client.get("/mijn").text
    consent = re.search(r'data-consent="([^"]+)" data-status="active"', page)
    assert consent is not None
    consent_id = consent.group(1)
    assert "Ja, trek deze toestemming in" in page  # behind a question, not one tap
    for _ in range(2):
        done = client.post(f"/mijn/toestemming/{consent_id}/intrekken",
                           data={"csrf_token": csrf_of(page)}, follow_redirects=False)
        assert done.status_code == 303
        assert done.headers["location"] == f"/mijn?ingetrokken={consent_id}#toestemming"
    after = client.get(done.headers["location"]).text
    assert f'data-consent="{consent_id}" data-status="withdrawn"' in after
    assert "U heeft deze toestemming ingetrokken." in after
    assert re.search(r"Ingetrokken</strong>\s+op \d+ \w+ \d{4}", after)


def test_a_fold_says_when_something_was_allowed_without_consent(policy: Policy) -> None:
    """An override's routine views still fold, but the line says so outside the details."""
    from datetime import date
    from types import SimpleNamespace

    from broker.family import labels
    from broker.web.templating import environment

    lines = [replace(line(n, f"2026-11-0{n}T10:00:00.000000Z"), basis=basis)
             for n, basis in ((1, "consent"), (2, "override"))]
    view = SimpleNamespace(member_id="m", people=["m"], consents=[], plan=None, private={},
                           organisations={}, requests=[],
                           activity=group(lines, people=["m"], regisseur_id=None,
                                          regisseur_organisation_id=None))
    html = environment.get_template("family/mine.html").render(
        view=view, names={"m": "Sanne"}, labels=labels, policy=policy, requests=[],
        today=date(2026, 12, 1), withdrawn=None, grounds={}, lang="nl", languages={},
        nav=[], csrf_token="x", family_session=True, day=str, month=lambda d, year=True: "nov")
    fold = html.split('<li class="fold"')[1].split("<details>")[0]
    assert "dit mocht zonder uw toestemming." in fold
    assert "De veiligheid van uw kind ging voor (meldcode)." in fold
