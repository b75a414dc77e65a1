"""Fixtures of the meeting tests."""

import dataclasses

import pytest
from sqlalchemy.orm import Session

from broker.audit.context import INFO_KEY
from tests.conftest import Mailbox


@pytest.fixture
def mail(session: Session, smtp_server: Mailbox) -> Mailbox:
    """The app sends to the test's SMTP server."""
    context = session.info[INFO_KEY]
    session.info[INFO_KEY] = dataclasses.replace(context, settings=context.settings.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}))
    return smtp_server
