"""Identity: organisations, professionals, clients, password login and browser sessions."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from broker.clock import now
from broker.errors import Conflict, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthorized
from broker.identity.models import (
    AuthorizationCode,
    Client,
    ClientAuthMethod,
    Organisation,
    Professional,
    Role,
    Team,
    TeamMember,
    UsedAssertion,
    WebSession,
)
from broker.identity.principal import Principal, PrincipalKind
from broker.identity.schemas import UserInfoRead
from broker.policy import Policy

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")
MIN_PASSWORD_LENGTH = 12
MAX_LOCKOUT = timedelta(hours=24)


class LoginFailed(Unauthorized):
    code, title = "login_failed", "Login failed"


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_organisation(session: Session, *, name: str, party: str, policy: Policy
                        ) -> Organisation:
    if party not in policy.parties:
        raise Invalid(f"Unknown party type {party!r}.")
    if not name.strip():
        raise Invalid("An organisation needs a name.")
    organisation = Organisation(name=name.strip(), party=party)
    session.add(organisation)
    session.flush()
    return organisation


def require_organisation(session: Session, organisation_id: str) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation


def normalise_roles(roles: Iterable[str]) -> list[str]:
    unique = sorted(set(roles))
    unknown = [r for r in unique if r not in Role.__members__.values()]
    if unknown or not unique:
        raise Invalid(f"Roles must be some of: {', '.join(Role)}.", code="invalid_roles",
                      unknown_roles=unknown)
    return unique


def create_team(session: Session, *, organisation_id: str, name: str) -> Team:
    require_organisation(session, organisation_id)
    if not name.strip():
        raise Invalid("A team needs a name.", code="invalid_team")
    team = Team(organisation_id=organisation_id, name=name.strip())
    session.add(team)
    session.flush()
    return team


def create_professional(session: Session, *, organisation_id: str, email: str, name: str,
                        roles: Iterable[str], password: str | None,
                        team_ids: Iterable[str] = ()) -> Professional:
    require_organisation(session, organisation_id)
    email = email.strip().lower()
    if "@" not in email:
        raise Invalid("An e-mail address is required.", code="invalid_email")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
                      code="password_too_short")
    professional = Professional(
        organisation_id=organisation_id, email=email, name=name.strip() or email,
        roles=normalise_roles(roles),
        password_hash=_hasher.hash(password) if password is not None else None,
    )
    try:
        with session.begin_nested():
            session.add(professional)
    except IntegrityError:
        raise Conflict("A professional with this e-mail address exists.",
                       code="email_taken") from None
    join_teams(session, professional, team_ids)
    return professional


def join_teams(session: Session, professional: Professional, team_ids: Iterable[str]) -> None:
    """Make the professional a member of these teams of their own organisation."""
    wanted = set(team_ids) - teams_of(session, professional.id)
    found = set(session.scalars(select(Team.id).where(
        Team.id.in_(wanted), Team.organisation_id == professional.organisation_id)))
    if found != wanted:
        raise Invalid("A team is unknown or belongs to another organisation.",
                      code="unknown_team")
    session.add_all(TeamMember(team_id=team_id, professional_id=professional.id)
                    for team_id in sorted(wanted))
    session.flush()


def teams_of(session: Session, professional_id: str) -> frozenset[str]:
    return frozenset(session.scalars(select(TeamMember.team_id)
                                     .where(TeamMember.professional_id == professional_id)))


def get_professional_by_email(session: Session, email: str) -> Professional | None:
    return session.scalar(select(Professional).where(Professional.email == email.strip().lower()))


def _public_jwks(jwks: Mapping[str, Any]) -> dict[str, Any]:
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise Invalid(f"The JWKS cannot be read: {exc}", code="invalid_jwks") from None
    if any(key.is_private for key in keys.keys):
        raise Invalid("The JWKS holds a private key; give only public keys.",
                      code="private_jwks")
    return dict(keys.as_dict(private=False))


def create_client(session: Session, *, organisation_id: str, name: str,
                  professional_id: str | None = None, jwks: Mapping[str, Any] | None = None,
                  redirect_uris: Iterable[str] = ()) -> tuple[Client, str | None]:
    """A partner system. With a JWKS it authenticates by private_key_jwt, else by a secret.

    Secrets are 256-bit random values, so a plain SHA-256 suffices (no guessing to slow down).
    """
    require_organisation(session, organisation_id)
    if professional_id is not None:
        professional = session.get(Professional, professional_id)
        if professional is None or professional.organisation_id != organisation_id:
            raise Invalid("The professional does not belong to this organisation.",
                          code="not_in_organisation")
    secret = None if jwks is not None else secrets.token_urlsafe(32)
    client = Client(
        client_id="cl_" + secrets.token_urlsafe(12), organisation_id=organisation_id,
        professional_id=professional_id, name=name,
        auth_method=(ClientAuthMethod.PRIVATE_KEY_JWT if jwks is not None
                     else ClientAuthMethod.SECRET_BASIC),
        secret_hash=sha256_hex(secret) if secret else None,
        jwks=_public_jwks(jwks) if jwks is not None else None,
        redirect_uris=list(redirect_uris),
    )
    session.add(client)
    session.flush()
    return client, secret


def get_client(session: Session, client_id: str) -> Client | None:
    client = session.scalar(select(Client).where(Client.client_id == client_id))
    return client if client is not None and client.active else None


def check_client_secret(client: Client, secret: str) -> bool:
    return client.secret_hash is not None and hmac.compare_digest(
        client.secret_hash, sha256_hex(secret))


def client_principal(session: Session, client: Client) -> Principal:
    """A client acts for its organisation; bound to a professional it carries their roles."""
    organisation = require_organisation(session, client.organisation_id)
    if client.professional_id:
        professional = session.get(Professional, client.professional_id)
        if professional is None or not professional.active:
            raise Unauthorized("The professional this client acts for is not active.")
        return professional_principal(session, organisation, professional,
                                      client_id=client.client_id)
    return Principal(kind=PrincipalKind.CLIENT, organisation_id=organisation.id,
                     party=organisation.party, roles=frozenset({Role.PARTNER.value}),
                     client_id=client.client_id)


def professional_principal(session: Session, organisation: Organisation,
                           professional: Professional, client_id: str | None = None
                           ) -> Principal:
    return Principal(kind=PrincipalKind.PROFESSIONAL, organisation_id=organisation.id,
                     party=organisation.party, roles=frozenset(professional.roles),
                     professional_id=professional.id, client_id=client_id,
                     team_ids=teams_of(session, professional.id))


def remember_assertion(session: Session, *, client_id: str, jti: str, expires_at: datetime
                       ) -> bool:
    """Record a client assertion's jti; False when it was seen before (a replay)."""
    session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < now()))
    try:
        with session.begin_nested():
            session.add(UsedAssertion(key=sha256_hex(f"{client_id}\x00{jti}"),
                                      expires_at=expires_at))
    except IntegrityError:
        return False
    return True


