"""The benchmark harness: workloads register here and report results against a baseline."""

import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    workload: str
    measure: str
    per_second: float
    baseline: str
    baseline_per_second: float
    target: str

    @property
    def ratio(self) -> float:
        return self.per_second / self.baseline_per_second


@dataclass(frozen=True)
class Workload:
    name: str
    run: Callable[[float], list[Result]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, path: str = "/readyz",
               process: subprocess.Popen[bytes] | None = None, seconds: float = 60) -> None:
    """Until what listens on 127.0.0.1:`port` answers `path` with 200; RuntimeError if
    `process` (the one that should answer) stops first or `seconds` pass."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process for port {port} stopped ({process.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"nothing on port {port} answered {path}")


def rate(operation: Callable[[], object], seconds: float, warmup: int = 50,
         step: int | None = None) -> float:
    """Operations per second over about `seconds`, after a short warm-up."""
    for _ in range(warmup):
        operation()
    step = step or min(100, max(1, warmup))
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(step):
            operation()
        count += step
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - started)


def print_table(results: list[Result]) -> None:
    header = ("workload", "measure", "ops/s", "baseline", "baseline ops/s", "ratio", "target")
    rows = [(r.workload, r.measure, f"{r.per_second:,.0f}", r.baseline,
             f"{r.baseline_per_second:,.0f}", f"{r.ratio:.2f}", r.target) for r in results]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
