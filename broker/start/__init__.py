"""The start page: each role's work list, gathered from the domains' own queries."""
