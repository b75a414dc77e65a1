"""An independent RFC 6962 / RFC 9162 verifier, written from the RFCs for the tests.

It shares no code with broker.audit: the tree hash is the recursive definition (RFC 6962 2.1)
and proofs are checked with the verification algorithms of RFC 9162 2.1.3.2 and 2.1.4.2.
"""

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) by definition."""
    n = len(leaves)
    if n == 0:
        return h(b"")
    if n == 1:
        return h(b"\x00" + leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return h(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def verify_inclusion(leaf_index: int, tree_size: int, leaf_hash: bytes, path: list[bytes],
                     root: bytes) -> bool:
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = h(b"\x01" + p + r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = h(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: list[bytes]) -> bool:
    if first == second:
        return not proof and first_root == second_root
    if first & (first - 1) == 0:
        proof = [first_root, *proof]
    if not proof:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = h(b"\x01" + c + fr)
            sr = h(b"\x01" + c + sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = h(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def open_checkpoint(note: str, verifier_key: str) -> tuple[int, bytes]:
    """Check a C2SP signed checkpoint with the verifier key; return (size, root)."""
    name, key_id, key_b64 = verifier_key.split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 1, "Ed25519"
    assert h(name.encode() + b"\n" + raw).hex()[:8] == key_id
    body, signatures = note.split("\n\n", 1)
    body += "\n"
    for line in signatures.strip("\n").split("\n"):
        dash, signer, blob_b64 = line.split(" ")
        blob = base64.b64decode(blob_b64)
        if dash == "\u2014" and signer == name and blob[:4].hex() == key_id:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[4:], body.encode())
            origin, size, root_b64 = body.split("\n")[:3]
            assert origin == name
            return int(size), base64.b64decode(root_b64)
    raise AssertionError("no signature by this key")
