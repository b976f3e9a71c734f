"""Recipients' webhook endpoints: where their rights tasks are sent, and the secret that signs them.

Secrets follow the Standard Webhooks convention: `whsec_` and the base64 of 24 to 64 random
bytes. The URL must be HTTPS, except on the loopback interface (a receiver on the same host,
as in tests): a task names orders, and it travels signed but otherwise in the open on plain HTTP.
"""

import base64
import binascii
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from databorder.errors import FieldProblem, InvalidInput, NotFound
from databorder.registry.models import Recipient
from databorder.rights.models import RecipientWebhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
_SECRET_BYTES = (24, 64)
_LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True, slots=True)
class WebhookView:
    """A registered endpoint as it may be shown: never its secret."""

    recipient_id: str
    url: str
    created_at: datetime
    updated_at: datetime


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks format (32 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why `url` cannot take webhooks, or None when it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"expected an absolute https:// URL, got {url!r}"
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return f"expected https:// (plain http only on the loopback interface), got {url!r}"
    if parts.username or parts.password:
        return "credentials in the URL would be stored and logged with it; sign with the secret"
    return None


def secret_problem(secret: str) -> str | None:
    """Why `secret` is not a Standard Webhooks secret, or None when it is (never repeats it)."""
    if not secret.startswith(SECRET_PREFIX):
        return f"expected {SECRET_PREFIX!r} followed by base64"
    try:
        raw = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        return f"expected base64 after {SECRET_PREFIX!r}"
    low, high = _SECRET_BYTES
    if not low <= len(raw) <= high:
        return f"expected {low} to {high} random bytes, got {len(raw)}"
    return None


class RecipientWebhooks:
    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, recipient_id: str, url: str, secret: str, at: datetime) -> WebhookView:
        """Register or replace the recipient's endpoint; tasks not yet delivered go there."""
        if self.session.get(Recipient, recipient_id) is None:
            raise NotFound("recipient", recipient_id)
        problems = [
            FieldProblem(field, reason)
            for field, reason in (("url", url_problem(url)), ("secret", secret_problem(secret)))
            if reason is not None
        ]
        if problems:
            raise InvalidInput(problems)
        row = self.session.get(RecipientWebhook, recipient_id)
        if row is None:
            row = RecipientWebhook(
                recipient_id=recipient_id, url=url, secret=secret, created_at=at, updated_at=at
            )
            self.session.add(row)
        else:
            row.url, row.secret, row.updated_at = url, secret, at
        self.session.flush()
        return WebhookView(row.recipient_id, row.url, row.created_at, row.updated_at)
