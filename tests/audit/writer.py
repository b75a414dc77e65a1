"""A writer process for the concurrency test: many small transactions, each an act with its
audit record; every few acts it also runs the sequencer, as `serve` would."""

import sys
from pathlib import Path

from broker.audit.context import INFO_KEY, AuditContext
from broker.audit.sequencer import sequence_pending
from broker.config import PROJECT_ROOT, Settings
from broker.db import Database
from broker.keys import KeyRing
from broker.policy import load_policy
from tests.audit.helpers import actor, disclose


def main(url: str, key_dir: str, name: str, count: int) -> None:
    settings = Settings(database_url=url, key_dir=Path(key_dir))
    database = Database.from_url(url)
    database.bind(INFO_KEY, AuditContext.create(settings, load_policy(PROJECT_ROOT / "policies"),
                                                KeyRing(settings.key_dir)))
    for i in range(count):
        with database.sessionmaker.begin() as session:
            disclose(session, subject_id=f"{name}-{i}", to=actor(f"org-{name}"))
        if i % 7 == 0:
            with database.sessionmaker.begin() as session:
                sequence_pending(session, batch=50)
    database.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
