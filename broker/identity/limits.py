"""Rate limits for the doors that take passwords and secrets, shared by every broker process
on the database. Requests are counted per kind, client address and minute (`RateWindow`, one
atomic upsert each); a request passes while the sliding-window estimate, the previous
minute's count weighted by the part of it still inside the last sixty seconds plus this
minute's count, stays within the limit. A refused request is not counted (its transaction
rolls back), so a client that waits as told gets through."""

import hashlib
import hmac
import ipaddress
import math
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from broker.clock import now
from broker.errors import RateLimited
from broker.identity.models import RateWindow

WINDOW = timedelta(minutes=1)
IPV6_PREFIX = 64


class LimitKind(StrEnum):
    LOGIN = "login"  # login form posts
    TOKEN = "token"  # /oauth/token


def client_of(address: str) -> str:
    """Whom an address stands for: an IPv4 address itself (an IPv4-mapped IPv6 one too), an
    IPv6 address its /64, the least a subscriber gets (else every one of its 2**64
    addresses would have a budget of its own)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_PREFIX), strict=False))
    return str(parsed)


def address_hash(key: bytes, address: str) -> str:
    """The client (`client_of` the address) as stored: HMAC-SHA256 under a key of the
    deployment, so the hashes cannot be turned back into addresses by hashing every IPv4
    address."""
    return hmac.new(key, client_of(address).encode(), hashlib.sha256).hexdigest()


def window_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def take(session: Session, *, kind: LimitKind, address_hash: str, per_minute: int) -> None:
    """Count one request, or raise RateLimited saying when one would pass again."""
    moment = now()
    window = window_of(moment)
    count = _count_one(session, kind=kind, address_hash=address_hash, window=window)
    previous = session.scalar(select(RateWindow.count).where(
        RateWindow.kind == kind, RateWindow.address_hash == address_hash,
        RateWindow.window_start == window - WINDOW)) or 0
    elapsed = (moment - window) / WINDOW
    if previous * (1 - elapsed) + count > per_minute:
        raise RateLimited(retry_after=seconds_until_room(
            previous=previous, counted=count - 1, per_minute=per_minute, elapsed=elapsed))


def _count_one(session: Session, *, kind: LimitKind, address_hash: str,
               window: datetime) -> int:
    """This window's count with this request in it. Atomic on both databases: PostgreSQL
    holds the row until the transaction ends, SQLite runs one transaction at a time."""
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)
    statement = insert(RateWindow).values(
        kind=kind, address_hash=address_hash, window_start=window, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[RateWindow.kind, RateWindow.address_hash, RateWindow.window_start],
        set_={"count": RateWindow.count + 1})
    return int(session.execute(statement.returning(RateWindow.count)).scalar_one())


def seconds_until_room(*, previous: int, counted: int, per_minute: int,
                       elapsed: float) -> int:
    """When the estimate leaves room for one more request, in whole seconds (at least one),
    if nothing else is counted meanwhile. `counted`: this window's requests that passed;
    `elapsed`: the part of this window gone."""
    spare = per_minute - 1 - counted
    if spare >= 0:  # later in this window, as the previous one weighs less
        at = 1 - spare / previous if previous else elapsed
    else:  # in the next window, once this one weighs little enough
        at = 1 + 1 - (per_minute - 1) / counted
    seconds = (at - elapsed) * WINDOW.total_seconds()
    return max(1, math.ceil(round(seconds, 6)))  # 50.000000001 is 50


def forget_old_windows(session: Session) -> None:
    """Windows before the previous one no longer count."""
    session.execute(delete(RateWindow).where(
        RateWindow.window_start < window_of(now()) - WINDOW))
