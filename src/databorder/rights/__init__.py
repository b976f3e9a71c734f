"""Buyers' rights: withdrawal, suspension and erasure, each revoking access in one transaction."""
