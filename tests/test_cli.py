"""The operator's CLI: contract 4.1 output of `admin ... --json`, exit codes, db upgrade."""

import json
from pathlib import Path

import pytest

from broker import migrate
from tests.databases import fresh_database
from tests.policy.test_policy import broker_cli


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return {"BROKER_DATABASE_URL": fresh_database(tmp_path, "cli"),
            "BROKER_KEY_DIR": str(tmp_path / "keys")}


def run_json(env: dict[str, str], *args: str, stdin: str | None = None) -> dict[str, object]:
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "broker", *args, "--json"], input=stdin,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_admin_commands_print_the_contract_json(cli_env: dict[str, str]) -> None:
    org = run_json(cli_env, "admin", "create-org", "--name", "OBS De Linde", "--party", "school")
    assert set(org) == {"id", "name", "party"} and org["party"] == "school"
    user = run_json(cli_env, "admin", "create-user", "--org", str(org["id"]), "--email",
                    "Juf@Example.org", "--role", "partner", "--role", "aandachtsfunctionaris",
                    "--name", "Juf Ans", "--password-stdin", stdin="a long enough password\n")
    assert user["email"] == "juf@example.org"
    assert user["roles"] == ["aandachtsfunctionaris", "partner"]
    client = run_json(cli_env, "admin", "create-client", "--org", str(org["id"]))
    assert str(client["client_id"]).startswith("cl_") and len(str(client["client_secret"])) > 30
    bound = run_json(cli_env, "admin", "create-client", "--org", str(org["id"]), "--user",
                     str(user["id"]))
    assert bound["auth_method"] == "client_secret_basic"


def test_teams_are_created_and_joined_from_the_cli(cli_env: dict[str, str]) -> None:
    org = run_json(cli_env, "admin", "create-org", "--name", "Wijkteam", "--party", "wijkteam")
    south = run_json(cli_env, "admin", "create-team", "--org", str(org["id"]), "--name",
                     "Team Zuid")
    assert south["name"] == "Team Zuid" and south["organisation_id"] == org["id"]
    north = run_json(cli_env, "admin", "create-team", "--org", str(org["id"]), "--name",
                     "Team Noord")
    user = run_json(cli_env, "admin", "create-user", "--org", str(org["id"]), "--email",
                    "r@example.org", "--role", "regisseur", "--team", str(south["id"]),
                    "--team", str(north["id"]))
    assert user["teams"] == sorted([south["id"], north["id"]])
    other = run_json(cli_env, "admin", "create-org", "--name", "School", "--party", "school")
    refused = broker_cli("admin", "create-user", "--org", str(other["id"]), "--email",
                         "s@example.org", "--role", "partner", "--team", str(south["id"]),
                         env=cli_env)
    assert refused.returncode == 2 and "another organisation" in refused.stderr


def test_create_client_with_jwks_uses_private_key_jwt(cli_env: dict[str, str],
                                                      tmp_path: Path) -> None:
    from joserfc.jwk import ECKey

    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [ECKey.generate_key("P-256").as_dict(private=False)]}))
    org = run_json(cli_env, "admin", "create-org", "--name", "Huisarts", "--party", "huisarts")
    client = run_json(cli_env, "admin", "create-client", "--org", str(org["id"]), "--jwks",
                      str(jwks))
    assert client["auth_method"] == "private_key_jwt" and "client_secret" not in client


def test_bad_input_exits_2_with_a_message(cli_env: dict[str, str]) -> None:
    result = broker_cli("admin", "create-org", "--name", "X", "--party", "circus", env=cli_env)
    assert result.returncode == 2 and "Unknown party type 'circus'" in result.stderr
    result = broker_cli("admin", "create-user", "--org", "nope", "--email", "a@b.nl",
                        "--role", "regisseur", env=cli_env)
    assert result.returncode == 2 and "No such organisation" in result.stderr


