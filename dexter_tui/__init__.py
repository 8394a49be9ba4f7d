"""dexter-tui: triage Sentry from a terminal."""

__version__ = "0.1.0"
