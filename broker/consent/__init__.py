"""The consent registry, capacity rules and the decision engine (the one door)."""
