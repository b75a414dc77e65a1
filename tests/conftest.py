"""Fixtures: a migrated database per test session (SQLite, or PostgreSQL when
BROKER_TEST_DATABASE_URL is set), each test in a rolled-back transaction, an API client,
live servers on 127.0.0.1, a Chromium driven by Playwright, and a real SMTP server."""

import dataclasses
import io
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis
import pytest
import structlog
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from broker.app import create_app
from broker.audit.context import INFO_KEY as AUDIT_INFO
from broker.audit.context import AuditContext
from broker.config import PROJECT_ROOT, Settings
from broker.db import (
    Database,
    Transaction,
    committing,
    create_db_engine,
    get_session,
    get_transaction,
)
from broker.mail import service as outbox
from broker.observability import configure_logging
from broker.policy import Policy, load_policy
from tests.databases import backend, drop_test_schemas, fresh_database
from tests.soak import FIGURES, SOAK

BASE_URL = "http://localhost"

# No timing assertions: hypothesis's per-example deadline fails tests on a busy machine.
hypothesis.settings.register_profile("broker", deadline=None)
hypothesis.settings.load_profile("broker")


def pytest_report_header() -> str:
    return f"broker test database: {backend()}" + (" (soak)" if SOAK else "")


def pytest_configure(config: pytest.Config) -> None:
    """Schemas left by earlier runs go before any test starts; with pytest-xdist only the
    controller drops them, so no worker drops another's."""
    if not hasattr(config, "workerinput"):
        drop_test_schemas()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its figures to the controller, which prints the table."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["figures"] = list(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    FIGURES.extend(tuple(row) for row in getattr(node, "workeroutput", {}).get("figures", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures of the reliability and security suites, as one table."""
    if not FIGURES:
        return
    terminalreporter.write_sep("=", f"reliability and security suites on {backend()}")
    width = max(len(suite) for suite, _ in FIGURES)
    for suite, figures in FIGURES:
        terminalreporter.write_line(f"{suite:<{width}}  {figures}")


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(PROJECT_ROOT / "policies")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_database(tmp_path_factory.mktemp("db"), "main")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


def make_settings(tmp: Path, *, database_url: str, base_url: str = BASE_URL,
                  **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url, "key_dir": tmp / "keys", "base_url": base_url,
        "policy_dir": PROJECT_ROOT / "policies", "log_format": "console",
        "log_level": "WARNING", "audit_background": False,
        # The suite asks for many tokens from one address; tests of the limits set their own.
        "login_attempts_per_minute": 100_000, "token_requests_per_minute": 100_000,
        **overrides}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, database_url: str, policy: Policy,
        engine: Engine) -> FastAPI:
    settings = make_settings(tmp_path_factory.mktemp("app"), database_url=database_url)
    return create_app(settings, policy=policy, database=Database.from_url(database_url))


@pytest.fixture
def captured_logs(app: FastAPI) -> Iterator[io.StringIO]:
    """Everything the app logs during the test (structlog, at INFO)."""
    stream = io.StringIO()
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(stream),
                        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    yield stream
    configure_logging(app.state.settings)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    connection = engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def session(connection: Connection, app: FastAPI) -> Iterator[Session]:
    """The test's session; commits inside it are savepoints of the outer transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint",
                 expire_on_commit=False, info={AUDIT_INFO: app.state.audit}) as session:
        yield session


def serve_in(app: FastAPI, session: Session) -> None:
    """Make the app's requests run in `session`, the test's transaction (until the app's
    dependency overrides are cleared)."""

    def test_session() -> Iterator[Session]:
        yield from committing(session)

    app.dependency_overrides[get_session] = test_session
    app.dependency_overrides[get_transaction] = lambda: Transaction(lambda: nullcontext(session))


def with_smtp(context: AuditContext, mailbox: "Mailbox") -> AuditContext:
    """The audit context (which carries the settings services read) sending mail to
    `mailbox`."""
    return dataclasses.replace(context, settings=context.settings.model_copy(
        update={"smtp_host": mailbox.host, "smtp_port": mailbox.port}))


@pytest.fixture
def client(app: FastAPI, session: Session) -> Iterator[TestClient]:
    """An API client whose requests run inside the test's transaction."""
    serve_in(app, session)
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as test_client:
        yield test_client
    app.dependency_overrides.clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    database: Database

    def session(self) -> Session:
        """A session that really commits, for arranging data the server will see."""
        return self.database.sessionmaker()


