"""What a partner organisation (school, GP, JGGZ, housing) sees of the families it is involved
with: the list, and one family's page as its organisation may see it."""
