"""The broker: consent-aware information sharing and network meetings for youth care."""

__version__ = "0.1.0"
