"""Column helpers shared by the domain tables: enums stored by value with a CHECK constraint.

Storing the StrEnum's value (not its Python name) keeps the database readable to auditors
querying it directly, and the CHECK makes the database itself refuse an unknown purpose or item.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum
from sqlalchemy.orm import Mapped, mapped_column

from databorder.store.base import UTCDateTime


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )


def created_at() -> Mapped[datetime]:
    return mapped_column(UTCDateTime())
