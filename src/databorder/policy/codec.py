"""The decision contract's JSON shapes, at the boundary (HTTP, CLI): parse strictly, emit exactly.

Unknown keys are rejected (`extra="forbid"`), enumerations come from `databorder.model`, instants
must carry an offset. Errors are pydantic's, which name the field path; the adapters turn them
into HTTP 422 or a CLI message.
"""

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from databorder.model import (
    ConsentKind,
    DataItem,
    Purpose,
    RecipientRole,
)
from databorder.model.fields import Country, Email, Instant, Phone
from databorder.policy.types import (
    ConsentFacts,
    Contact,
    Decision,
    DecisionRequest,
    LegalMandate,
    RecipientFacts,
    SubjectFacts,
)

Id = Annotated[str, Field(min_length=1, max_length=128)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConsentTerms(BaseModel):
    """What a consent covers, as every boundary receives it (a decision request, the ledger)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ConsentKind
    notice_version: str = Field(min_length=1, max_length=32)
    recipients: list[Id] = []
    countries: list[Country] = []
    items: list[DataItem] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    given_at: Instant
    withdrawn_at: Instant | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.withdrawn_at is not None and self.withdrawn_at < self.given_at:
            raise ValueError(
                "withdrawn_at is before given_at: a consent cannot be withdrawn before it was given"
            )
        if not self.recipients and not self.countries:
            raise ValueError("a consent must name at least one recipient or country")
        return self


class ConsentIn(ConsentTerms):
    id: Id


class SubjectIn(_Body):
    id: Id
    residence: Country
    transfer_suspended: bool = False
    consents: list[ConsentIn] = []


class ContactIn(_Body):
    email: Email | None = None
    phone: Phone | None = None


class RecipientIn(_Body):
    id: Id
    name: str = Field(min_length=1, max_length=300)
    country: Country
    role: RecipientRole
    contact: ContactIn = ContactIn()
    certifications: list[str] = []
    contract_safeguards: bool
    disclosed_in_notice: bool
    retention_days: int = Field(ge=1, le=3650)


class MandateIn(_Body):
    citation: str = Field(min_length=3, max_length=500)


class DecisionRequestIn(_Body):
    at: Instant
    pack: str = "pipa"
    subject: SubjectIn
    recipient: RecipientIn
    purpose: Purpose
    items: list[DataItem] = Field(min_length=1)
    legal_mandate: MandateIn | None = None

    def to_request(self) -> DecisionRequest:
        s, r = self.subject, self.recipient
        return DecisionRequest(
            at=self.at,
            pack=self.pack,
            subject=SubjectFacts(
                id=s.id,
                residence=s.residence,
                transfer_suspended=s.transfer_suspended,
                consents=tuple(
                    ConsentFacts(
                        id=c.id,
                        kind=c.kind,
                        notice_version=c.notice_version,
                        recipients=frozenset(c.recipients),
                        countries=frozenset(c.countries),
                        items=frozenset(c.items),
                        purposes=frozenset(c.purposes),
                        given_at=c.given_at,
                        withdrawn_at=c.withdrawn_at,
                    )
                    for c in s.consents
                ),
            ),
            recipient=RecipientFacts(
                id=r.id,
                name=r.name,
                country=r.country,
                role=r.role,
                contact=Contact(email=r.contact.email, phone=r.contact.phone),
                certifications=frozenset(r.certifications),
                contract_safeguards=r.contract_safeguards,
                disclosed_in_notice=r.disclosed_in_notice,
                retention_days=r.retention_days,
            ),
            purpose=self.purpose,
            items=tuple(dict.fromkeys(self.items)),
            legal_mandate=(
                LegalMandate(self.legal_mandate.citation)
                if self.legal_mandate is not None
                else None
            ),
        )


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """The contract's decision object, plus `rule` and `consent_id` (additive, see docs)."""
    return {
        "allowed": decision.allowed,
        "cross_border": decision.cross_border,
        "ground": decision.ground.value if decision.ground is not None else None,
        "article": decision.article,
        "items": {i.value: d.value for i, d in decision.items.items()},
        "access_expires_after_delivery_days": decision.access_expires_after_delivery_days,
        "reasons": [
            {
                "code": r.code.value,
                "item": r.item.value if r.item is not None else None,
                "en": r.en,
                "ko": r.ko,
            }
            for r in decision.reasons
        ],
        "rule": decision.rule,
        "consent_id": decision.consent_id,
    }
