"""Package data of the demo server (read with importlib.resources, never from ../shared)."""
