"""consent capability."""
