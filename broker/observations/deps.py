"""Guards of the observation routes."""

from typing import Annotated

from fastapi import Depends

from broker.identity.deps import require_roles
from broker.identity.principal import Principal

Submitter = Annotated[Principal, Depends(require_roles("partner", "regisseur"))]
