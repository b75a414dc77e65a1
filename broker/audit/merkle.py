"""RFC 6962 Merkle trees over stored perfect subtrees: roots, inclusion and consistency proofs.

Leaves are 0-based. Every perfect, aligned subtree (level, index) is stored once, so a root or
a proof needs O(log n) stored hashes, fetched in one batch (a dry run names them first).
"""

import base64
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

Key = tuple[int, int]  # (level, index)
Fetch = Callable[[Sequence[Key]], dict[Key, bytes]]
EMPTY_ROOT = hashlib.sha256(b"").digest()


def b64(digest: bytes) -> str:
    return base64.b64encode(bytes(digest)).decode()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class _Reader:
    def __init__(self, known: dict[Key, bytes] | None) -> None:
        self.known = known
        self.wanted: list[Key] = []

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end])."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            key = (n.bit_length() - 1, start // n)
            if self.known is None:
                self.wanted.append(key)
                return b""
            return self.known[key]
        k = split(n)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def path(self, m: int, start: int, end: int) -> list[bytes]:
        if end - start == 1:
            return []
        k = split(end - start)
        if m < start + k:
            return self.path(m, start, start + k) + [self.subtree(start + k, end)]
        return self.path(m, start + k, end) + [self.subtree(start, start + k)]

    def subproof(self, m: int, start: int, end: int, complete: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if complete else [self.subtree(start, end)]
        k = split(n)
        if m <= k:
            return self.subproof(m, start, start + k, complete) + [self.subtree(start + k, end)]
        return self.subproof(m - k, start + k, end, False) + [self.subtree(start, start + k)]


def _twice(fetch: Fetch, compute: Callable[[_Reader], list[bytes]],
           also: Sequence[Key] = ()) -> list[bytes]:
    """Run `compute` dry to learn which stored nodes it needs, fetch them in one batch
    (with `also`), then run it for real."""
    dry = _Reader(None)
    compute(dry)
    return compute(_Reader(fetch(sorted({*dry.wanted, *also}))))


def root(fetch: Fetch, size: int) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return _twice(fetch, lambda r: [r.subtree(0, size)])[0]


def inclusion_path(fetch: Fetch, index: int, size: int) -> list[bytes]:
    return inclusion(fetch, index, size)[1]


def inclusion(fetch: Fetch, index: int, size: int) -> tuple[bytes, list[bytes]]:
    """The leaf hash at `index` and its audit path in the tree of `size`, in one fetch."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    leaf: list[bytes] = []

    def compute(reader: _Reader) -> list[bytes]:
        path = reader.path(index, 0, size)
        if reader.known is not None:
            leaf.append(reader.known[(0, index)])
        return path

    path = _twice(fetch, compute, also=[(0, index)])
    return leaf[0], path


def consistency_proof(fetch: Fetch, first: int, second: int) -> list[bytes]:
    if not 0 < first <= second:
        raise ValueError("need 0 < first <= second")
    return _twice(fetch, lambda r: r.subproof(first, 0, second, True))


def decomposition(size: int) -> list[Key]:
    """The perfect subtrees that make up a tree of `size` leaves, largest first."""
    keys, offset = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            keys.append((level, offset >> level))
            offset += 1 << level
    return keys


@dataclass
class Frontier:
    """The right edge of the tree: appending a leaf yields the perfect nodes it completes."""

    size: int = 0
    nodes: list[tuple[int, int, bytes]] = field(default_factory=list)

    @classmethod
    def load(cls, size: int, fetch: Fetch) -> "Frontier":
        keys = decomposition(size)
        found = fetch(keys)
        return cls(size, [(level, index, found[(level, index)]) for level, index in keys])

    def append(self, leaf_digest: bytes) -> list[tuple[int, int, bytes]]:
        level, index, digest = 0, self.size, leaf_digest
        created = [(level, index, digest)]
        while self.nodes and self.nodes[-1][0] == level:
            _, _, left = self.nodes.pop()
            level, index, digest = level + 1, index // 2, node_hash(left, digest)
            created.append((level, index, digest))
        self.nodes.append((level, index, digest))
        self.size += 1
        return created

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        digest = self.nodes[-1][2]
        for _, _, left in reversed(self.nodes[:-1]):
            digest = node_hash(left, digest)
        return digest


def extend(frontier: Frontier, leaves: Iterable[bytes]) -> list[tuple[int, int, bytes]]:
    created: list[tuple[int, int, bytes]] = []
    for leaf in leaves:
        created += frontier.append(leaf_hash(leaf))
    return created