def authenticate_password(session: Session, *, email: str, password: str,
                          max_failures: int, lockout: timedelta) -> Professional:
    """Check a password with back-off: after `max_failures` the account locks, doubling.

    The professional's row stays locked until the transaction ends (PostgreSQL; SQLite runs
    one at a time), so guesses at one account, from any process, are checked and counted one
    after another: concurrent ones would otherwise each read the same count and lose all but
    one failure."""
    professional = session.scalar(select(Professional).where(
        Professional.email == email.strip().lower()).with_for_update())
    moment = now()
    if professional is None or not professional.active or professional.password_hash is None:
        _verify(_DUMMY_HASH, password)
        raise LoginFailed()
    if professional.locked_until and professional.locked_until > moment:
        raise TooManyAttempts("Account temporarily locked.", locked_until=professional.locked_until)
    if not _verify(professional.password_hash, password):
        professional.failed_logins += 1
        excess = professional.failed_logins - max_failures
        if excess >= 0:
            professional.locked_until = moment + min(lockout * 2**excess, MAX_LOCKOUT)
        session.flush()
        raise LoginFailed()
    professional.failed_logins = 0
    professional.locked_until = None
    if _hasher.check_needs_rehash(professional.password_hash):
        professional.password_hash = _hasher.hash(password)
    session.flush()
    return professional


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def open_web_session(session: Session, *, professional: Professional, ttl: timedelta
                     ) -> tuple[str, WebSession]:
    """A new session id at every login (no fixation); the table stores only its hash."""
    raw = secrets.token_urlsafe(32)
    web_session = WebSession(id_hash=sha256_hex(raw), professional_id=professional.id,
                             csrf_token=secrets.token_urlsafe(32), expires_at=now() + ttl)
    session.add(web_session)
    session.flush()
    return raw, web_session


def get_web_session(session: Session, raw_id: str) -> tuple[WebSession, Professional] | None:
    row = session.execute(
        select(WebSession, Professional)
        .join(Professional, Professional.id == WebSession.professional_id)
        .where(WebSession.id_hash == sha256_hex(raw_id))
    ).first()
    if row is None:
        return None
    web_session, professional = row
    if web_session.ended_at or web_session.expires_at <= now() or not professional.active:
        return None
    return web_session, professional


