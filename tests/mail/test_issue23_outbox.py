"""Issue 23: e-mail goes through an outbox. A request writes its mail in its own transaction;
the delivery job sends it after commit, once, retrying with back-off; a slow or absent mail
server delays no request; the admin sees what waits and what failed."""

import dataclasses
import email
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import broker.db
from broker.audit.context import INFO_KEY
from broker.clock import frozen_at, now
from broker.config import Settings
from broker.db import Database, committing
from broker.mail import service as outbox
from broker.mail.models import OutboxMessage, OutboxStatus
from broker.mail.transport import plain_message
from broker.policy import Policy
from tests.conftest import Mailbox, free_port, make_settings
from tests.consent.helpers import caller
from tests.databases import fresh_database
from tests.meetings.test_api import arrange


@contextmanager
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A mail server that takes connections and never says a word (as one that answers
    after 30 s does, for as long as a request would wait): its port and its connections."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def settings_for(session: Session, **smtp: object) -> Settings:
    return session.info[INFO_KEY].settings.model_copy(update=smtp)


def deliver(session: Session, settings: Settings) -> int:
    each = contextmanager(committing)
    return outbox.deliver(lambda: each(session), settings)


def rows(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))


def test_a_mail_server_that_does_not_answer_delays_no_request(
        client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
    with silent_server() as (port, connections):
        session.info[INFO_KEY] = dataclasses.replace(
            session.info[INFO_KEY], settings=settings_for(session, smtp_port=port))
        regisseur, _, _, meeting = arrange(client, session, policy)
        scheduled = client.post(f"/api/v1/meetings/{meeting['id']}/schedule",
                                headers=regisseur.headers,
                                json={"slot_id": meeting["slots"][0]["id"]})
        assert scheduled.status_code == 200, scheduled.text
        assert connections == []  # the request did not talk to any mail server
    waiting = rows(session)
    assert waiting and {r.status for r in waiting} == {OutboxStatus.PENDING}
    assert {r.kind for r in waiting} == {"invitation"}
    # the job sends them once the server answers
    assert deliver(session, settings_for(session, smtp_host=mail.host,
                                         smtp_port=mail.port)) == len(waiting)
    assert len(mail.received) == len(waiting)


def test_the_job_waits_for_a_silent_server_and_tries_again_later(
        session: Session, mail: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("broker.mail.transport.SMTP_TIMEOUT", 0.5)
    outbox.enqueue(session, [plain_message(settings_for(session), "a@example.org", "s", "t")],
                   kind="reminder")
    with silent_server() as (port, connections):
        assert deliver(session, settings_for(session, smtp_port=port)) == 0
        assert len(connections) == 1
    (row,) = rows(session)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1


def test_what_a_failed_transaction_wrote_is_never_sent(session: Session, mail: Mailbox) -> None:
    settings = settings_for(session)
    with pytest.raises(RuntimeError), session.begin_nested():
        outbox.enqueue(session, [plain_message(settings, "a@example.org", "s", "t")],
                       kind="invitation")
        raise RuntimeError("the commit fails")
    assert rows(session) == [] and mail.messages == []


def test_retried_with_back_off_then_sent_once(session: Session, mail: Mailbox) -> None:
    settings = settings_for(session)
    outbox.enqueue(session, [plain_message(settings, "a@example.org", "Onderwerp", "Tekst")],
                   kind="reminder")
    away = settings_for(session, smtp_port=free_port())  # nothing listens there
    assert deliver(session, away) == 0
    (row,) = rows(session)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 1, "MailFailed")
    assert row.next_attempt_at is not None
    assert row.next_attempt_at - now() <= outbox.FIRST_RETRY
    assert deliver(session, settings) == 0  # not before its time, even with the server back
    with frozen_at(now() + outbox.FIRST_RETRY + timedelta(seconds=1)):
        assert deliver(session, away) == 0
        (row,) = rows(session)
        assert row.attempts == 2
        assert row.next_attempt_at - now() > outbox.FIRST_RETRY  # twice as long
    with frozen_at(now() + outbox.FIRST_RETRY * 4):
        assert deliver(session, settings) == 1
        assert deliver(session, settings) == 0  # once
    assert len(mail.received) == 1
    (row,) = rows(session)
    assert row.status == OutboxStatus.SENT and row.sent_at is not None
    assert row.message is None  # the text (address, links) is not kept once sent
    received = email.message_from_bytes(mail.received[0])
    assert received["To"] == "a@example.org" and received["Subject"] == "Onderwerp"


def test_given_up_after_the_last_try_and_the_admin_sees_it(
        client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
    settings = settings_for(session)
    outbox.enqueue(session, [plain_message(settings, "ouder@example.org", "s", "t")],
                   kind="family_link")
    away = settings_for(session, smtp_port=free_port())
    moment = now()
    for _ in range(outbox.MAX_ATTEMPTS):
        with frozen_at(moment):
            deliver(session, away)
        moment += outbox.LAST_RETRY + timedelta(seconds=1)
    (row,) = rows(session)
    assert row.status == OutboxStatus.FAILED and row.attempts == outbox.MAX_ATTEMPTS
    with frozen_at(moment):
        assert deliver(session, settings) == 0  # given up: not sent any more
    admin = caller(client, session, policy, party="gemeente", roles=["admin"])
    seen = client.get("/api/v1/outbox", headers=admin.headers)
    assert seen.status_code == 200
    body = seen.json()
    assert body["failed"] == 1 and body["pending"] == 0
    assert body["waiting"][0]["kind"] == "family_link"
    assert body["waiting"][0]["last_error"] == "MailFailed"
    assert "ouder@example.org" not in seen.text  # no address
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    assert client.get("/api/v1/outbox", headers=regisseur.headers).status_code == 403
    # the admin sends it again once the server is back: tried at once, sent once
    path = f"/api/v1/outbox/{row.id}/send-again"
    assert client.post(path, headers=regisseur.headers).status_code == 403
    assert client.post(path, headers=admin.headers).status_code == 204
    again = client.post(path, headers=admin.headers)
    assert again.status_code == 409 and again.json()["code"] == "not_failed"
    with frozen_at(moment):
        assert deliver(session, settings) == 1
    assert len(mail.received) == 1 and rows(session)[0].status == OutboxStatus.SENT


def test_old_sent_messages_are_forgotten(session: Session, mail: Mailbox) -> None:
    settings = settings_for(session)
    outbox.enqueue(session, [plain_message(settings, "a@example.org", "s", "t")],
                   kind="reminder")
    assert deliver(session, settings) == 1
    assert outbox.forget_old(session) == 0
    with frozen_at(now() + outbox.KEEP + timedelta(days=1)):
        assert outbox.forget_old(session) == 1
    assert rows(session) == []


def test_a_message_the_server_cannot_take_fails_alone_and_at_once(
        session: Session, mail: Mailbox) -> None:
    """An address smtplib cannot write (`jörg@…`; the household form accepts it) fails for
    good at once, and the message behind it still goes."""
    settings = settings_for(session)
    outbox.enqueue(session, [plain_message(settings, "jörg@voorbeeld.nl", "s", "t")],
                   kind="family_link")
    outbox.enqueue(session, [plain_message(settings, "a@example.org", "s", "t")],
                   kind="reminder")
    assert deliver(session, settings) == 1
    bad, good = rows(session)
    assert (bad.status, bad.attempts, bad.last_error) == (
        OutboxStatus.FAILED, 1, "UnicodeEncodeError")
    assert good.status == OutboxStatus.SENT and len(mail.received) == 1


def test_a_silent_mail_server_holds_no_lock_while_the_job_waits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The message is claimed, then sent with no transaction open: on SQLite (one writer at a
    time) a request's write goes ahead while the job waits for the server's greeting."""
    monkeypatch.setattr(broker.db, "SQLITE_BUSY_TIMEOUT", 1.0)
    monkeypatch.setattr("broker.mail.transport.SMTP_TIMEOUT", 4)
    url = fresh_database(tmp_path, "lock")
    database = Database.from_url(url)
    with silent_server() as (port, connections):
        settings = make_settings(tmp_path, database_url=url, smtp_port=port)
        with database.sessionmaker.begin() as session:
            outbox.enqueue(session, [plain_message(settings, "a@example.org", "s", "t")],
                           kind="reminder")
        job = threading.Thread(target=outbox.deliver,
                               args=(database.sessionmaker.begin, settings))
        job.start()
        try:
            for _ in range(200):  # until the job waits for the server's greeting
                if connections:
                    break
                time.sleep(0.05)
            with database.sessionmaker.begin() as session:  # a request's write
                outbox.enqueue(session, [plain_message(settings, "b@example.org", "s", "t")],
                               kind="reminder")
        finally:
            job.join()
            database.engine.dispose()
