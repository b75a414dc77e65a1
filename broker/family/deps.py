"""Who is on the family page: the household member of the family session cookie."""

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie

from broker.db import DbSession
from broker.errors import Unauthorized
from broker.family import service
from broker.identity.principal import Principal

FAMILY_COOKIE = "broker_family"


# In the OpenAPI document: the family's routes take the session cookie of a personal link.
FAMILY_SESSION = APIKeyCookie(name=FAMILY_COOKIE, scheme_name="family_session",
                              auto_error=False,
                              description="The family page's session, opened by a personal link")


def family_member(request: Request, session: DbSession,
                  _cookie: Annotated[object, Security(FAMILY_SESSION)]) -> Principal:
    return service.session_member(session, request.cookies.get(FAMILY_COOKIE))


def family_page_member(request: Request, session: DbSession) -> Principal | None:
    """The pages: None without a live session, so they can say how to open the page again."""
    try:
        return service.session_member(session, request.cookies.get(FAMILY_COOKIE))
    except Unauthorized:
        return None


FamilyMember = Annotated[Principal, Depends(family_member)]
FamilyPageMember = Annotated[Principal | None, Depends(family_page_member)]