def end_web_session(session: Session, raw_id: str) -> None:
    web_session = session.get(WebSession, sha256_hex(raw_id))
    if web_session is not None and web_session.ended_at is None:
        web_session.ended_at = now()
        session.flush()


def save_authorization_code(session: Session, *, code: str, client_id: str,
                            professional_id: str, redirect_uri: str, scope: str,
                            nonce: str | None, code_challenge: str, code_challenge_method: str,
                            auth_time: datetime) -> None:
    session.add(AuthorizationCode(
        code_hash=sha256_hex(code), client_id=client_id, professional_id=professional_id,
        redirect_uri=redirect_uri, scope=scope, nonce=nonce, code_challenge=code_challenge,
        code_challenge_method=code_challenge_method, auth_time=auth_time,
        expires_at=now() + timedelta(minutes=2)))
    session.flush()


def get_authorization_code(session: Session, *, code: str, client_id: str
                           ) -> AuthorizationCode | None:
    row = session.get(AuthorizationCode, sha256_hex(code))
    if row is None or row.client_id != client_id or row.expires_at <= now():
        return None
    return row


def delete_authorization_code(session: Session, code: AuthorizationCode) -> None:
    session.delete(code)
    session.flush()


def nonce_used(session: Session, *, client_id: str, nonce: str) -> bool:
    return session.scalar(select(AuthorizationCode.code_hash).where(
        AuthorizationCode.client_id == client_id, AuthorizationCode.nonce == nonce)) is not None


def start_web_login(session: Session, *, email: str | None, ttl: timedelta) -> str | None:
    """After the IdP vouched for `email`: a fresh session id, or None without an account."""
    professional = get_professional_by_email(session, email) if email else None
    if professional is None or not professional.active:
        return None
    raw, _ = open_web_session(session, professional=professional, ttl=ttl)
    return raw


def organisation_overview(session: Session) -> list[tuple[Organisation, int]]:
    """Every organisation with its number of professionals (no personal data)."""
    from sqlalchemy import func

    rows = session.execute(
        select(Organisation, func.count(Professional.id))
        .outerjoin(Professional, Professional.organisation_id == Organisation.id)
        .group_by(Organisation.id).order_by(Organisation.name)).all()
    return [(organisation, count) for organisation, count in rows]


def teams_overview(session: Session) -> list[tuple[Team, Organisation, int]]:
    """Every team with its organisation and number of members."""
    from sqlalchemy import func

    rows = session.execute(
        select(Team, Organisation, func.count(TeamMember.professional_id))
        .join(Organisation, Organisation.id == Team.organisation_id)
        .outerjoin(TeamMember, TeamMember.team_id == Team.id)
        .group_by(Team.id, Organisation.id).order_by(Organisation.name, Team.name)).all()
    return [(team, organisation, count) for team, organisation, count in rows]


def professionals_overview(session: Session) -> list[tuple[Professional, Organisation]]:
    """Every professional (staff, not families) with their organisation."""
    return [(p, o) for p, o in session.execute(
        select(Professional, Organisation)
        .join(Organisation, Organisation.id == Professional.organisation_id)
        .order_by(Organisation.name, Professional.name)).all()]


def clients_overview(session: Session) -> list[tuple[Client, Organisation]]:
    """Every partner system and relying party with its organisation (no secrets: only
    their hashes are kept)."""
    return [(c, o) for c, o in session.execute(
        select(Client, Organisation)
        .join(Organisation, Organisation.id == Client.organisation_id)
        .order_by(Organisation.name, Client.name)).all()]


def organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def directory_counts(session: Session) -> dict[str, int]:
    """How many organisations, teams, professionals and clients there are (the admin's
    start page)."""
    from sqlalchemy import func

    return {name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (("organisations", Organisation), ("teams", Team),
                                ("professionals", Professional), ("clients", Client))}


def userinfo(session: Session, principal: Principal) -> UserInfoRead:
    """The professional an access token is for (OIDC UserInfo); a client acting for its
    organisation alone is nobody."""
    professional = session.get(Professional, principal.professional_id) \
        if principal.professional_id else None
    if professional is None or not professional.active:
        raise Forbidden("This token is not a professional's.", code="not_a_person")
    return UserInfoRead(sub=professional.id, name=professional.name, email=professional.email,
                        email_verified=True)
