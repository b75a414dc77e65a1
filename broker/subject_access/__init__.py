"""The privacy officer's person search and access report (AVG art. 15)."""
