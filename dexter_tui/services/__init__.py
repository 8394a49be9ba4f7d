"""Headless services between the Sentry client and the TUI (never imports Textual)."""
