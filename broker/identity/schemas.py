"""Identity payloads."""

from pydantic import BaseModel, ConfigDict, Field

from broker.schemas import StrictModel


class PrincipalRead(BaseModel):
    kind: str
    organisation_id: str
    party: str
    roles: list[str]
    professional_id: str | None
    client_id: str | None


class OrganisationCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    party: str = Field(min_length=1, max_length=64)


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    party: str


class UserInfoRead(BaseModel):
    """OpenID Connect Core 5.3: the professional's own claims."""

    sub: str
    name: str
    email: str
    email_verified: bool


class OAuthErrorRead(BaseModel):
    """RFC 6749 5.2, as `application/json`; also the problem fields of the rest of the API."""

    error: str
    error_description: str
    code: str
    status: int
