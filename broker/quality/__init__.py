"""Inspection-readiness per household and the team lead's municipality dashboard."""
