"""marketplace capability."""
