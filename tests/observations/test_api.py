"""Issue 6: observations are checked at the door before they are stored and for every
reader; what a reader may not see is withheld with a reason and whom to ask."""

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from broker.audit.models import AuditPending
from broker.clock import frozen_at, local_day, now
from broker.observations.models import Observation
from broker.policy import Policy
from broker.retention import run_retention
from tests.consent.helpers import caller
from tests.dates import days_from_today, local_moment
from tests.observations.helpers import TEXT, network, observation


def read(client: TestClient, headers: dict[str, str], household: str) -> dict:
    response = client.get(f"/api/v1/households/{household}/observations", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


class TestAcceptance1SharedWithConsent:
    def test_school_shares_gp_gets_a_stub_regisseur_sees_it_until_withdrawal(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        noor, household = net.family["c1"], net.family["household"]
        submitted = client.post("/api/v1/observations", headers=net.school.headers,
                                json=observation(noor))
        assert submitted.status_code == 201, submitted.text
        assert submitted.json()["basis"] == "consent"
        assert submitted.json()["consent_ids"] == [net.onderwijs_consent]

        gp_view = read(client, net.gp.headers, household)
        assert gp_view["items"] == []
        [stub] = gp_view["withheld"]
        assert stub["id"] == submitted.json()["id"] and "toestemming" in stub["reason"]
        assert stub["category"] == "onderwijs" and stub["submitted_by_party"] == "school"
        assert "regisseur" in stub["ask"] and TEXT not in str(gp_view)

        [item] = read(client, net.regisseur.headers, household)["items"]
        assert item["body"] == TEXT and item["basis"] == "consent"
        assert item["submitted_by"]["organisation_name"] == "De Linde"

        withdrawn = client.post(f"/api/v1/consents/{net.onderwijs_consent}/withdraw",
                                headers=net.regisseur.headers,
                                json={"grantor_id": net.family["m"]})
        assert withdrawn.status_code == 200, withdrawn.text
        after = read(client, net.regisseur.headers, household)
        assert after["items"] == [] and [s["id"] for s in after["withheld"]] == [item["id"]]

    def test_the_submitter_always_sees_its_own_submission(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        obs_id = client.post("/api/v1/observations", headers=net.school.headers,
                             json=observation(net.family["c1"])).json()["id"]
        client.post(f"/api/v1/consents/{net.onderwijs_consent}/withdraw",
                    headers=net.regisseur.headers, json={"grantor_id": net.family["p"]})
        # No longer named in a consent in force, the school no longer sees the household...
        assert client.get(f"/api/v1/households/{net.family['household']}/observations",
                          headers=net.school.headers).status_code == 404
        # ...but its own submission, through the door, always.
        own = client.get(f"/api/v1/observations/{obs_id}", headers=net.school.headers)
        assert own.status_code == 200, own.text
        assert own.json()["basis"] == "own_submission" and own.json()["body"] == TEXT
        assert client.get(f"/api/v1/observations/{obs_id}",
                          headers=net.gp.headers).status_code == 404

    def test_every_shown_item_and_stub_is_in_the_audit_log(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        obs_id = client.post("/api/v1/observations", headers=net.school.headers,
                             json=observation(net.family["c1"])).json()["id"]
        read(client, net.gp.headers, net.family["household"])
        read(client, net.regisseur.headers, net.family["household"])
        events = session.execute(select(AuditPending.action, AuditPending.basis,
                                        AuditPending.actor_organisation_id,
                                        AuditPending.payload)
                                 .where(AuditPending.payload.contains(obs_id))).all()
        by_org = {(e.action, e.actor_organisation_id, e.basis) for e in events}
        assert ("disclosure", net.school.org.id, "consent") in by_org  # the submission
        assert ("refusal", net.gp.org.id, None) in by_org
        assert ("disclosure", net.regisseur.org.id, "consent") in by_org
        assert all(TEXT not in e.payload for e in events)


class TestAcceptance2NoConsent:
    def test_refused_nothing_stored_refusal_recorded(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        secret = "Moeder vertelde over schulden en ruzie thuis."
        response = client.post("/api/v1/observations", headers=net.school.headers,
                               json=observation(net.family["c1"], category="financien",
                                                body=secret))
        assert response.status_code == 403
        problem = response.json()
        assert problem["code"] == "no_consent" and problem["meldcode"] is False
        assert {m["role"] for m in problem["missing"]} >= {"custodian"}
        assert session.scalars(select(Observation)).all() == []
        assert secret not in _every_stored_text(session)
        refusals = session.scalars(select(AuditPending.action).where(
            AuditPending.action == "refusal",
            AuditPending.actor_organisation_id == net.school.org.id,
            AuditPending.payload.contains('"object_type":"observation"'))).all()
        assert refusals == ["refusal"]

    def test_high_concern_without_consent_points_to_the_meldcode(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        response = client.post("/api/v1/observations", headers=net.school.headers,
                               json=observation(net.family["c1"], category="veiligheid",
                                                concern="acute"))
        assert response.status_code == 403
        assert response.json()["meldcode"] is True
        assert "meldcode" in response.json()["detail"]


def _every_stored_text(session: Session) -> str:
    """SQLite: the database file and its WAL, byte for byte, and a dump of every table.
    PostgreSQL: every text, JSON and bytea value in the test's schema."""
    if session.connection().dialect.name == "sqlite":
        session.flush()
        path = Path(str(session.connection().engine.url.database))
        raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal"))
                       if p.exists())
        return raw.decode("utf-8", "replace") + "\n".join(
            session.connection().connection.iterdump())
    rows = session.execute(text(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', "
        "'bytea', 'json', 'jsonb')")).all()
    values = []
    for table, column in rows:
        values += [str(v) for v in session.execute(text(
            f'SELECT "{column}"::text FROM "{table}"')).scalars()]
    return "\n".join(values)


class TestAcceptance3SpecialCategoryStubs:
    def test_a_mental_health_stub_names_neither_category_nor_jggz(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        jggz = caller(client, session, policy, party="jggz", roles=["partner"],
                      name="JGGZ Rivierenland")
        grantors = [net.family["c1"], net.family["m"], net.family["p"]]
        consent = client.post("/api/v1/consents", headers=net.regisseur.headers, json={
            "subject_id": net.family["c1"], "categories": ["psychische_gezondheid"],
            "recipients": [{"party": "wijkteam"}], "purposes": ["hulpverlening"],
            "grantor_ids": grantors, "evidence": {"method": "written"}})
        assert consent.status_code == 201, consent.text
        shared = client.post("/api/v1/observations", headers=jggz.headers, json=observation(
            net.family["c1"], category="psychische_gezondheid", body="Angstklachten."))
        assert shared.status_code == 201, shared.text
        gp_view = read(client, net.gp.headers, net.family["household"])
        [stub] = gp_view["withheld"]
        assert stub["category"] is None and stub["submitted_by_party"] is None
        flat = str(gp_view).lower()
        assert "psychisch" not in flat and "jggz" not in flat and "rivierenland" not in flat


class TestValidation:
    def test_future_date_unknown_category_and_overlong_body_are_refused(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        noor = net.family["c1"]
        with frozen_at(local_moment(0, 23, 30)):  # tomorrow begins in half an hour
            future = client.post("/api/v1/observations", headers=net.school.headers,
                                 json=observation(noor, observed_on=days_from_today(1)))
        assert future.status_code == 422 and future.json()["code"] == "future_date"
        unknown = client.post("/api/v1/observations", headers=net.school.headers,
                              json=observation(noor, category="astrologie"))
        assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_category"
        long = client.post("/api/v1/observations", headers=net.school.headers,
                           json=observation(noor, body="x" * 4001))
        assert long.status_code == 422 and "x" * 50 not in long.text

    def test_unrelated_organisation_gets_404_for_the_list(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        stranger = caller(client, session, policy, party="woningcorporatie", roles=["partner"])
        response = client.get(f"/api/v1/households/{net.family['household']}/observations",
                              headers=stranger.headers)
        assert response.status_code == 404


class TestAcceptance5PreviewAgreesWithSubmission:
    def test_preview_and_submission_agree(self, client: TestClient, session: Session,
                                          policy: Policy) -> None:
        net = network(client, session, policy)
        # Named in a consent in force: the GP, and the school until its consent ends.
        involved = {net.gp.org.id, net.regisseur.org.id, net.school.org.id}

        @settings(max_examples=80, deadline=None)
        @given(data=st.data())
        def agree(data: st.DataObject) -> None:
            submitter = data.draw(st.sampled_from([net.school, net.gp, net.regisseur]))
            body = observation(
                data.draw(st.sampled_from([net.family[r] for r in ("c1", "c2", "m")])),
                category=data.draw(st.sampled_from(["onderwijs", "gezondheid", "financien",
                                                    "veiligheid", "psychische_gezondheid"])),
                concern=data.draw(st.sampled_from(["none", "low", "medium", "high", "acute"])))
            if data.draw(st.booleans()):  # now and then the education consent ends
                client.post(f"/api/v1/consents/{net.onderwijs_consent}/withdraw",
                            headers=net.regisseur.headers, json={"grantor_id": net.family["m"]})
                involved.discard(net.school.org.id)
            preview = client.post("/api/v1/observations/preview", headers=submitter.headers,
                                  json=body)
            assert preview.status_code == 200, preview.text
            submitted = client.post("/api/v1/observations", headers=submitter.headers,
                                    json=body)
            assert submitted.status_code == (201 if preview.json()["accepted"] else 403)
            if submitted.status_code == 403:
                problem = submitted.json()
                assert problem["meldcode"] == preview.json()["meldcode"]
                assert problem["missing"] == preview.json()["missing"]
            own = [r for r in preview.json()["recipients"]
                   if r["organisation_id"] == net.regisseur.org.id]
            # The network is shown only to the involved; sharing does not make one involved.
            assert len(own) == (1 if submitter.org.id in involved else 0)
            assert all((r["effect"] == "permit") == preview.json()["accepted"] for r in own)

        agree()


class TestAmendments:
    def test_correction_and_retraction_are_shown_with_the_original(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        obs_id = client.post("/api/v1/observations", headers=net.school.headers,
                             json=observation(net.family["c1"])).json()["id"]
        path = f"/api/v1/observations/{obs_id}/amendments"
        not_mine = client.post(path, headers=net.regisseur.headers,
                               json={"kind": "retraction"})
        assert not_mine.status_code == 404
        corrected = client.post(path, headers=net.school.headers,
                                json={"kind": "correction", "body": "Verzuim: 7 dagen."})
        assert corrected.status_code == 201, corrected.text
        assert client.post(path, headers=net.school.headers,
                           json={"kind": "retraction"}).status_code == 201
        [item] = read(client, net.regisseur.headers, net.family["household"])["items"]
        assert item["body"] == TEXT and item["retracted"] is True
        assert [(a["kind"], a["body"]) for a in item["amendments"]] == [
            ("correction", "Verzuim: 7 dagen."), ("retraction", None)]
        again = client.post(path, headers=net.school.headers, json={"kind": "retraction"})
        assert again.status_code == 422 and again.json()["code"] == "retracted"


class TestPreviewPrivacy:
    def test_an_uninvolved_caller_learns_the_answer_but_not_the_network(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        net = network(client, session, policy)
        stranger = caller(client, session, policy, party="woningcorporatie", roles=["partner"])
        preview = client.post("/api/v1/observations/preview", headers=stranger.headers,
                              json=observation(net.family["c1"], category="huisvesting"))
        assert preview.status_code == 200
        assert preview.json()["accepted"] is False and preview.json()["recipients"] == []
        assert "Jansen" not in preview.text
        involved = client.post("/api/v1/observations/preview", headers=net.gp.headers,
                               json=observation(net.family["c1"], category="gezondheid"))
        names = {r["organisation_name"] for r in involved.json()["recipients"]}
        assert "Huisartsenpraktijk Oost" in names and len(names) >= 2


class TestRetention:
    def test_an_old_observation_stays_while_the_file_changes_and_goes_20_years_after(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        """Jeugdwet 7.3.8: the term counts from the last change to the person's file, not
        from each record's creation."""
        net = network(client, session, policy)
        old = client.post("/api/v1/observations", headers=net.regisseur.headers,
                          json=observation(net.family["c1"]))
        assert old.status_code == 201, old.text
        with frozen_at(now() + timedelta(days=365 * 15)):
            recent = client.post("/api/v1/observations", headers=net.regisseur.headers,
                                 json=observation(net.family["c1"], observed_on=(
                                     local_day(now()) - timedelta(days=1)).isoformat()))
            assert recent.status_code == 201, recent.text
        with frozen_at(now() + timedelta(days=365 * 21)):
            lines = {line.kind: line for line in run_retention(session, policy=policy)}
        assert lines["observations"].removed == 0  # Noor's file changed 6 years ago
        assert len(session.scalars(select(Observation.id)).all()) == 2
        with frozen_at(now() + timedelta(days=365 * 36)):
            lines = {line.kind: line for line in run_retention(session, policy=policy)}
        assert lines["observations"].removed == 2
        assert session.scalars(select(Observation.id)).all() == []
        assert session.scalars(select(AuditPending.id).where(
            AuditPending.payload.contains(old.json()["id"]))).all()
