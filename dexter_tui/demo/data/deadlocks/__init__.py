"""Real PostgreSQL deadlock events captured by sentry-sdk (see README.md)."""
