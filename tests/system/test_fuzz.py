"""Issue 10 item 2, the fast variant: schemathesis fuzzes every route of the OpenAPI of a live
broker with a valid regisseur token (examples, coverage, fuzzing and stateful links, fixed
seed): no response is a 5xx, each conforms to its documented schema and content type
(errors are application/problem+json). `make soak` runs ten times the examples."""

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from broker.policy import Policy
from tests.conftest import LiveServer
from tests.factories import make_org, make_professional, make_secret_client
from tests.soak import note, scaled


def test_no_route_answers_with_a_server_error(
        live_server_factory: Callable[..., LiveServer], policy: Policy, tmp_path: Path) -> None:
    server = live_server_factory(mail_dir=tmp_path / "mail")  # mail succeeds: a 502 is no bug
    with server.session() as session, session.begin():
        org = make_org(session, policy)
        credentials = make_secret_client(session, org, make_professional(
            session, org, roles=["regisseur", "partner", "aandachtsfunctionaris"]))
    token = httpx.post(f"{server.url}/oauth/token", data={"grant_type": "client_credentials"},
                       auth=(credentials.row.client_id, credentials.secret)).json()
    schemathesis = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [str(schemathesis), "run", f"{server.url}/openapi.json",
         "-H", f"Authorization: Bearer {token['access_token']}",
         "--max-examples", str(scaled(10, 100)),
         "--seed", "1", "--checks",
         "not_a_server_error,response_schema_conformance,content_type_conformance",
         "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=_real_clock())
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "generated" in result.stdout
    generated = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert generated, result.stdout[-1500:]
    note("fuzzing (schemathesis)", cases=generated.group(1), passed=generated.group(2),
         checks="no 5xx, response schema, content type")


def _real_clock() -> dict[str, str]:
    """Schemathesis is the stranger's client here, not the system under test: under the CI's
    faketime pass (libfaketime preloaded) its stateful phase never ends, so it runs on the
    real clock while the broker it fuzzes runs on the faked one."""
    return {name: value for name, value in os.environ.items()
            if name != "LD_PRELOAD" and not name.startswith("FAKETIME")}
