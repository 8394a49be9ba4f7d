"""deadlock."""
