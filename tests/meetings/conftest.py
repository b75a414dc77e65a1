"""Fixtures of the meeting tests."""

import pytest
from sqlalchemy.orm import Session

from broker.audit.context import INFO_KEY
from tests.conftest import Mailbox, with_smtp


@pytest.fixture
def mail(session: Session, smtp_server: Mailbox) -> Mailbox:
    """The app sends to the test's SMTP server."""
    session.info[INFO_KEY] = with_smtp(session.info[INFO_KEY], smtp_server)
    return smtp_server
