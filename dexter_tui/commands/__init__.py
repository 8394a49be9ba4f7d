"""Subcommands of the `dexter` CLI, one module each."""
