"""Rate limits for the doors that take passwords and secrets: a token bucket per client
address, in memory (each broker process limits on its own)."""

import math
import threading
import time
from typing import Annotated

from fastapi import Depends, Request

from broker.errors import RateLimited

MAX_ADDRESSES = 10_000  # beyond this the longest-idle addresses are forgotten


class RateLimiter:
    """At most `per_minute` requests a minute from one address, in bursts of as many."""

    def __init__(self, per_minute: int) -> None:
        self.capacity, self.rate = float(per_minute), per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> tokens, last seen
        self._lock = threading.Lock()

    def take(self, address: str, at: float | None = None) -> None:
        """Take one request's token, or raise RateLimited saying when one is back."""
        at = time.monotonic() if at is None else at
        with self._lock:
            tokens, last = self._buckets.pop(address, (self.capacity, at))
            tokens = min(self.capacity, tokens + (at - last) * self.rate)
            if tokens < 1:
                self._buckets[address] = (tokens, at)
                raise RateLimited(retry_after=math.ceil((1 - tokens) / self.rate))
            self._buckets[address] = (tokens - 1, at)  # re-inserted: newest last
            if len(self._buckets) > MAX_ADDRESSES:
                del self._buckets[next(iter(self._buckets))]


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit_login(request: Request) -> None:
    request.app.state.limits["login"].take(_address(request))


async def limit_token(request: Request) -> None:
    request.app.state.limits["token"].take(_address(request))


LoginLimit = Annotated[None, Depends(limit_login)]
TokenLimit = Annotated[None, Depends(limit_token)]
