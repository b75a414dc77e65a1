"""Full verification: recompute every leaf and the tree from the stored events, compare with
the stored leaf hashes, the head and every signed checkpoint, and name the first bad event."""

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import Connection, select, text

from broker.audit import merkle
from broker.audit.models import SEARCH_COLUMNS, AuditCheckpoint, AuditHead
from broker.audit.notes import verify_note
from broker.audit.sequencer import HEAD_ID

_sha256 = hashlib.sha256
CHUNK = 20_000
FOLD = 1 << 16  # leaves hashed per chunk; aligned, so chunks are perfect subtrees


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


def _raw_stream(connection: Connection, sql: str) -> Iterator[list[Any]]:
    """Rows straight from the driver: the hot loop of verification skips SQLAlchemy's rows.
    On PostgreSQL a named (server-side) cursor in binary format: bytea arrives as is, not
    as hex text to decode."""
    connection.exec_driver_sql("SELECT 1")  # make sure a transaction is open (named cursors)
    raw: Any = connection.connection.driver_connection
    cursor = raw.cursor(name="audit_verify", binary=True) \
        if connection.dialect.name == "postgresql" else raw.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK):
            yield rows
    finally:
        cursor.close()


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every perfect subtree hash, level by level (level 0: the leaves)."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([_sha256(b"\x01" + left + right).digest()
                       for left, right in zip(below[0::2], below[1::2], strict=False)])
    return levels


class _Edge:
    """The right edge of the tree being rebuilt: perfect subtrees, largest first."""

    def __init__(self) -> None:
        self.nodes: list[tuple[int, bytes]] = []

    def push(self, level: int, digest: bytes) -> None:
        while self.nodes and self.nodes[-1][0] == level:
            digest = _sha256(b"\x01" + self.nodes.pop()[1] + digest).digest()
            level += 1
        self.nodes.append((level, digest))

    def root_with(self, extra: list[tuple[int, bytes]]) -> bytes:
        nodes = [digest for _, digest in self.nodes] + [digest for _, digest in extra]
        if not nodes:
            return merkle.EMPTY_ROOT
        digest = nodes[-1]
        for left in reversed(nodes[:-1]):
            digest = _sha256(b"\x01" + left + digest).digest()
        return digest


def _perfect_parts(levels: list[list[bytes]], size: int) -> list[tuple[int, bytes]]:
    """The perfect subtrees of the first `size` leaves of a chunk, largest first."""
    return [(level, levels[level][index]) for level, index in merkle.decomposition(size)]


# The leaf as the bytes that were hashed, without a round trip through str.
_LEAF_AS_BYTES = {"sqlite": "CAST(leaf AS BLOB)", "postgresql": "convert_to(leaf, 'UTF8')"}


def _events_sql(dialect: str, search_columns: bool) -> str:
    """Every event in order: sequence number, leaf and (to compare) the search columns."""
    columns = ("seq", _LEAF_AS_BYTES[dialect], *(SEARCH_COLUMNS if search_columns else ()))
    return f"SELECT {', '.join(columns)} FROM audit_events ORDER BY seq"


def _rebuild(connection: Connection, sizes: set[int], result: Verification, *,
             search_columns: bool) -> dict[int, bytes]:
    """Hash every event and fold them into the tree chunk by chunk (aligned, 2^16 leaves);
    return the roots at `sizes`. Gaps in the sequence are noted as problems, and so is the
    first event whose search columns do not say what its leaf says."""
    edge, roots = _Edge(), {}
    wanted = sorted(sizes)
    expected, offset = 1, 0
    chunk: list[bytes] = []

    def fold(chunk: list[bytes]) -> None:
        nonlocal offset
        levels = _levels(chunk)
        while wanted and wanted[0] <= offset + len(chunk):
            size = wanted.pop(0)
            roots[size] = edge.root_with(_perfect_parts(levels, size - offset))
        for level, digest in _perfect_parts(levels, len(chunk)):
            edge.push(level, digest)
        offset += len(chunk)

    compare = search_columns
    for rows in _raw_stream(connection, _events_sql(connection.dialect.name, search_columns)):
        expected = _note_gaps(rows, expected, result)
        if compare and (problem := _first_unfaithful(rows)):
            result.problems.append(problem)
            compare = False
        chunk += [_sha256(b"\x00" + row[1]).digest() for row in rows]
        while len(chunk) >= FOLD:
            fold(chunk[:FOLD])
            chunk = chunk[FOLD:]
    if chunk or not offset:
        fold(chunk)
    result.events = offset
    return roots


