"""Full verification: recompute every leaf and the tree from the stored events, compare with
the stored leaf hashes, the head and every signed checkpoint, and name the first bad event."""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, text

from broker.audit import merkle
from broker.audit.models import SEARCH_COLUMNS, AuditCheckpoint, AuditHead
from broker.audit.notes import verify_note
from broker.audit.sequencer import HEAD_ID

_sha256 = hashlib.sha256
CHUNK = 20_000


@dataclass(frozen=True)
class Problem:
    seq: int | None
    kind: str
    detail: str


@dataclass
class Verification:
    tree_size: int = 0
    root_hash: str = ""
    events: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        seqs = [p.seq for p in self.problems if p.seq is not None]
        return min(seqs) if seqs else None


def _stream(connection: Connection, sql: str) -> Iterator[Sequence[Any]]:
    # Per statement: Connection.execution_options() would change the connection for good.
    result = connection.exec_driver_sql(
        sql, execution_options={"stream_results": True, "yield_per": CHUNK})
    yield from result.partitions(CHUNK)


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every perfect subtree hash, level by level (level 0: the leaves)."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([_sha256(b"\x01" + left + right).digest()
                       for left, right in zip(below[0::2], below[1::2], strict=False)])
    return levels


def _check_leaves(connection: Connection, result: Verification) -> list[bytes]:
    digests: list[bytes] = []
    expected = 1
    problems = result.problems
    for chunk in _stream(connection, "SELECT e.seq, e.leaf, n.hash FROM audit_events e "
                                     "LEFT JOIN audit_nodes n ON n.level = 0 AND n.idx = e.seq - 1 "
                                     "ORDER BY e.seq"):
        for seq, leaf, stored in chunk:
            digest = _sha256(b"\x00" + leaf.encode()).digest()
            if seq != expected:
                problems.append(Problem(expected, "missing",
                                        f"events {expected} to {seq - 1} are missing"))
                expected = seq
            if stored is None:
                problems.append(Problem(seq, "not_in_tree", f"event {seq} is not in the tree"))
            elif bytes(stored) != digest:
                problems.append(Problem(seq, "changed", f"event {seq} was changed"))
            digests.append(digest)
            expected += 1
    result.events = expected - 1
    return digests


def _check_nodes(connection: Connection, levels: list[list[bytes]],
                 result: Verification) -> None:
    for chunk in _stream(connection, "SELECT level, idx, hash FROM audit_nodes WHERE level > 0 "
                                     "ORDER BY level, idx"):
        count = len(levels[0])
        for level, idx, stored in chunk:
            width = 1 << level
            if (idx + 1) * width > count:
                continue  # over events that are gone: reported as truncation
            if bytes(stored) != levels[level][idx]:
                result.problems.append(Problem(
                    idx * width + 1, "node_changed",
                    f"tree node {level}/{idx} (events {idx * width + 1} to {(idx + 1) * width}) "
                    "does not match the events"))
                return


def _check_roots(connection: Connection, levels: list[list[bytes]], verifier_key: str,
                 result: Verification) -> None:
    def fetch(keys: Sequence[merkle.Key]) -> dict[merkle.Key, bytes]:
        return {(level, idx): levels[level][idx] for level, idx in keys}

    count = len(levels[0])
    head_size, head_root = connection.execute(
        select(AuditHead.tree_size, AuditHead.root_hash).where(AuditHead.id == HEAD_ID)).one()
    result.tree_size = head_size
    result.root_hash = bytes(head_root).hex()
    if count < head_size:
        result.problems.append(Problem(count + 1, "truncated",
                                       f"the tree holds {head_size} events, the log ends at "
                                       f"{count}"))
    elif merkle.root(fetch, head_size) != bytes(head_root):
        result.problems.append(Problem(None, "head_mismatch", "the stored root does not match"))
    for size, root_hash, note in connection.execute(
            select(AuditCheckpoint.tree_size, AuditCheckpoint.root_hash, AuditCheckpoint.note)
            .order_by(AuditCheckpoint.tree_size)):
        try:
            body = verify_note(note, verifier_key)
        except ValueError as exc:
            result.problems.append(Problem(None, "checkpoint_signature",
                                           f"checkpoint of size {size}: {exc}"))
            continue
        lines = body.splitlines()
        if int(lines[1]) != size or merkle.b64(root_hash) != lines[2]:
            result.problems.append(Problem(None, "checkpoint_mismatch",
                                           f"checkpoint of size {size} differs from its note"))
        elif size <= count and merkle.root(fetch, size) != bytes(root_hash):
            result.problems.append(Problem(
                None, "checkpoint_mismatch",
                f"the events no longer produce the signed root of size {size}"))


_JSON_FIELD = {"sqlite": "json_extract(leaf, '$.event.{name}')",
               "postgresql": "(leaf::jsonb -> 'event' ->> '{name}')"}


def _check_search_columns(connection: Connection, result: Verification) -> None:
    """The columns used for searching must say what the hashed leaf says."""
    dialect = connection.dialect.name
    template = _JSON_FIELD.get(dialect)
    if template is None:
        return
    compare = " IS NOT " if dialect == "sqlite" else " IS DISTINCT FROM "
    clauses = " OR ".join(f"{name}{compare}{template.format(name=name)}"
                          for name in SEARCH_COLUMNS)
    first = connection.execute(text(f"SELECT min(seq) FROM audit_events WHERE {clauses}")
                               ).scalar()
    if first is not None:
        result.problems.append(Problem(first, "search_columns",
                                       f"the search columns of event {first} differ from it"))


def verify_log(connection: Connection, *, verifier_key: str,
               search_columns: bool = True) -> Verification:
    result = Verification()
    digests = _check_leaves(connection, result)
    levels = _levels(digests) if digests else [[]]
    if result.ok:  # else the changed leaves already explain every node above them
        _check_nodes(connection, levels, result)
    _check_roots(connection, levels, verifier_key, result)
    if search_columns:
        _check_search_columns(connection, result)
    result.problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
    return result


def summarise(result: Verification) -> str:
    if result.ok:
        return f"audit log ok: {result.events} events, root {result.root_hash}"
    lines = [f"audit log NOT ok: {len(result.problems)} problem(s); "
             f"first bad sequence: {result.first_bad_seq}"]
    lines += [f"  {p.kind}: {p.detail}" for p in result.problems]
    return "\n".join(lines)


