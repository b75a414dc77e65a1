"""Who is on the family page: the household member of the family session cookie."""

from typing import Annotated

from fastapi import Depends, Request

from broker.db import DbSession
from broker.errors import Unauthorized
from broker.family import service
from broker.identity.principal import Principal

FAMILY_COOKIE = "broker_family"


def family_member(request: Request, session: DbSession) -> Principal:
    return service.session_member(session, request.cookies.get(FAMILY_COOKIE))


def family_page_member(request: Request, session: DbSession) -> Principal | None:
    """The pages: None without a live session, so they can say how to open the page again."""
    try:
        return family_member(request, session)
    except Unauthorized:
        return None


FamilyMember = Annotated[Principal, Depends(family_member)]
FamilyPageMember = Annotated[Principal | None, Depends(family_page_member)]