def _note_gaps(rows: list[Any], expected: int, result: Verification) -> int:
    """Note the sequence numbers missing before and within `rows`; return the next one."""
    if rows[0][0] == expected and rows[-1][0] - expected == len(rows) - 1:
        return expected + len(rows)
    for row in rows:  # a gap in this batch: find it
        seq = row[0]
        if seq != expected:
            result.problems.append(Problem(
                expected, "missing", f"events {expected} to {seq - 1} are missing"))
            expected = seq
        expected += 1
    return expected


# What a leaf says in the search columns' place: its event's fields of the same names, each a
# string or null (absent counts as null). Any other JSON value differs from every column.
_Said = msgspec.defstruct("_Said", [(name, str | None, None) for name in SEARCH_COLUMNS])
_decode_leaf: Callable[[bytes], Any] = msgspec.json.Decoder(
    msgspec.defstruct("_Leaf", [("event", _Said)])).decode
_astuple = msgspec.structs.astuple


def _first_unfaithful(rows: list[Any]) -> Problem | None:
    """The first of `rows` (seq, leaf, *search columns) whose leaf is not JSON, or whose
    search columns differ from what its leaf says: a column that lies hides an event from a
    search."""
    for row in rows:
        try:
            if _astuple(_decode_leaf(row[1]).event) == row[2:]:
                continue
        except msgspec.ValidationError:  # JSON, but not an event with string fields
            pass
        except msgspec.DecodeError:
            return Problem(row[0], "malformed", f"event {row[0]} is not JSON")
        return Problem(row[0], "search_columns",
                       f"the search columns of event {row[0]} differ from it")
    return None


def _pinpoint(connection: Connection, result: Verification) -> None:
    """The slow path, when roots differ: compare each event with its stored leaf hash."""
    for chunk in _stream(connection, "SELECT e.seq, e.leaf, n.hash FROM audit_events e "
                                     "LEFT JOIN audit_nodes n ON n.level = 0 AND n.idx = e.seq - 1 "
                                     "ORDER BY e.seq"):
        for seq, leaf, stored in chunk:
            if stored is None:
                result.problems.append(Problem(seq, "not_in_tree",
                                               f"event {seq} is not in the tree"))
            elif bytes(stored) != _sha256(b"\x00" + leaf.encode()).digest():
                result.problems.append(Problem(seq, "changed", f"event {seq} was changed"))


def _check_nodes(connection: Connection, result: Verification) -> None:
    """Deep check: every perfect subtree of the tree is stored once, and every stored node
    follows from the stored leaf hashes below it."""
    counts: dict[int, int] = dict(connection.execute(text(
        "SELECT level, count(*) FROM audit_nodes GROUP BY level")).all())
    size = result.tree_size
    for level in range(max(size.bit_length(), max(counts, default=0) + 1)):
        if counts.get(level, 0) != size >> level:
            result.problems.append(Problem(
                None, "node_missing", f"the tree should store {size >> level} nodes at level "
                f"{level}, it stores {counts.get(level, 0)}"))
            return
    leaves = [bytes(h) for rows in _raw_stream(
        connection, "SELECT hash FROM audit_nodes WHERE level = 0 ORDER BY idx") for (h,) in rows]
    levels = _levels(leaves) if leaves else [[]]
    for chunk in _stream(connection, "SELECT level, idx, hash FROM audit_nodes WHERE level > 0 "
                                     "ORDER BY level, idx"):
        for level, idx, stored in chunk:
            width = 1 << level
            if level >= len(levels) or idx >= len(levels[level]) or \
                    bytes(stored) != levels[level][idx]:
                result.problems.append(Problem(
                    idx * width + 1, "node_changed",
                    f"tree node {level}/{idx} (events {idx * width + 1} to {(idx + 1) * width}) "
                    "does not follow from the leaf hashes"))
                return