def test_private_key_in_jwks_is_refused(cli_env: dict[str, str], tmp_path: Path) -> None:
    from joserfc.jwk import ECKey

    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [ECKey.generate_key("P-256").as_dict(private=True)]}))
    org = run_json(cli_env, "admin", "create-org", "--name", "JGGZ", "--party", "jggz")
    result = broker_cli("admin", "create-client", "--org", str(org["id"]), "--jwks", str(jwks),
                        env=cli_env)
    assert result.returncode == 2 and "private key" in result.stderr


def test_version_and_db_upgrade(cli_env: dict[str, str]) -> None:
    assert broker_cli("version").stdout.strip() == "0.1.0"
    result = broker_cli("db", "upgrade", env=cli_env)
    assert result.returncode == 0 and f"database at {migrate.head_revision()}" in result.stdout


def test_keys_are_created_with_mode_0600(tmp_path: Path) -> None:
    from broker.keys import KeyRing

    ring = KeyRing(tmp_path / "keys")
    ring.load_all()
    files = [f for f in (tmp_path / "keys").rglob("*") if f.is_file()]
    folders = [f for f in (tmp_path / "keys").rglob("*") if f.is_dir()]
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert folders and all(f.stat().st_mode & 0o777 == 0o700 for f in folders)  # kek/
    again = KeyRing(tmp_path / "keys")
    assert again.signing_key.kid == ring.signing_key.kid  # reused, not regenerated


def test_demo_fills_an_empty_database_once_and_prints_the_logins(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, **cli_env, "BROKER_MAIL_DIR": str(tmp_path / "mail")}
    filled = run_json(env, "demo", "--households", "3")
    assert filled["households"] == 3
    accounts = filled["accounts"]
    assert isinstance(accounts, list)
    assert {r for a in accounts for r in a["roles"]} == {
        "regisseur", "partner", "aandachtsfunctionaris", "privacy_officer", "teamleider",
        "admin"}
    again = subprocess.run([sys.executable, "-m", "broker", "demo", "--if-empty"],
                           capture_output=True, text=True, timeout=60, env=env)
    assert again.returncode == 0  # nothing filled again, but the logins once more (make run)
    assert "beheer@demodam.example" in again.stdout and "demo-beheerder" in again.stdout
    assert "broker demo link" in again.stdout
    refused = subprocess.run([sys.executable, "-m", "broker", "demo"], capture_output=True,
                             text=True, timeout=60, env=env)
    assert refused.returncode == 2 and "holds data already" in refused.stderr


def test_retention_dry_run_lists_what_would_go_and_changes_nothing(
        cli_env: dict[str, str]) -> None:
    assert broker_cli("db", "upgrade", env=cli_env).returncode == 0
    dry = broker_cli("retention", "run", "--dry-run", env=cli_env)
    assert dry.returncode == 0, dry.stderr
    assert "would remove" in dry.stdout and "households" in dry.stdout
    lines = json.loads(broker_cli("retention", "run", "--dry-run", "--json",
                                  env=cli_env).stdout)
    assert {line["kind"] for line in lines} >= {"observations", "plans", "meetings",
                                                 "meldcode", "consents", "households"}
    verified = json.loads(broker_cli("audit", "verify", "--json", env=cli_env).stdout)
    assert verified["events"] == 0  # a dry run records nothing


