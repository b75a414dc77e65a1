"""Disclosure: the facts a decision needs, the decision engine and the one door. Below the
domains: it reads their models only, and every domain service that shows personal data
goes through it."""