def _signed_checkpoints(connection: Connection, verifier_key: str, result: Verification
                        ) -> list[tuple[int, bytes]]:
    checked = []
    for size, root_hash, note in connection.execute(
            select(AuditCheckpoint.tree_size, AuditCheckpoint.root_hash, AuditCheckpoint.note)
            .order_by(AuditCheckpoint.tree_size)):
        try:
            lines = verify_note(note, verifier_key).splitlines()
        except ValueError as exc:
            result.problems.append(Problem(None, "checkpoint_signature",
                                           f"checkpoint of size {size}: {exc}"))
            continue
        if int(lines[1]) != size or merkle.b64(root_hash) != lines[2]:
            result.problems.append(Problem(None, "checkpoint_mismatch",
                                           f"checkpoint of size {size} differs from its note"))
            continue
        checked.append((size, bytes(root_hash)))
    return checked


def _compare_roots(roots: dict[int, bytes], head: tuple[int, bytes],
                   checkpoints: list[tuple[int, bytes]], result: Verification) -> None:
    head_size, head_root = head
    if result.events < head_size:
        result.problems.append(Problem(result.events + 1, "truncated",
                                       f"the tree holds {head_size} events, the log ends at "
                                       f"{result.events}"))
    elif result.events > head_size:
        result.problems.append(Problem(head_size + 1, "not_in_tree",
                                       f"events after {head_size} are not in the tree"))
    elif roots[head_size] != head_root:
        result.problems.append(Problem(None, "head_mismatch", "the stored root does not match"))
    for size, root_hash in checkpoints:
        if size > result.events:  # cut back below what was signed, head rewound with it
            result.problems.append(Problem(
                result.events + 1, "truncated",
                f"a signed checkpoint holds {size} events, the log ends at {result.events}"))
        elif roots[size] != root_hash:
            result.problems.append(Problem(
                None, "checkpoint_mismatch",
                f"the events no longer produce the signed root of size {size}"))


def verify_log(connection: Connection, *, verifier_key: str, search_columns: bool = True,
               deep: bool = False) -> Verification:
    """Rebuild the tree from the events and compare its roots with the head and every signed
    checkpoint. Matching roots prove every event (Merkle); on a mismatch, or with `deep`, each
    event is compared with its stored leaf hash and every stored node is checked."""
    result = Verification()
    head = connection.execute(
        select(AuditHead.tree_size, AuditHead.root_hash).where(AuditHead.id == HEAD_ID)).first()
    if head is None:
        result.problems.append(Problem(None, "head_missing", "the tree's head row is gone"))
    head_size, head_root = (head.tree_size, head.root_hash) if head else (0, merkle.EMPTY_ROOT)
    result.tree_size, result.root_hash = head_size, bytes(head_root).hex()
    checkpoints = _signed_checkpoints(connection, verifier_key, result)
    roots = _rebuild(connection, {head_size, *(size for size, _ in checkpoints)}, result,
                     search_columns=search_columns)
    _compare_roots(roots, (head_size, bytes(head_root)), checkpoints, result)
    if deep or not result.ok:
        _pinpoint(connection, result)
        _check_nodes(connection, result)
    result.problems = sorted(set(result.problems), key=lambda p: (p.seq is None, p.seq or 0))
    return result


def summarise(result: Verification) -> str:
    if result.ok:
        return f"audit log ok: {result.events} events, root {result.root_hash}"
    lines = [f"audit log NOT ok: {len(result.problems)} problem(s); "
             f"first bad sequence: {result.first_bad_seq}"]
    lines += [f"  {p.kind}: {p.detail}" for p in result.problems]
    return "\n".join(lines)


