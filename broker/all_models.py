"""Imports every domain's models so that `Base.metadata` knows all tables (Alembic, tests)."""

from broker.db import Base
from broker.identity import models as identity_models

__all__ = ["Base", "identity_models"]
