"""Defect 8: the worlds the tests build are dated relative to the clock, so the suite holds on
any day it runs. Each is built here with the clock frozen at a far date; its consents must
still be granted. With fixed birth dates the matrix's child turned 12 on 11 February 2027 (his
mother alone could no longer consent) and the family's Daan in October 2027."""

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.clock import frozen_at
from broker.policy import Policy
from tests.conftest import Mailbox
from tests.consent.helpers import caller, consent_body, jansen
from tests.dates import days_from_today, today, years_ago
from tests.family.test_transparency import make_family
from tests.system.matrix_world import build

FAR = [pytest.param(datetime(2028, 6, 1, 10, tzinfo=UTC), id="2028-06-01"),
       pytest.param(datetime(2040, 2, 29, 12, tzinfo=UTC), id="leap day 2040"),
       # 00:30 on New Year's Day in Amsterdam, still the old year in UTC
       pytest.param(datetime(2031, 12, 31, 23, 30, tzinfo=UTC), id="new year in Amsterdam")]


class TestDates:
    @pytest.mark.parametrize(("moment", "day"), [
        (datetime(2028, 6, 1, 10, tzinfo=UTC), date(2028, 6, 1)),
        (datetime(2040, 2, 29, 12, tzinfo=UTC), date(2040, 2, 29)),
        (datetime(2031, 12, 31, 23, 30, tzinfo=UTC), date(2032, 1, 1))])
    def test_today_is_the_amsterdam_calendar_day(self, moment: datetime, day: date) -> None:
        with frozen_at(moment):
            assert today() == day
            assert days_from_today(-1) == (day - timedelta(days=1)).isoformat()

    @pytest.mark.parametrize(("moment", "years", "days", "born"), [
        (datetime(2028, 6, 1, 10, tzinfo=UTC), 11, 30, "2017-05-02"),
        (datetime(2028, 6, 1, 10, tzinfo=UTC), 12, -1, "2016-06-02"),
        (datetime(2031, 12, 31, 23, 30, tzinfo=UTC), 12, 0, "2020-01-01"),
        (datetime(2040, 2, 29, 12, tzinfo=UTC), 12, 0, "2028-02-29"),
        (datetime(2040, 2, 29, 12, tzinfo=UTC), 13, 0, "2027-02-28")])
    def test_years_ago_is_a_birth_date_that_many_years_back(
            self, moment: datetime, years: int, days: int, born: str) -> None:
        with frozen_at(moment):
            assert years_ago(years, days) == born


@pytest.mark.parametrize("moment", FAR)
class TestWorldsOnAFarDay:
    def test_the_access_matrix_world_has_its_consent(
            self, client: TestClient, session: Session, policy: Policy, smtp_server: Mailbox,
            moment: datetime) -> None:
        smtp_server.serve(session)
        with frozen_at(moment):
            world = build(client, session, policy)
            decision = client.post("/api/v1/decisions", headers=world.personas["par"].headers,
                                   json={"subject_id": world.ids["child"],
                                         "category": "onderwijs", "purpose": "hulpverlening",
                                         "recipient": {"organisation_id": world.ids["school"]}})
        assert decision.status_code == 200, decision.text
        assert decision.json()["effect"] == "permit"

    def test_the_transparency_family_has_its_consents(
            self, client: TestClient, session: Session, policy: Policy,
            moment: datetime) -> None:
        with frozen_at(moment):
            family = make_family(client, session, policy)  # asserts each consent is granted
        assert set(family.ids) == {"m", "p", "c1", "c2", "c3", "household"}

    def test_the_jansens_are_13_and_11(self, client: TestClient, session: Session,
                                       policy: Policy, moment: datetime) -> None:
        with frozen_at(moment):
            regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
            ids = jansen(client, regisseur)

            def grant(subject: str, grantors: list[str]) -> int:
                return client.post("/api/v1/consents", headers=regisseur.headers,
                                   json=consent_body(ids[subject], [ids[g] for g in grantors])
                                   ).status_code

            assert grant("c2", ["m", "p"]) == 201  # Daan is under 12: his parents consent
            assert grant("c1", ["m", "p"]) == 422  # Noor is 12 to 15: not without her,
            assert grant("c1", ["c1"]) == 422  # nor alone,
            assert grant("c1", ["c1", "m", "p"]) == 201  # but with both parents
