"""A Sentry-compatible server (SQLite) for `dexter demo` and the tests; depends on nothing else in dexter_tui."""
