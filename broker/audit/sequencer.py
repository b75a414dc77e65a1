"""Moves recorded events from the queue into the log: gap-free sequence numbers, Merkle nodes.

Acts never wait for each other to be audited: they only insert into `audit_pending`. Sequencing
takes the head row's lock for one short batch, so several broker processes (or a background
loop in each) can run it at once and still produce one gap-free, ordered log.
"""

from collections.abc import Sequence

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from broker.audit import merkle
from broker.audit.models import SEARCH_COLUMNS, AuditEvent, AuditHead, AuditNode, AuditPending

HEAD_ID = 1
BATCH = 5000


def node_fetcher(session: Session) -> merkle.Fetch:
    def fetch(keys: Sequence[merkle.Key]) -> dict[merkle.Key, bytes]:
        if not keys:
            return {}
        # Point look-ups joined by OR (a row-value IN would scan the table on SQLite). The
        # text depends only on the number of keys, so its compiled form is cached.
        where = " OR ".join(f"(level = :l{n} AND idx = :i{n})" for n in range(len(keys)))
        params = {f"{p}{n}": v for n, key in enumerate(keys) for p, v in zip("li", key,
                                                                              strict=True)}
        rows = session.execute(text(f"SELECT level, idx, hash FROM audit_nodes WHERE {where}"),
                               params)
        return {(level, idx): bytes(digest) for level, idx, digest in rows}

    return fetch


def lock_head(session: Session) -> int:
    """Take the head row's lock (a no-op update) and return the tree size."""
    size = session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID)
                           .values(tree_size=AuditHead.tree_size)
                           .returning(AuditHead.tree_size)).scalar_one()
    return int(size)


def leaf_text(payload: str, seq: int) -> str:
    """The canonical leaf: the event and its sequence number (keys in sorted order)."""
    return f'{{"event":{payload},"seq":{seq}}}'


def try_lock_head(session: Session) -> int | None:
    """The head row's lock and the tree size, or None at once if another transaction holds
    it (PostgreSQL; SQLite runs one writing transaction at a time anyway)."""
    if session.get_bind().dialect.name != "postgresql":
        return lock_head(session)
    size = session.scalar(select(AuditHead.tree_size).where(AuditHead.id == HEAD_ID)
                          .with_for_update(skip_locked=True))
    return None if size is None else int(size)


def catch_up(session: Session) -> int:
    """Before a search of the log: sequence what is queued, unless another process is doing
    so right now; then the search shows the log as it stands (the background sequencer is at
    most a second behind). Searches under load would otherwise queue behind each other for
    the head row's lock, each holding it until its own transaction ends."""
    size = try_lock_head(session)
    return 0 if size is None else _sequence(session, size, BATCH)


def sequence_pending(session: Session, *, batch: int = BATCH) -> int:
    """Sequence every event queued so far, in batches; return how many were added."""
    return _sequence(session, lock_head(session), batch)


def _sequence(session: Session, size: int, batch: int) -> int:
    added = 0
    frontier: merkle.Frontier | None = None
    columns = [AuditPending.id, AuditPending.payload,
               *(getattr(AuditPending, name) for name in SEARCH_COLUMNS)]
    while rows := session.execute(select(*columns).order_by(AuditPending.id)
                                  .limit(batch)).all():
        frontier = frontier or merkle.Frontier.load(size, node_fetcher(session))
        events, nodes = [], []
        for row in rows:
            seq = frontier.size + 1
            leaf = leaf_text(row.payload, seq)
            nodes += frontier.append(merkle.leaf_hash(leaf.encode()))
            events.append({"seq": seq, "leaf": leaf,
                           **{name: getattr(row, name) for name in SEARCH_COLUMNS}})
        session.execute(insert(AuditEvent), events)
        session.execute(insert(AuditNode),
                        [{"level": lv, "idx": ix, "hash": dg} for lv, ix, dg in nodes])
        session.execute(delete(AuditPending).where(AuditPending.id.in_([r.id for r in rows])))
        added += len(rows)
    if frontier is not None:
        session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID)
                        .values(tree_size=frontier.size, root_hash=frontier.root()))
    return added
