"""Households: members, custody and the regisseur."""
