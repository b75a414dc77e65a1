"""Who is on the family page: the household member of the family session cookie."""

from typing import Annotated

from fastapi import Depends, Request

from broker.db import DbSession
from broker.family import service
from broker.identity.principal import Principal

FAMILY_COOKIE = "broker_family"


def family_member(request: Request, session: DbSession) -> Principal:
    return service.session_member(session, request.cookies.get(FAMILY_COOKIE))


FamilyMember = Annotated[Principal, Depends(family_member)]
