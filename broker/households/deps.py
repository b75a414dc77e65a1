"""Guards of the household routes."""

from typing import Annotated

from fastapi import Depends

from broker.identity.deps import require_roles
from broker.identity.principal import Principal

Regisseur = Annotated[Principal, Depends(require_roles("regisseur"))]
