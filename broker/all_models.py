"""Imports every domain's models so that `Base.metadata` knows all tables (Alembic, tests)."""

from broker.audit import models as audit_models
from broker.care import models as care_models
from broker.consent import models as consent_models
from broker.db import Base
from broker.family import models as family_models
from broker.households import models as household_models
from broker.identity import models as identity_models
from broker.information_requests import models as information_request_models
from broker.mail import models as mail_models
from broker.mandates import models as mandate_models
from broker.meetings import models as meeting_models
from broker.meldcode import models as meldcode_models
from broker.observations import models as observation_models
from broker.plans import models as plan_models
from broker.system import models as system_models
from broker.vault import models as vault_models

__all__ = ["Base", "audit_models", "care_models", "consent_models", "family_models",
           "household_models",
           "identity_models", "information_request_models", "mail_models", "mandate_models",
           "meeting_models", "meldcode_models", "observation_models", "plan_models",
           "system_models",
           "vault_models"]