class _ServerThread(threading.Thread):
    def __init__(self, app: FastAPI, port: int) -> None:
        super().__init__(daemon=True)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)

    def run(self) -> None:
        self.server.run()

    def start_and_wait(self) -> None:
        self.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.is_alive():
                raise RuntimeError("live server did not start")
            time.sleep(0.02)


@pytest.fixture
def live_server_factory(tmp_path: Path, policy: Policy
                        ) -> Iterator[Callable[..., LiveServer]]:
    """Start brokers on free ports, each with its own committed database and keys."""
    threads: list[_ServerThread] = []

    def start(name: str = "live", port: int | None = None, host_name: str = "127.0.0.1",
              mailbox: Mailbox | None = None, **overrides: object) -> LiveServer:
        """`host_name` is the name in the server's URL; browsers keep cookies per host name,
        not per port, so two brokers in one test need two names. With a `mailbox`, the
        server's mail goes there."""
        if mailbox is not None:
            overrides |= {"smtp_host": mailbox.host, "smtp_port": mailbox.port}
        port = port or free_port()
        url = f"http://{host_name}:{port}"
        database_url = fresh_database(tmp_path, name)
        settings = make_settings(tmp_path / name, database_url=database_url, base_url=url,
                                 **overrides)
        database = Database.from_url(database_url)
        app = create_app(settings, policy=policy, database=database)
        thread = _ServerThread(app, port)
        thread.start_and_wait()
        threads.append(thread)
        server = LiveServer(url, app, database)
        if mailbox is not None:
            mailbox.serve_live(server)
        return server

    yield start
    for thread in threads:
        thread.server.should_exit = True
        thread.join(timeout=10)
        thread.server.config.app.state.db.engine.dispose()


@pytest.fixture
def live_server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    return live_server_factory()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-gpu",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install "
                    "chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="nl-NL")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@dataclass
class Mailbox:
    """A real SMTP server's address and what it received. Services write mail to the outbox;
    reading `messages` first delivers the outboxes this mailbox serves, as the delivery job
    does after each commit."""

    host: str
    port: int
    received: list[bytes]
    outboxes: list[Callable[[], object]] = field(default_factory=list)

    @property
    def messages(self) -> list[bytes]:
        for deliver in self.outboxes:
            deliver()
        return self.received

    def serve(self, session: Session) -> None:
        """Services in `session` (the test's transaction) send mail here; delivery commits
        there as the job's does."""
        session.info[AUDIT_INFO] = with_smtp(session.info[AUDIT_INFO], self)
        settings = session.info[AUDIT_INFO].settings
        each = contextmanager(committing)
        self.outboxes.append(lambda: outbox.deliver(lambda: each(session), settings))

    def serve_live(self, server: "LiveServer") -> None:
        """A live server, configured with this mailbox's address, sends mail here."""
        self.outboxes.append(lambda: outbox.deliver(server.database.sessionmaker.begin,
                                                  server.app.state.settings))


@contextmanager
def smtp_mailbox() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives."""
    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            received.append(envelope.original_content or b"")  # type: ignore[attr-defined]
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Mailbox("127.0.0.1", port, received)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    with smtp_mailbox() as mailbox:
        yield mailbox


@pytest.fixture
def mail(session: Session, smtp_server: Mailbox) -> Mailbox:
    """The app sends to the test's SMTP server."""
    smtp_server.serve(session)
    return smtp_server
