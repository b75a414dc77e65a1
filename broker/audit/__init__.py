"""The AVG audit log: append-only, tamper-evident (RFC 6962 Merkle tree), searchable."""
