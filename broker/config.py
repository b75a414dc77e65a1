"""Settings from the environment (prefix ``BROKER_``); the CLI and the server read the same."""

from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROKER_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'broker.db'}",
        description="SQLAlchemy URL; SQLite (WAL) by default, postgresql+psycopg:// in production",
    )
    key_dir: Path = Field(default=PROJECT_ROOT / "var" / "keys")
    policy_dir: Path = Field(default=PROJECT_ROOT / "policies")
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/Amsterdam"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "broker@localhost"
    mail_dir: Path | None = Field(default=None, description="write each message as an .eml "
                                  "file here instead of sending it (a development mailbox)")
    # The mailbox of smtp_sender, where calendar answers (iTIP REPLY) arrive; `serve` reads
    # it every imap_poll_seconds. It must deliver smtp_sender's plus-addresses
    # (broker+token@...) to it: the token in the address proves whose answer it is.
    imap_host: str | None = None
    imap_port: int = 993
    imap_tls: bool = True
    imap_user: str | None = None
    imap_password: str | None = None
    imap_folder: str = "INBOX"
    imap_poll_seconds: float = Field(default=60.0, gt=0)

    token_audience: str = "broker-api"
    access_token_ttl_seconds: int = Field(default=300, ge=30, le=3600)
    session_ttl_minutes: int = Field(default=480, ge=5)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    # Per client address, counted in the database (shared by every broker process on it):
    # login attempts, and token requests.
    login_attempts_per_minute: int = Field(default=20, ge=1)
    token_requests_per_minute: int = Field(default=300, ge=1)
    # The reverse proxies whose X-Forwarded-For (and -Proto) `serve` believes: addresses or
    # networks, comma-separated. From anyone else the header is ignored, so a client cannot
    # choose the address it is limited as.
    trusted_proxies: str = ""

    # External IdP mode: the broker becomes an OIDC relying party of this issuer.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None

    # `serve` runs the background jobs (broker/jobs.py): it sequences the audit queue every few
    # seconds, signs a checkpoint periodically, delivers the outbox, sends reminders, applies
    # the retention periods (every retention_hours, the first an hour after start). One
    # process of a deployment at a time, the holder of the job lease (renewed every third of
    # job_lease_seconds; taken over by another process once it ran out).
    audit_background: bool = True
    job_lease_seconds: float = Field(default=15.0, ge=3)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    reminder_poll_seconds: float = Field(default=900.0, gt=0)
    retention_hours: float = Field(default=24.0, gt=0)
    audit_sequence_seconds: float = Field(default=1.0, gt=0)
    audit_checkpoint_minutes: float = Field(default=10.0, gt=0)

    log_format: Literal["json", "console"] = "json"
    log_level: str = "INFO"

    @field_validator("base_url", "oidc_issuer")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",") if item.strip()]
        for item in items:
            # uvicorn would silently take a malformed one (10.0.0.1/8, a name) as a literal
            # that no peer matches; here a ValueError names it.
            ip_network(item)
        return ",".join(items)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def issuer(self) -> str:
        """The built-in provider's issuer identifier: the public base URL."""
        return self.base_url

    @property
    def external_idp(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
