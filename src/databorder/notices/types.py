"""The values a notice is rendered from: one registry snapshot, as published in one version.

They are plain frozen values so that rendering is a pure function of them: the same snapshot
gives the same bytes in every format, which is what lets a version be hashed, archived and
diffed, and lets a consent point at exactly the text the buyer was shown.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from databorder.model import DataItem, Ground, Purpose, RecipientRole


class Section(StrEnum):
    """The privacy policy's sections a recipient can be named in, in the order they appear."""

    OVERSEAS_TRANSFER = "overseas_transfer"  # PIPA 28-8, its own section (guideline item 10)
    PROVISION = "provision"  # domestic third-party provision, Art. 17
    ENTRUSTMENT = "entrustment"  # domestic entrusted processing, Art. 26


@dataclass(frozen=True, slots=True)
class NoticeEntry:
    """One recipient as named in one version."""

    recipient_id: str
    name: str  # legal name
    country: str  # seat, ISO 3166-1 alpha-2
    data_countries: tuple[
        str, ...
    ]  # every country the data goes to: the seat first, then others sorted
    role: RecipientRole
    email: str
    phone: str | None  # E.164
    section: Section
    ground: Ground  # consent | entrusted_contract | legal_mandate | certification | adequacy
    article: str  # e.g. "PIPA 28-8(1)1", "PIPA 17(1)1", "PIPA 26"
    items: tuple[DataItem, ...]
    purposes: tuple[Purpose, ...]
    retention_days: int


@dataclass(frozen=True, slots=True)
class Controller:
    """The marketplace, from settings: who publishes the notice and whom buyers ask."""

    name: str
    officer_name: str
    officer_email: str
    officer_phone: str
    privacy_center_url: str  # e.g. "/me": withdrawal and deletion paths hang under it
    base_url: str  # where /privacy/... pages live, for links ("" = relative)


@dataclass(frozen=True, slots=True)
class NoticeSnapshot:
    """Everything one published version says; entries in any order (renderers sort them)."""

    version: str  # e.g. "2026-12-01" or "2026-12-01.2"
    published_at: datetime  # aware
    controller: Controller
    entries: tuple[NoticeEntry, ...]
    home_country: str  # the law's home (the rule pack's): data leaving it is a transfer abroad


__all__ = ["Controller", "NoticeEntry", "NoticeSnapshot", "Section"]
