"""Guards of the audit routes."""

from typing import Annotated

from fastapi import Depends

from broker.errors import Forbidden
from broker.identity.deps import CurrentWebUser, WebUser, require_roles
from broker.identity.principal import Principal

PrivacyOfficer = Annotated[Principal, Depends(require_roles("privacy_officer"))]


async def require_privacy_officer_page(user: CurrentWebUser) -> WebUser:
    if not user.principal.has_role("privacy_officer"):
        raise Forbidden("These pages are for the privacy officer.", code="wrong_role")
    return user


PrivacyOfficerPage = Annotated[WebUser, Depends(require_privacy_officer_page)]
