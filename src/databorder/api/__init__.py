"""The HTTP API: platform, seller and decision routes over the services."""
