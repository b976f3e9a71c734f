"""Where a notice points: the full recipient list, its downloads, the buyer's own privacy center.

The notice prints these links and the web layer serves them, so both take the paths from here.
A version is always part of a list's link: a notice must point at the list it was published
with, not at whatever the list says today.
"""

from urllib.parse import quote, urlencode

from databorder.model import Ground
from databorder.notices.types import Controller, Section

DIRECTORY_PATH = "/privacy/recipients"
DOWNLOAD_FORMATS: tuple[str, ...] = ("csv", "json")

# Under the controller's privacy_center_url (e.g. "/me"):
WITHDRAWAL_PATH = "/consents"  # withdraw a consent, one action per consent (PIPA 37)
DELETION_PATH = "/delete"  # delete the account (PIPA 38(4): no harder than signing up)
OWN_RECIPIENTS_PATH = "/recipients"  # who received this buyer's data, order by order


def _base(url: str) -> str:
    return url.rstrip("/")


def directory_url(
    base_url: str, version: str, section: Section | None = None, ground: Ground | None = None
) -> str:
    """The searchable full list of one version, optionally narrowed to one table."""
    query = {"version": version}
    if section is not None:
        query["section"] = section.value
    if ground is not None:
        query["ground"] = ground.value
    return f"{_base(base_url)}{DIRECTORY_PATH}?{urlencode(query)}"


def download_url(base_url: str, version: str, fmt: str) -> str:
    if fmt not in DOWNLOAD_FORMATS:
        raise ValueError(f"download format must be one of {list(DOWNLOAD_FORMATS)}, got {fmt!r}")
    return f"{_base(base_url)}{DIRECTORY_PATH}.{fmt}?version={quote(version, safe='')}"


def withdrawal_url(controller: Controller) -> str:
    return _base(controller.privacy_center_url) + WITHDRAWAL_PATH


def deletion_url(controller: Controller) -> str:
    return _base(controller.privacy_center_url) + DELETION_PATH


def own_recipients_url(controller: Controller) -> str:
    return _base(controller.privacy_center_url) + OWN_RECIPIENTS_PATH


__all__ = [
    "DELETION_PATH",
    "DIRECTORY_PATH",
    "DOWNLOAD_FORMATS",
    "OWN_RECIPIENTS_PATH",
    "WITHDRAWAL_PATH",
    "deletion_url",
    "directory_url",
    "download_url",
    "own_recipients_url",
    "withdrawal_url",
]
