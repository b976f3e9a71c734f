"""Resolving a relay endpoint for the telephony or mail side: only while its grant lives."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from databorder.errors import Gone, NotFound
from databorder.gateway.models import AccessGrant
from databorder.model import DataItem
from databorder.vault.models import RelayEndpoint
from databorder.vault.service import ShreddedError, Vault


@dataclass(frozen=True, slots=True)
class Resolution:
    value: str
    kind: str
    target: str
    expires_at: datetime


def resolve(session: Session, vault: Vault, value: str, at: datetime) -> Resolution:
    endpoint = session.get(RelayEndpoint, value)
    if endpoint is None or endpoint.grant_id is None or endpoint.item is None:
        raise NotFound("relay endpoint", value)
    grant = session.get(AccessGrant, (endpoint.recipient_id, endpoint.grant_id))
    if grant is None:
        raise NotFound("relay endpoint", value)
    if grant.revoked_at is not None:
        raise Gone(
            f"relay {value} no longer connects: access was revoked",
            grant.revoke_reason or "revoked",
        )
    if grant.expires_at <= at:
        raise Gone(f"relay {value} no longer connects: access expired", "expired")
    item = DataItem(endpoint.item)
    try:
        target = vault.get(session, grant.subject_id, [item]).get(item)
    except ShreddedError as exc:
        raise Gone(
            f"relay {value} no longer connects: the buyer erased their data", "erased"
        ) from exc
    if target is None:
        raise NotFound("relay endpoint", value)
    return Resolution(value, endpoint.kind, target, grant.expires_at)
