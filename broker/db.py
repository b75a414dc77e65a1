"""Engine, sessions and the ORM base: SQLite (WAL) embedded, PostgreSQL through psycopg 3."""

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, String, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

from broker.errors import BrokerError

P = ParamSpec("P")
T = TypeVar("T")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (stored naive UTC) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def hold_lock(session: Session, namespace: int, name: str, *, shared: bool) -> None:
    """A lock on `name` until the transaction ends (PostgreSQL advisory lock; shared ones
    coexist, an exclusive one waits for them and they for it). SQLite needs none: every
    request transaction there begins IMMEDIATE, so they run one at a time anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    session.execute(text(f"SELECT {function}(:namespace, hashtext(:name))"),
                    {"namespace": namespace, "name": name})


def database_now(session: Session) -> datetime:
    """The database server's clock: one clock for every process and machine on it (where
    their own clocks may differ), as UTC."""
    if session.get_bind().dialect.name == "postgresql":
        moment: datetime = session.execute(text("SELECT statement_timestamp()")).scalar_one()
        return moment.astimezone(UTC)
    stamp = session.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def id_column_type() -> String:
    return String(36)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, begin transactions, so SAVEPOINT works (SQLAlchemy docs,
    # "Serializable isolation / Savepoints / Transactional DDL").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Request transactions write (at least their audit record), so on SQLite they take the
    write lock when they begin: a deferred transaction that upgrades later fails at once with
    SQLITE_BUSY when another one got there first, whatever the busy timeout."""
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


IMMEDIATE = "broker_immediate"
POOL_SIZE = 10
# SQLite writes one transaction at a time; more threads only fight over its lock and the GIL
# (measured: 1 thread 734 decisions/s, 2: 683, 4: 645, 8: 648).
SQLITE_CONCURRENCY = 1
SQLITE_BUSY_TIMEOUT = 10.0


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": SQLITE_BUSY_TIMEOUT})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=10)
    event.listen(engine, "connect", _postgres_session)
    return engine


def _postgres_session(connection: Any, _: object) -> None:
    """No JIT compilation: the broker's queries are point look-ups, and a queue table left
    large by a burst (the audit queue after a bulk load) makes the planner's cost pass JIT's
    threshold, so a 0.1 ms look-up spent 40 ms compiling (measured at 100,000 households)."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    connection.commit()


@dataclass
class Database:
    engine: Engine
    sessionmaker: sessionmaker[Session]
    concurrency: int

    @cached_property
    def limiter(self) -> CapacityLimiter:
        """How many transactions run at once (made on first use, inside the event loop)."""
        return CapacityLimiter(self.concurrency)

    @classmethod
    def from_url(cls, url: str) -> "Database":
        engine = create_db_engine(url)
        writer = engine.execution_options(**{IMMEDIATE: True})
        concurrency = SQLITE_CONCURRENCY if engine.dialect.name == "sqlite" else POOL_SIZE
        return cls(engine, sessionmaker(writer, expire_on_commit=False), concurrency)

    def bind(self, key: str, value: object) -> None:
        """Give every session of this database `session.info[key]` (e.g. the audit context)."""
        info = dict(self.sessionmaker.kw.get("info") or {})
        info[key] = value
        self.sessionmaker.configure(info=info)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One request, one transaction: commit on success, roll back on any error.

    Declared with scope="function" so a failing commit becomes an error response before
    anything is sent. The request waits its turn in the event loop (the database's
    limiter), not in a worker thread: a sync route takes several thread hops while it holds
    the transaction, and with every worker thread waiting for that transaction the hop that
    would end it could never run. Opening a session touches no database (it connects on
    first use), so only the end goes to a worker thread.
    """
    database: Database = request.app.state.db
    turn = object()
    await database.limiter.acquire_on_behalf_of(turn)
    try:
        session = database.sessionmaker()
        error: BaseException | None = None
        try:
            yield session
        except BaseException as exc:
            error = exc
            raise
        finally:
            await run_in_threadpool(_finish, session, error)
    finally:
        database.limiter.release_on_behalf_of(turn)


def _finish(session: Session, error: BaseException | None) -> None:
    with session:
        _end(session, error)


def _end(session: Session, error: BaseException | None) -> None:
    """Commit after success and after an error that `commits` (a recorded refusal)."""
    if error is None or getattr(error, "commits", False):
        session.commit()
    else:
        session.rollback()


def undo_failed(session: Session, error: BrokerError) -> None:
    """For a page that shows a service's refusal as a message on the form and carries on:
    first undo what the failed call wrote, as the API's rollback would, unless the error is
    one whose record must stand (a recorded refusal). Something the caller may not know
    exists (404) is not a message on a form: it is raised again, for the error page."""
    if error.status == 404:
        raise error
    if not error.commits:
        session.rollback()


def committing(session: Session) -> Iterator[Session]:
    """Yield the session; commit if the work succeeded, roll back if it raised."""
    try:
        yield session
    except BaseException as exc:
        _end(session, exc)
        raise
    _end(session, None)


DbSession = Annotated[Session, Depends(get_session, scope="function")]


class Transaction:
    """One request's transaction, run whole in one worker thread: open a session, call the
    service, commit (or roll back on any error), close. For `async def` routes on hot paths:
    a sync route with `DbSession` costs three thread-pool hops (the endpoint, its commit, the
    response check) of about 150 µs each, and holds SQLite's write lock across them; this
    costs one and holds the lock only while working.

    `decision = await tx.run(service.dry_run, actor=actor, body=body)`
    """

    def __init__(self, sessions: Callable[[], AbstractContextManager[Session]],
                 limiter: CapacityLimiter | None = None) -> None:
        self._sessions, self._limiter = sessions, limiter

    async def run(self, work: Callable[Concatenate[Session, P], T], /,
                  *args: P.args, **kwargs: P.kwargs) -> T:
        def bound(session: Session) -> T:
            return work(session, *args, **kwargs)

        return await to_thread.run_sync(self._in_transaction, bound, limiter=self._limiter)

    def _in_transaction(self, work: Callable[[Session], T]) -> T:
        with self._sessions() as session:
            try:
                result = work(session)
            except BaseException as exc:
                _end(session, exc)
                raise
            _end(session, None)
            return result


async def get_transaction(request: Request) -> Transaction:
    database: Database = request.app.state.db
    return Transaction(database.sessionmaker, database.limiter)


Tx = Annotated[Transaction, Depends(get_transaction)]
