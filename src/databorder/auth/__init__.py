"""Service credentials: API keys with scopes for the platform, the telephony side, officers."""
