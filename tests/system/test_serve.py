"""Acceptance 2: `broker serve` on an empty database migrates it and answers health checks."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import free_port


def test_serve_migrates_an_empty_sqlite_and_is_ready(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "BROKER_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
           "BROKER_KEY_DIR": str(tmp_path / "keys"), "BROKER_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-m", "broker", "serve", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "broker serve did not start"
                time.sleep(0.2)
        assert health.status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
        assert ready["status"] == "ready" and ready["migrations"] == "head"
        assert ready["policy_version"].startswith("sha256:")
        assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    finally:
        process.terminate()
        process.wait(timeout=20)
