"""Storage: the shared declarative base, engines and sessions, and Alembic migrations."""

from databorder.store.base import Base, UTCDateTime
from databorder.store.db import database_url, make_engine, make_sessionmaker

__all__ = ["Base", "UTCDateTime", "database_url", "make_engine", "make_sessionmaker"]
