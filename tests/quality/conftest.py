"""The world of the quality tests: a family, its regisseur, partners and team lead."""

from tests.quality.test_readiness import world  # noqa: F401 (the fixture)
