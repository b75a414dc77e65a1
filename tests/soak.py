"""The suites of issue 10 run small in `make test` and long in `make soak` (BROKER_SOAK=1)."""

import os

SOAK = os.environ.get("BROKER_SOAK") == "1"


def scaled(fast: int, long: int) -> int:
    """How many cases, steps or rounds a suite runs: `fast` in CI, `long` in the soak."""
    return long if SOAK else fast


FIGURES: list[tuple[str, str]] = []


def note(suite: str, **figures: object) -> None:
    """Keep a suite's figures for the summary table printed at the end of the run."""
    FIGURES.append((suite, ", ".join(f"{name.replace('_', ' ')} {value}"
                                      for name, value in figures.items())))
