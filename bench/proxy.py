"""A real reverse proxy in front of several `broker serve` processes: Debian's haproxy,
round robin, health-checked on /healthz, a connection that fails tried on another process
(never a request that reached one), the client's address in X-Forwarded-For."""

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.runner import wait_ready

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"

CONFIG = """
global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    retry-on conn-failure
    option redispatch
    option forwardfor
    http-reuse safe
frontend broker
    bind 127.0.0.1:{port}
    default_backend brokers
backend brokers
    balance roundrobin
    option httpchk GET /healthz
{servers}
"""


@contextmanager
def haproxy(port: int, backends: list[int]) -> Iterator[str]:
    """The proxy on 127.0.0.1:`port` before the brokers on `backends`; yields its URL once
    it answers."""
    folder = Path(tempfile.mkdtemp(prefix="broker-proxy-"))
    config = folder / "haproxy.cfg"
    config.write_text(CONFIG.format(port=port, servers="\n".join(
        f"    server b{n} 127.0.0.1:{backend} check inter 300 fall 1 rise 2"
        for n, backend in enumerate(backends))))
    process = subprocess.Popen([HAPROXY, "-db", "-f", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, "/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