def test_demo_link_makes_a_new_personal_link_for_a_parent(cli_env: dict[str, str],
                                                          tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from fastapi.testclient import TestClient

    from broker.app import create_app
    from broker.config import Settings

    env = {**os.environ, **cli_env, "BROKER_MAIL_DIR": str(tmp_path / "mail"),
           "BROKER_BASE_URL": "http://127.0.0.1:8123"}
    run_json(env, "demo", "--households", "2")
    made = run_json(env, "demo", "link")
    url = str(made["url"])
    assert made["family"] == 1 and made["parent"] == 1
    assert url.startswith("http://127.0.0.1:8123/mijn/link/")
    second = subprocess.run([sys.executable, "-m", "broker", "demo", "link", "--family", "1"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert second.returncode == 0 and second.stdout.strip().startswith("http://127.0.0.1:8123")
    assert second.stdout.strip() != url  # a fresh link each time
    missing = subprocess.run([sys.executable, "-m", "broker", "demo", "link", "--family",
                              "9"], capture_output=True, text=True, timeout=60, env=env)
    assert missing.returncode == 2 and "no family number 9" in missing.stderr

    # the link opens the parent's family page
    settings = Settings(database_url=cli_env["BROKER_DATABASE_URL"],
                        key_dir=Path(cli_env["BROKER_KEY_DIR"]), base_url="http://127.0.0.1:8123",
                        audit_background=False)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8123") as client:
        opened = client.get(url.removeprefix("http://127.0.0.1:8123"),
                            headers={"accept": "text/html"})
        assert opened.status_code == 200 and "/mijn" in str(opened.url)


def serve_without_listening(monkeypatch: pytest.MonkeyPatch, cli_env: dict[str, str], *args: str,
                  exit_code: int = 0) -> tuple[str, dict[str, object]]:
    """`broker serve` up to starting uvicorn: its output, and what uvicorn was given."""
    import uvicorn
    from typer.testing import CliRunner

    from broker.cli import app

    for key, value in cli_env.items():
        monkeypatch.setenv(key, value)
    started: dict[str, object] = {}

    def fake_run(*_: object, **kwargs: object) -> None:
        from broker.config import Settings

        started.update(kwargs, base_url=Settings().base_url)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == exit_code, result.output
    return result.output, started


class TestBaseUrlFollowsPort:
    def _serve(self, monkeypatch: pytest.MonkeyPatch, cli_env: dict[str, str], *args: str
               ) -> tuple[str, dict[str, object]]:
        return serve_without_listening(monkeypatch, cli_env, *args)

    def test_without_base_url_links_point_at_the_port(self, monkeypatch: pytest.MonkeyPatch,
                                                      cli_env: dict[str, str]) -> None:
        monkeypatch.setenv("BROKER_BASE_URL", "")  # unset (and restored after the test)
        output, started = self._serve(monkeypatch, cli_env, "--port", "8100")
        assert started["port"] == 8100
        assert started["base_url"] == "http://127.0.0.1:8100"
        assert "Luistert op http://127.0.0.1:8100" in output

    def test_a_base_url_that_is_set_stays(self, monkeypatch: pytest.MonkeyPatch,
                                          cli_env: dict[str, str]) -> None:
        monkeypatch.setenv("BROKER_BASE_URL", "https://broker.demodam.example")
        output, started = self._serve(monkeypatch, cli_env, "--port", "8100")
        assert started["base_url"] == "https://broker.demodam.example"
        assert "Luistert op http://127.0.0.1:8100" in output


class TestTrustedProxies:
    def test_without_trusted_proxies_no_forwarded_header_is_believed(
            self, monkeypatch: pytest.MonkeyPatch, cli_env: dict[str, str]) -> None:
        """uvicorn's default believes X-Forwarded-For from loopback: a client there could
        choose the address it is rate-limited as."""
        monkeypatch.delenv("BROKER_TRUSTED_PROXIES", raising=False)
        _, started = serve_without_listening(monkeypatch, cli_env)
        assert started["proxy_headers"] is False and started["forwarded_allow_ips"] is None

    def test_the_named_proxies_are_believed(self, monkeypatch: pytest.MonkeyPatch,
                                            cli_env: dict[str, str]) -> None:
        monkeypatch.setenv("BROKER_TRUSTED_PROXIES", "10.1.0.0/16, 192.0.2.10,::1")
        _, started = serve_without_listening(monkeypatch, cli_env)
        assert started["proxy_headers"] is True
        assert started["forwarded_allow_ips"] == "10.1.0.0/16,192.0.2.10,::1"

    @pytest.mark.parametrize("proxies", ["10.1.0.1/16", "proxy.example", "*"])
    def test_what_is_no_address_or_network_stops_serve(
            self, monkeypatch: pytest.MonkeyPatch, cli_env: dict[str, str],
            proxies: str) -> None:
        monkeypatch.setenv("BROKER_TRUSTED_PROXIES", proxies)
        output, started = serve_without_listening(monkeypatch, cli_env, exit_code=2)
        assert "trusted_proxies" in output and not started
