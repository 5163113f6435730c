"""Route preview tests (see below)."""
