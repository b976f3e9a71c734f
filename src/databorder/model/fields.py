"""Validated field types for boundary models (HTTP bodies, files, settings): one definition each."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from databorder.model.contact import normalise_email, normalise_phone
from databorder.model.country import country_code
from databorder.model.time import aware

Country = Annotated[str, AfterValidator(country_code)]
Instant = Annotated[datetime, AfterValidator(aware)]
Email = Annotated[str, AfterValidator(normalise_email)]
Phone = Annotated[str, AfterValidator(normalise_phone)]
# Identifiers the marketplace chooses (orders, buyers, recipients, consents, suspension orders,
# mandates): safe in URLs and logs, and as long as the tables' id columns (String(64)).
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
# A notice version's name (e.g. "2026-11-01"), as `notice_versions.version` (String(32)) holds it.
NoticeVersionName = Annotated[str, Field(min_length=1, max_length=32)]
