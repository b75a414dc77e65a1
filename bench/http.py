"""`POST /api/v1/decisions` over HTTP against a bare route on the same server (`broker serve`'s
uvicorn with uvloop + httptools, one worker, SQLite), load from wrk on 127.0.0.1."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.families import mother_and_child
from bench.runner import Result, free_port, wait_ready
from broker import migrate
from broker.audit.context import INFO_KEY, AuditContext
from broker.config import PROJECT_ROOT, Settings
from broker.db import Database
from broker.identity import service as identity
from broker.keys import KeyRing
from broker.policy import load_policy

HOUSEHOLDS = 500
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
local bodies = %(bodies)s
request = function()
  return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])
end
"""


def _seed(settings: Settings) -> tuple[str, list[str]]:
    policy = load_policy(PROJECT_ROOT / "policies")
    database = Database.from_url(settings.database_url)
    database.bind(INFO_KEY, AuditContext.create(settings, policy, KeyRing(settings.key_dir)))
    subjects = []
    with database.sessionmaker.begin() as session:
        org = identity.create_organisation(session, name="Wijkteam", party="wijkteam",
                                           policy=policy)
        person = identity.create_professional(session, organisation_id=org.id,
                                              email="bench@example.org", name="Bench",
                                              roles=["regisseur"], password=None)
        client, secret = identity.create_client(session, organisation_id=org.id, name="bench",
                                                professional_id=person.id)
        actor = identity.professional_principal(session, org, person)
        for n in range(HOUSEHOLDS):
            subjects.append(mother_and_child(session, actor=actor, label=f"Gezin {n}",
                                             recipient={"party": "school"})[1])
    database.engine.dispose()
    return f"{client.client_id}:{secret}", subjects


def _wrk(url: str, script: Path, seconds: float) -> float:
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{max(3, int(seconds * 2))}s", "-s",
                          str(script), url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed requests against {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def run(seconds: float) -> list[Result]:
    if shutil.which("wrk") is None:
        print("decisions-http skipped: wrk is not installed (apt-get install wrk)")
        return []
    tmp = Path(tempfile.mkdtemp(prefix="bench-http-"))
    port = free_port()
    env = {**os.environ, "BROKER_DATABASE_URL": f"sqlite:///{tmp / 'http.db'}",
           "BROKER_KEY_DIR": str(tmp / "keys"), "BROKER_BASE_URL": f"http://127.0.0.1:{port}",
           "BROKER_ACCESS_TOKEN_TTL_SECONDS": "3600", "BROKER_LOG_LEVEL": "WARNING"}
    settings = Settings(database_url=env["BROKER_DATABASE_URL"], key_dir=tmp / "keys",
                        base_url=env["BROKER_BASE_URL"])
    migrate.upgrade(settings.database_url)
    credentials, subjects = _seed(settings)
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.http_app:create",
                               "--factory", "--port", str(port), "--loop", "uvloop", "--http",
                               "httptools", "--no-access-log", "--log-level", "warning"],
                              env=env, cwd=PROJECT_ROOT)
    try:
        import httpx

        wait_ready(port)
        client_id, secret = credentials.split(":", 1)
        token = httpx.post(f"http://127.0.0.1:{port}/oauth/token", auth=(client_id, secret),
                           data={"grant_type": "client_credentials"}).json()["access_token"]
        bodies = [json.dumps({"subject_id": s, "category": "onderwijs",
                              "recipient": {"party": "school"}, "purpose": "hulpverlening"})
                  for s in subjects]
        script = tmp / "post.lua"
        script.write_text(LUA % {"token": token, "bodies": "{" + ",".join(
            json.dumps(b) for b in bodies) + "}"})
        decisions = _wrk(f"http://127.0.0.1:{port}/api/v1/decisions", script, seconds)
        bare = _wrk(f"http://127.0.0.1:{port}/bench/bare", script, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return [Result("decisions-http", "POST /api/v1/decisions (token, facts, decide, audit)",
                   decisions, "bare FastAPI route, same server", bare, ">= 0.40")]
