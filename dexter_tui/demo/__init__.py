"""A Sentry-compatible server (SQLite) for `dexter demo` and the tests; stands apart."""
