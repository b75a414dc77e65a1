"""The operator's command line: `broker serve`, `db upgrade`, `policy check`, `admin ...`.

Exit codes: 0 ok, 1 a check found problems, 2 bad usage or invalid configuration/policy.
"""

import json
import os
import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from broker import __version__

app = typer.Typer(help="The broker: consent-aware information sharing for youth care.",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
policy_app = typer.Typer(help="Policy files.", no_args_is_help=True)
admin_app = typer.Typer(help="Organisations, professionals and partner-system clients.",
                        no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(policy_app, name="policy")
app.add_typer(admin_app, name="admin")
audit_app = typer.Typer(help="The AVG audit log.", no_args_is_help=True)
retention_app = typer.Typer(help="Retention periods (policies/retention.yaml).",
                            no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")
meetings_app = typer.Typer(help="Network meetings.", no_args_is_help=True)
app.add_typer(meetings_app, name="meetings")
keys_app = typer.Typer(help="Key-encryption keys and households' data keys.",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def settings_or_exit() -> Any:
    from broker.config import Settings

    try:
        return Settings()
    except ValidationError as exc:
        raise fail(f"invalid configuration: {exc}") from None


def policy_or_exit(directory: Path) -> Any:
    from broker.policy import PolicyError, load_policy

    try:
        return load_policy(directory)
    except PolicyError as exc:
        typer.echo(f"error: the policy in {directory} is invalid:", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(2) from None


def emit(as_json: bool, data: dict[str, Any], text: str) -> None:
    typer.echo(json.dumps(data) if as_json else text)


@app.command()
def version() -> None:
    """Print the broker's version."""
    typer.echo(__version__)


def follow_port(host: str, port: int) -> None:
    """Without BROKER_BASE_URL the links in pages and e-mails point where `serve` listens
    (the workers read the same environment)."""
    if not os.environ.get("BROKER_BASE_URL"):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        os.environ["BROKER_BASE_URL"] = f"http://{shown}:{port}"


@app.command()
def serve(host: Annotated[str, typer.Option()] = "127.0.0.1",
          port: Annotated[int, typer.Option()] = 8000,
          workers: Annotated[int, typer.Option(min=1)] = 1) -> None:
    """Serve the API and pages (uvicorn, uvloop + httptools). Migrates an empty database."""
    import uvicorn

    from broker import migrate
    from broker.db import create_db_engine

    follow_port(host, port)
    settings = settings_or_exit()
    policy_or_exit(settings.policy_dir)
    engine = create_db_engine(settings.database_url)
    if migrate.is_empty(engine):
        migrate.upgrade(settings.database_url)
    engine.dispose()
    typer.echo(f"Luistert op http://{host}:{port} (links in pages and e-mails: "
               f"{settings.base_url})")
    # X-Forwarded-For only from the configured proxies (uvicorn would believe loopback).
    proxies = settings.trusted_proxies
    uvicorn.run("broker.app:create_app", factory=True, host=host, port=port, workers=workers,
                loop="uvloop", http="httptools", access_log=False,
                proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
                log_level="warning")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest schema."""
    from broker import migrate

    settings = settings_or_exit()
    migrate.upgrade(settings.database_url)
    typer.echo(f"database at {migrate.head_revision()}")


@policy_app.command("check")
def policy_check(directory: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Validate policy files; report every problem with file and key."""
    from broker.policy import check_policy, load_policy

    directory = directory or settings_or_exit().policy_dir
    problems = check_policy(directory)
    if problems:
        for problem in problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        raise typer.Exit(2)
    typer.echo(f"policy ok: {load_policy(directory).version}")


def _in_transaction(work: Any) -> Any:
    """Run `work(session, settings)` in one transaction, with the audit log bound."""
    import broker.all_models  # noqa: F401  (every table known, for foreign keys at flush)
    from broker.audit.context import INFO_KEY, AuditContext
    from broker.db import Database
    from broker.errors import BrokerError
    from broker.keys import KeyRing

    settings = settings_or_exit()
    policy = policy_or_exit(settings.policy_dir)
    database = Database.from_url(settings.database_url)
    database.bind(INFO_KEY, AuditContext.create(settings, policy, KeyRing(settings.key_dir)))
    try:
        with database.sessionmaker.begin() as session:
            return work(session, settings)
    except BrokerError as exc:
        raise fail(exc.detail) from None
    finally:
        database.engine.dispose()


@admin_app.command("create-org")
def create_org(name: Annotated[str, typer.Option()], party: Annotated[str, typer.Option()],
               as_json: JsonFlag = False) -> None:
    """Register an organisation of a party type from policies/parties.yaml."""
    from broker.identity import service

    def work(session: Any, settings: Any) -> dict[str, Any]:
        org = service.create_organisation(session, name=name, party=party,
                                          policy=policy_or_exit(settings.policy_dir))
        return {"id": org.id, "name": org.name, "party": org.party}

    data = _in_transaction(work)
    emit(as_json, data, f"organisation {data['id']} ({data['party']}): {data['name']}")


@admin_app.command("create-team")
def create_team(org: Annotated[str, typer.Option(help="Organisation id")],
                name: Annotated[str, typer.Option()], as_json: JsonFlag = False) -> None:
    """Create a team within an organisation. A household belongs to its regisseur's team: in
    the regisseur's organisation only that team's members (and its lead) see it."""
    from broker.identity import service

    def work(session: Any, settings: Any) -> dict[str, Any]:
        team = service.create_team(session, organisation_id=org, name=name)
        return {"id": team.id, "organisation_id": team.organisation_id, "name": team.name}

    data = _in_transaction(work)
    emit(as_json, data, f"team {data['id']}: {data['name']}")


@admin_app.command("create-user")
def create_user(org: Annotated[str, typer.Option(help="Organisation id")],
                email: Annotated[str, typer.Option()],
                role: Annotated[list[str], typer.Option(help="Repeat for several roles")],
                name: Annotated[str, typer.Option()] = "",
                team: Annotated[list[str] | None, typer.Option(
                    help="Team id (of the same organisation); repeat for several teams")]
                = None,
                password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
                as_json: JsonFlag = False) -> None:
    """Create a professional. Without --password-stdin the account logs in via the IdP only."""
    from broker.identity import service

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None

    def work(session: Any, settings: Any) -> dict[str, Any]:
        user = service.create_professional(session, organisation_id=org, email=email,
                                           name=name, roles=role, password=password,
                                           team_ids=team or [])
        return {"id": user.id, "email": user.email, "roles": user.roles,
                "teams": sorted(service.teams_of(session, user.id))}

    data = _in_transaction(work)
    emit(as_json, data, f"professional {data['id']} <{data['email']}> {','.join(data['roles'])}")


@admin_app.command("create-client")
def create_client(org: Annotated[str, typer.Option(help="Organisation id")],
                  name: Annotated[str, typer.Option()] = "partner system",
                  user: Annotated[str | None, typer.Option(help="Act for this professional")]
                  = None,
                  jwks: Annotated[Path | None, typer.Option(
                      help="Public JWKS file: authenticate with private_key_jwt")] = None,
                  redirect_uri: Annotated[list[str] | None, typer.Option(
                      help="For an OIDC relying party (code flow); repeatable")] = None,
                  as_json: JsonFlag = False) -> None:
    """Register a partner system (client credentials) or an OIDC relying party."""
    from broker.identity import service

    keys = None
    if jwks is not None:
        try:
            keys = json.loads(jwks.read_text())
        except (OSError, ValueError) as exc:
            raise fail(f"cannot read JWKS {jwks}: {exc}") from None

    def work(session: Any, settings: Any) -> dict[str, Any]:
        client, secret = service.create_client(
            session, organisation_id=org, name=name, professional_id=user, jwks=keys,
            redirect_uris=redirect_uri or [])
        data = {"client_id": client.client_id, "auth_method": client.auth_method}
        return data | ({"client_secret": secret} if secret else {})

    data = _in_transaction(work)
    emit(as_json, data, "\n".join(f"{key}: {value}" for key, value in data.items()))


@audit_app.command("verify")
def audit_verify(as_json: JsonFlag = False, deep: Annotated[bool, typer.Option(
        "--deep", help="also check every stored tree node and leaf hash")] = False) -> None:
    """Recompute the whole log; exit 1 naming the first bad sequence if anything is off."""
    from dataclasses import asdict

    from broker.audit import service
    from broker.audit.verify import summarise

    result = _in_transaction(lambda session, settings: service.verify(session, actor=None,
                                                                      deep=deep))
    if as_json:
        typer.echo(json.dumps({"ok": result.ok, "tree_size": result.tree_size,
                               "root_hash": result.root_hash, "events": result.events,
                               "first_bad_seq": result.first_bad_seq,
                               "problems": [asdict(p) for p in result.problems]}))
    else:
        typer.echo(summarise(result))
    raise typer.Exit(0 if result.ok else 1)


@audit_app.command("checkpoint")
def audit_checkpoint(as_json: JsonFlag = False) -> None:
    """Sequence queued events and sign a checkpoint of the tree."""
    from dataclasses import asdict

    from broker.audit.proofs import make_checkpoint

    signed = _in_transaction(lambda session, settings: make_checkpoint(session))
    typer.echo(json.dumps(asdict(signed)) if as_json else signed.note, nl=not as_json)


@audit_app.command("export")
def audit_export(since: Annotated[datetime | None, typer.Option(help="ISO time")] = None,
                 until: Annotated[datetime | None, typer.Option(help="ISO time")] = None,
                 fmt: Annotated[str, typer.Option("--format", help="jsonl or ldv")] = "jsonl",
                 output: Annotated[Path | None, typer.Option(help="File; default stdout")]
                 = None) -> None:
    """Write events as JSON lines or in the Logboek Dataverwerkingen shape."""
    from broker.audit.export import FORMATS, export_events
    from broker.audit.recording import Action, Record, record
    from broker.audit.sequencer import sequence_pending

    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}")
    bounds = [b if b is None or b.tzinfo else b.replace(tzinfo=UTC) for b in (since, until)]

    def work(session: Any, settings: Any) -> int:
        sequence_pending(session)
        with (output.open("w", encoding="utf-8") if output else nullcontext(sys.stdout)) as out:
            count = export_events(session, out, fmt=fmt, since=bounds[0], until=bounds[1],
                                  base_url=settings.base_url)
        record(session, Record(Action.EXPORT, None, object_type="audit_export",
                               object_id=fmt))
        return count

    count = _in_transaction(work)
    typer.echo(f"exported {count} events", err=True)


@retention_app.command("run")
def retention_run(as_json: JsonFlag = False, dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="list what would go, and change nothing")] = False) -> None:
    """Apply the retention periods: what passed its term from the last change to the
    person's file goes, each purge recorded; the audit log itself is never pruned."""
    from dataclasses import asdict

    from broker.retention import run_retention

    lines = _in_transaction(lambda session, settings: run_retention(
        session, policy=policy_or_exit(settings.policy_dir), dry_run=dry_run))
    if as_json:
        typer.echo(json.dumps([asdict(line) for line in lines]))
        return
    for line in lines:
        verb = "would remove" if dry_run else "removed"
        typer.echo(f"{line.kind:<13} {line.period_years:>2}y  {verb} {line.removed:>6}  "
                   f"past period {line.kept_past_period:>6}  {line.note}")


@meetings_app.command("remind")
def meetings_remind(as_json: JsonFlag = False) -> None:
    """E-mail invitees who have not answered a poll after a day, and everyone the day before a
    meeting (each once). `serve` does this every 15 minutes; cron can run it too."""
    from broker.meetings.service import send_reminders

    polls, days = _in_transaction(lambda session, settings: send_reminders(session))
    emit(as_json, {"poll_reminders": polls, "day_before_reminders": days},
         f"{polls} poll reminders and {days} day-before reminders sent.")


@keys_app.command("rotate")
def keys_rotate(as_json: JsonFlag = False) -> None:
    """Make a new key-encryption key and rewrap every data key (households' and persons')
    under it (the encrypted texts are not touched); observations an older version sealed
    under a household's key move to their subject's own key first, so that one person's
    file can be destroyed alone. Key-encryption keys no data key uses any more are removed
    from the key directory."""
    from broker.observations.service import move_to_person_keys
    from broker.vault.service import retire_unused_keks, rotate_keys

    def rotate(session: Any, settings: Any) -> tuple[int, str, int]:
        moved = move_to_person_keys(session)
        return moved, *rotate_keys(session)

    moved, kek_id, rewrapped = _in_transaction(rotate)
    retired = _in_transaction(lambda session, settings: retire_unused_keks(session))
    emit(as_json, {"kek_id": kek_id, "rewrapped": rewrapped, "retired": retired,
                   "moved_to_person_keys": moved},
         f"New key-encryption key {kek_id}; {rewrapped} data keys rewrapped; "
         f"{moved} observations moved to their subject's key; "
         f"{len(retired)} old keys removed.")


@keys_app.command("destroy")
def keys_destroy(household: Annotated[str, typer.Option(help="Household id")],
                 as_json: JsonFlag = False) -> None:
    """Crypto-shred a household: destroy its data keys (the shared one and each member's),
    so every text sealed under them is unreadable for good. The audit log stays whole.
    Cannot be undone. (One person's file is destroyed on their request, by the privacy
    officer.)"""
    from sqlalchemy import select

    from broker.households.models import Member
    from broker.vault.service import destroy_household

    _in_transaction(lambda session, settings: destroy_household(
        session, actor=None, household_id=household, member_ids=list(session.scalars(
            select(Member.id).where(Member.household_id == household)))))
    emit(as_json, {"household_id": household, "destroyed": True},
         f"Data key of household {household} destroyed.")


demo_app = typer.Typer(help="The demo municipality Demodam.", invoke_without_command=True)
app.add_typer(demo_app, name="demo")


def _demo_database() -> Any:
    """Settings, policy and the database of a demo command, with the audit log bound."""
    import broker.all_models  # noqa: F401
    from broker.audit.context import INFO_KEY, AuditContext
    from broker.config import PROJECT_ROOT
    from broker.db import Database
    from broker.keys import KeyRing

    settings = settings_or_exit()  # the demo's invitations go to files unless mail is set up
    settings = settings.model_copy(update={
        "mail_dir": settings.mail_dir or PROJECT_ROOT / "var" / "mail"})
    policy = policy_or_exit(settings.policy_dir)
    database = Database.from_url(settings.database_url)
    database.bind(INFO_KEY, AuditContext.create(settings, policy, KeyRing(settings.key_dir)))
    return settings, policy, database


def _demo_logins(as_json: bool, households: int | None, family_link: str | None) -> None:
    from broker import demo as demodam

    accounts = [{"email": a.email, "password": a.password, "roles": list(a.roles),
                 "organisation": demodam.ORGANISATIONS[a.organisation][0],
                 "main_page": a.main_page} for a in demodam.ACCOUNTS]
    link = (f"A parent's family page (the link works once): {family_link}" if family_link
            else "A parent's family page: `broker demo link` makes a new personal link.")
    emit(as_json, {"households": households, "accounts": accounts,
                   "family_link": family_link},
         (f"Demo municipality {demodam.MUNICIPALITY}: {households} families.\n"
          if households else f"Demo municipality {demodam.MUNICIPALITY}.\n")
         + "Log in at /login with (demo passwords: never use them for real):\n"
         + "\n".join(f"  {a['email']:<36} {a['password']:<28} {', '.join(a['roles'])}"
                     for a in accounts)
         + f"\n{link}")


@demo_app.callback()
def demo(ctx: typer.Context,
         households: Annotated[int, typer.Option(min=1, help="How many families")] = 50,
         if_empty: Annotated[bool, typer.Option(
             "--if-empty", help="Fill nothing (and succeed) when the database holds data; "
             "on a demo database print its logins again")] = False,
         as_json: JsonFlag = False) -> None:
    """Fill an empty database with the demo municipality Demodam: organisations of every
    party type, a professional for every role (demo passwords printed below), and families
    with months of history. Beyond the first 50 families, households are written in bulk
    (the large synthetic municipality of the scale benchmark). Migrates the database first."""
    if ctx.invoked_subcommand is not None:
        return
    from broker import demo as demodam
    from broker import migrate

    settings, policy, database = _demo_database()
    migrate.upgrade(settings.database_url)
    try:
        with database.sessionmaker() as session:
            empty, known = demodam.is_empty(session), demodam.is_demo(session)
        if not empty:
            if not if_empty:
                raise fail("This database holds data already: the demo fills an empty one.")
            if known:  # `make run` again: the logins once more
                _demo_logins(as_json, None, None)
            return
        living = min(households, demodam.LIVING)
        with typer.progressbar(length=households, label="Gezinnen", file=sys.stderr) as bar:
            cast = demodam.fill(database.sessionmaker.begin, policy, households_count=living,
                                progress=bar.update)
            if households > living:  # the rest in bulk: the large synthetic municipality
                demodam.fill_synthetic(database.sessionmaker.begin,
                                       households_count=households - living,
                                       progress=bar.update)
    finally:
        database.engine.dispose()
    _demo_logins(as_json, households, cast.family_link)


@demo_app.command("link")
def demo_link(family: Annotated[int, typer.Option(
                  min=1, help="Which demo family (1 = the first one made)")] = 1,
              parent: Annotated[int, typer.Option(
                  min=1, help="Which parent of that family (1 = the elder)")] = 1,
              as_json: JsonFlag = False) -> None:
    """Make a new personal link to the family page for a parent of a demo family (made by
    the family's regisseur, not e-mailed) and print it. Each link works once."""
    from broker import demo as demodam

    _, _, database = _demo_database()
    try:
        with database.sessionmaker.begin() as session:
            if not demodam.is_demo(session):
                raise fail("This database holds no demo: run `broker demo` first.")
            try:
                url = demodam.family_link(session, demodam.load_cast(session),
                                          family=family, parent=parent)
            except demodam.NoSuchFamily as exc:
                raise fail(str(exc)) from None
    finally:
        database.engine.dispose()
    emit(as_json, {"family": family, "parent": parent, "url": url}, url)


def main() -> None:
    from broker.observability import operation

    with operation():  # each command is one operation in the audit log
        app()
