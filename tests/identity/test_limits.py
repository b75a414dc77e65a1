"""The rate limits in the database (issue 23): counted per kind, client address and minute,
a sliding-window estimate, shared by every process on the database."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.clock import frozen_at
from broker.errors import RateLimited
from broker.identity.limits import (
    LimitKind,
    address_hash,
    forget_old_windows,
    seconds_until_room,
    take,
)
from broker.identity.models import RateWindow
from tests.conftest import BASE_URL, serve_in

MINUTE = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
KEY = b"k" * 32
HOME, OTHER = address_hash(KEY, "192.0.2.7"), address_hash(KEY, "192.0.2.8")


def attempt(session: Session, at: datetime, *, address: str = HOME,
            kind: LimitKind = LimitKind.TOKEN, per_minute: int = 3) -> int | None:
    """One request as the dependency makes it (a refused one rolls back): None when it
    passes, else its Retry-After."""
    with frozen_at(at):
        try:
            with session.begin_nested():
                take(session, kind=kind, address_hash=address, per_minute=per_minute)
        except RateLimited as refused:
            return refused.retry_after
    return None


def counts(session: Session) -> list[tuple[str, str, datetime, int]]:
    rows = session.execute(select(RateWindow.kind, RateWindow.address_hash,
                                  RateWindow.window_start, RateWindow.count)
                           .order_by(RateWindow.window_start, RateWindow.kind))
    return [tuple(row) for row in rows]  # type: ignore[misc]


class TestTake:
    def test_the_limit_passes_and_the_next_request_is_refused(self, session: Session) -> None:
        at = MINUTE + timedelta(seconds=10)
        assert [attempt(session, at) for _ in range(3)] == [None, None, None]
        assert attempt(session, at) == 70  # 20 s into the next minute these three weigh 2
        assert counts(session) == [("token", HOME, MINUTE, 3)], "a refusal is not counted"

    def test_each_address_and_kind_has_its_own_budget(self, session: Session) -> None:
        for _ in range(3):
            attempt(session, MINUTE)
        assert attempt(session, MINUTE) is not None
        assert attempt(session, MINUTE, address=OTHER) is None
        assert attempt(session, MINUTE, kind=LimitKind.LOGIN) is None

    def test_the_previous_minute_weighs_as_much_of_it_as_is_still_within_a_minute(
            self, session: Session) -> None:
        for _ in range(3):
            attempt(session, MINUTE + timedelta(seconds=50))
        next_minute = MINUTE + timedelta(minutes=1)
        # 10 s on, the previous three weigh 2.5: no room (2.5 + 1 > 3), until 20 s on.
        assert attempt(session, next_minute + timedelta(seconds=10)) == 10
        assert attempt(session, next_minute + timedelta(seconds=21)) is None
        # A minute without requests later the old ones weigh nothing.
        assert [attempt(session, next_minute + timedelta(minutes=2)) for _ in range(4)
                ] == [None, None, None, 80]

    def test_requests_across_the_turn_of_a_minute_stay_within_the_limit(
            self, session: Session) -> None:
        """Two at the end of a minute and two at the start of the next: the fourth is one
        too many, as within one minute (a fixed window would let it through)."""
        end = MINUTE + timedelta(seconds=59)
        start = MINUTE + timedelta(minutes=1, seconds=1)
        answers = [attempt(session, end), attempt(session, end), attempt(session, start),
                   attempt(session, start)]
        assert answers[:3] == [None, None, None] and answers[3] is not None

    def test_no_address_is_stored(self, session: Session) -> None:
        attempt(session, MINUTE)
        [(_, stored, _, _)] = counts(session)
        assert stored == address_hash(KEY, "192.0.2.7") and "192.0.2" not in stored
        assert stored != address_hash(b"another deployment's key", "192.0.2.7")


class TestSecondsUntilRoom:
    @pytest.mark.parametrize(("previous", "counted", "elapsed", "seconds"), [
        (0, 3, 0.0, 80),     # full now: next minute, once these three weigh two
        (0, 3, 0.5, 50),
        (3, 0, 0.0, 20),     # the previous minute's three weigh two after a third of this
        (3, 2, 0.5, 30),     # room only when the previous minute is out of sight
        (6, 0, 0.25, 25),    # six weigh two once two thirds of this minute are gone
        (0, 10, 0.999, 49),  # ten now: the next minute must be 0.8 gone (48.06 s, ceil)
    ])
    def test_when_one_more_request_fits(self, previous: int, counted: int, elapsed: float,
                                        seconds: int) -> None:
        assert seconds_until_room(previous=previous, counted=counted, per_minute=3,
                                  elapsed=elapsed) == seconds


class TestForgetOldWindows:
    def test_only_the_current_and_previous_minutes_are_kept(self, session: Session) -> None:
        for minutes in (0, 1, 2, 3):
            attempt(session, MINUTE + timedelta(minutes=minutes))
        with frozen_at(MINUTE + timedelta(minutes=3, seconds=30)):
            forget_old_windows(session)
        assert [row[2] for row in counts(session)] == [MINUTE + timedelta(minutes=2),
                                                        MINUTE + timedelta(minutes=3)]


@pytest.fixture
def strict(app: FastAPI, session: Session) -> Iterator[FastAPI]:
    """The app with limits of 3 a minute, its requests in the test's transaction."""
    serve_in(app, session)
    before = app.state.limits
    app.state.limits = {LimitKind.LOGIN: 3, LimitKind.TOKEN: 3}
    yield app
    app.state.limits = before
    app.dependency_overrides.clear()


def token_request(app: FastAPI, host: str) -> int:
    client = TestClient(app, base_url=BASE_URL, raise_server_exceptions=False,
                        client=(host, 50000))
    return client.post("/oauth/token", data={"grant_type": "client_credentials"},
                       auth=("nobody", "wrong")).status_code


def test_the_addresses_of_one_ipv6_subscriber_share_a_budget(strict: FastAPI) -> None:
    """A subscriber has a /64 at least: counted as one client, not 2**64."""
    statuses = [token_request(strict, f"2001:db8:1:2::{n:x}") for n in range(1, 5)]
    assert statuses == [401, 401, 401, 429]
    assert token_request(strict, "2001:db8:1:3::1") == 401  # the next /64 is someone else


def test_an_ipv4_mapped_address_is_the_ipv4_client(strict: FastAPI) -> None:
    statuses = [token_request(strict, host) for host in
                ("192.0.2.7", "::ffff:192.0.2.7", "192.0.2.7", "::ffff:192.0.2.7")]
    assert statuses == [401, 401, 401, 429]
