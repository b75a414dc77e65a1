"""The Merkle tree against the RFC's definition and an independent proof verifier."""

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from broker.audit import merkle
from tests.audit import rfc6962


def stored_tree(leaves: list[bytes]) -> merkle.Fetch:
    frontier = merkle.Frontier()
    nodes = {(lv, ix): dg for lv, ix, dg in merkle.extend(frontier, leaves)}

    def fetch(keys: Sequence[merkle.Key]) -> dict[merkle.Key, bytes]:
        return {key: nodes[key] for key in keys}

    return fetch


def leaves_of(n: int) -> list[bytes]:
    return [f"event {i}".encode() for i in range(n)]


class TestTree:
    def test_roots_match_the_rfc_definition(self) -> None:
        for n in range(0, 70):
            leaves = leaves_of(n)
            frontier = merkle.Frontier()
            merkle.extend(frontier, leaves)
            assert frontier.root() == rfc6962.mth(leaves), n
            assert merkle.root(stored_tree(leaves), n) == rfc6962.mth(leaves), n

    def test_frontier_reloads_from_stored_nodes(self) -> None:
        leaves = leaves_of(45)
        fetch = stored_tree(leaves)
        resumed = merkle.Frontier.load(30, fetch)
        merkle.extend(resumed, leaves[30:])
        assert resumed.root() == rfc6962.mth(leaves)

    @settings(max_examples=200)
    @given(st.integers(min_value=1, max_value=300), st.data())
    def test_inclusion_proofs_verify(self, size: int, data: st.DataObject) -> None:
        leaves = leaves_of(size)
        index = data.draw(st.integers(min_value=0, max_value=size - 1))
        path = merkle.inclusion_path(stored_tree(leaves), index, size)
        assert rfc6962.verify_inclusion(index, size, merkle.leaf_hash(leaves[index]), path,
                                        rfc6962.mth(leaves))
        assert not rfc6962.verify_inclusion(index, size, merkle.leaf_hash(b"forged"), path,
                                            rfc6962.mth(leaves))

    @settings(max_examples=200)
    @given(st.integers(min_value=1, max_value=300), st.data())
    def test_consistency_proofs_verify(self, second: int, data: st.DataObject) -> None:
        leaves = leaves_of(second)
        first = data.draw(st.integers(min_value=1, max_value=second))
        proof = merkle.consistency_proof(stored_tree(leaves), first, second)
        assert rfc6962.verify_consistency(first, second, rfc6962.mth(leaves[:first]),
                                          rfc6962.mth(leaves), proof)
        if first < second:
            assert not rfc6962.verify_consistency(first, second, rfc6962.mth([b"x"] * first),
                                                  rfc6962.mth(leaves), proof)

    def test_a_proof_needs_only_log_n_stored_nodes(self) -> None:
        asked: list[int] = []
        fetch = stored_tree(leaves_of(1000))

        def counting(keys: Sequence[merkle.Key]) -> dict[merkle.Key, bytes]:
            asked.append(len(keys))
            return fetch(keys)

        merkle.inclusion_path(counting, 617, 1000)
        assert asked == [asked[0]] and asked[0] <= 2 * 10  # one batch, O(log n) nodes
