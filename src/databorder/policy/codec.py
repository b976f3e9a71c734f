"""The decision contract's JSON shapes (version 2), at the boundary (HTTP, CLI): parse strictly, emit exactly.

Unknown keys are rejected (`extra="forbid"`), enumerations come from `databorder.model`, instants
must carry an offset, identifiers are `model.fields.Ident`. Errors are pydantic's, which name the
field path; the adapters turn them into HTTP 422 or a CLI message.

The shapes are named `Contract...` because the registry, the consent ledger and the regulator's
orders have their own input shapes for the same things (`registry.schemas.RecipientIn`,
`consent.schemas.ConsentIn`, `registry.suspensions.SuspensionOrderIn`), with other fields.
"""

from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from databorder.consent.facts import consent_facts
from databorder.model import ConsentKind, DataItem, Purpose, RecipientRole
from databorder.model.fields import (
    Country,
    Email,
    Ident,
    Instant,
    Line,
    NoticeVersionName,
    Phone,
)
from databorder.policy.types import (
    BasisUsed,
    Contact,
    Decision,
    DecisionRequest,
    RecipientFacts,
    SubjectFacts,
    SuspensionOrder,
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Moved(_Body):
    """A shape that lost keys in contract version 2, each answered with where it went.

    A caller still sending one is told what to send instead, not pydantic's bare "extra inputs
    are not permitted".
    """

    _moved: ClassVar[dict[str, str]]

    @model_validator(mode="before")
    @classmethod
    def _v1(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, message in cls._moved.items():
                if key in data:
                    raise ValueError(message)
        return data


class ConsentTerms(_Body):
    """What a consent covers, as every boundary receives it (a decision request, the ledger)."""

    kind: ConsentKind
    notice_version: NoticeVersionName
    recipients: list[Ident] = []
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


class ContractConsent(ConsentTerms):
    id: Ident


class ContractSubject(_Body):
    id: Ident
    residence: Country
    transfer_suspended: bool = False
    consents: list[ContractConsent] = []


class ContractContact(_Body):
    email: Email | None = None
    phone: Phone | None = None


class ContractRecipient(_Moved):
    id: Ident
    name: Line = Field(min_length=1, max_length=300)
    country: Country
    role: RecipientRole
    contact: ContractContact
    certifications: list[Annotated[Line, Field(min_length=1, max_length=64)]]
    certification_measures: bool = False
    contract_safeguards: bool
    notices: list[NoticeVersionName]
    retention_days: int = Field(ge=1, le=3650)
    data_countries: list[Country] = []

    _moved: ClassVar[dict[str, str]] = {
        "disclosed_in_notice": "disclosed_in_notice was removed in contract version 2: list the "
        "published notice versions that named the recipient in recipient.notices, and give the "
        "version in force as notice_in_force"
    }


class ContractMandate(_Moved):
    id: Ident

    _moved: ClassVar[dict[str, str]] = {
        "citation": "legal_mandate.citation was replaced in contract version 2 by "
        "legal_mandate.id, naming an entry of the pack's mandate list (e.g. KR-CUSTOMS-ACT-241)"
    }


class ContractSuspensionOrder(_Body):
    id: Ident
    recipient: Ident | None = None
    country: Country | None = None
    from_: Instant = Field(alias="from")
    to: Instant | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if (self.recipient is None) == (self.country is None):
            raise ValueError("a suspension order sets exactly one of recipient and country")
        if self.to is not None and self.to <= self.from_:
            raise ValueError("a suspension order's 'to' must be after its 'from'")
        return self


class DecisionRequestIn(_Body):
    at: Instant
    pack: str = "pipa"
    notice_in_force: NoticeVersionName | None
    subject: ContractSubject
    recipient: ContractRecipient
    suspension_orders: list[ContractSuspensionOrder] = []
    purpose: Purpose
    items: list[DataItem] = Field(min_length=1)
    legal_mandate: ContractMandate | None = None

    def to_request(self) -> DecisionRequest:
        s, r = self.subject, self.recipient
        return DecisionRequest(
            at=self.at,
            pack=self.pack,
            notice_in_force=self.notice_in_force,
            subject=SubjectFacts(
                id=s.id,
                residence=s.residence,
                transfer_suspended=s.transfer_suspended,
                consents=tuple(map(consent_facts, s.consents)),
            ),
            recipient=RecipientFacts(
                id=r.id,
                name=r.name,
                country=r.country,
                role=r.role,
                contact=Contact(email=r.contact.email, phone=r.contact.phone),
                certifications=frozenset(r.certifications),
                certification_measures=r.certification_measures,
                contract_safeguards=r.contract_safeguards,
                notices=frozenset(r.notices),
                retention_days=r.retention_days,
                data_countries=tuple(dict.fromkeys(r.data_countries)),
            ),
            suspension_orders=tuple(
                SuspensionOrder(o.id, o.recipient, o.country, o.from_, o.to)
                for o in self.suspension_orders
            ),
            purpose=self.purpose,
            items=tuple(dict.fromkeys(self.items)),
            legal_mandate=self.legal_mandate.id if self.legal_mandate is not None else None,
        )


def basis_to_json(basis: BasisUsed) -> dict[str, Any]:
    out: dict[str, Any] = {
        "basis": basis.basis.value,
        "ground": basis.ground.value,
        "article": basis.article,
    }
    if basis.consent_id is not None:
        out["consent_id"] = basis.consent_id
    if basis.mandate_id is not None:
        out["mandate_id"] = basis.mandate_id
    return out


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """The contract's decision object, plus `rule` (the pack rule that settled it)."""
    return {
        "allowed": decision.allowed,
        "cross_border": decision.cross_border,
        "ground": decision.ground.value if decision.ground is not None else None,
        "article": decision.article,
        "bases": [basis_to_json(b) for b in decision.bases],
        "items": {i.value: d.value for i, d in decision.items.items()},
        "access_expires_after_delivery_days": decision.access_expires_after_delivery_days,
        "reasons": [
            {
                "code": r.code.value,
                "item": r.item.value if r.item is not None else None,
                **r.texts,
            }
            for r in decision.reasons
        ],
        "rule": decision.rule,
    }
