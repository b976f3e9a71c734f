"""The decision contract's vocabularies, each defined exactly once.

Every layer (rule packs, tables, HTTP bodies, CLI) takes its allowed values from here, so an
unknown purpose or item is rejected the same way everywhere instead of drifting per layer.
"""

from enum import StrEnum


class DataItem(StrEnum):
    """A personal data item a recipient may ask for (contract: `items`)."""

    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    POSTAL_CODE = "postal_code"
    CUSTOMS_CODE = "customs_code"  # personal customs clearance code (PCCC): "P" + 12 digits
    ORDER_ITEMS = "order_items"
    CARD_NUMBER = "card_number"
    BANK_ACCOUNT = "bank_account"
    RRN = "rrn"  # resident registration number: never released (PIPA Art. 24-2)
    BIRTH_DATE = "birth_date"


class Purpose(StrEnum):
    """Why a recipient asks (contract: `purpose`)."""

    SHIPPING = "shipping"
    CUSTOMS_CLEARANCE = "customs_clearance"
    CUSTOMER_SERVICE = "customer_service"
    PAYMENT = "payment"
    MARKETING = "marketing"


class RecipientRole(StrEnum):
    """What a recipient is to the marketplace; decides which grounds can apply."""

    SELLER = "seller"  # a third party using the data for its own part of the sale
    PROCESSOR = "processor"  # entrusted processing or storage: carrier, warehouse, cloud
    CUSTOMS_BROKER = "customs_broker"
    PAYMENT_PROCESSOR = "payment_processor"


class Disposition(StrEnum):
    """The form in which one item is released."""

    PLAIN = "plain"
    RELAY = "relay"  # a virtual number or relay address that dies with the grant
    MASKED = "masked"  # partly hidden, e.g. 010-****-5678
    DENY = "deny"


class Ground(StrEnum):
    """The five lawful grounds of PIPA Art. 28-8(1), in the order of its points."""

    CONSENT = "consent"
    LEGAL_MANDATE = "legal_mandate"
    ENTRUSTED_CONTRACT = "entrusted_contract"
    CERTIFICATION = "certification"
    ADEQUACY = "adequacy"


class Basis(StrEnum):
    """The question a basis answers (contract v2, rule 6): each released item needs one per question."""

    PROVISION = "provision"  # a seller's own provision ground (PIPA Art. 17)
    ENTRUSTMENT = "entrustment"  # an entrusted role's processing (Art. 26)
    MARKETING = "marketing"  # the marketing consent (Art. 22(1)7)
    TRANSFER = "transfer"  # the transfer abroad (Art. 28-8(1)), only when cross-border
    MANDATE = "mandate"  # a statute requires it: the single basis of rule 2


class ConsentKind(StrEnum):
    """Consents are asked separately by kind (PIPA Art. 22)."""

    OVERSEAS_TRANSFER = "overseas_transfer"
    THIRD_PARTY_PROVISION = "third_party_provision"
    MARKETING = "marketing"


class ReasonCode(StrEnum):
    """Stable codes for every deny and every refusal; texts live in the rule pack."""

    NO_LAWFUL_GROUND = "NO_LAWFUL_GROUND"
    CONSENT_WITHDRAWN = "CONSENT_WITHDRAWN"
    CONSENT_DOES_NOT_COVER = "CONSENT_DOES_NOT_COVER"
    NOT_DISCLOSED = "NOT_DISCLOSED"
    CONTRACT_SAFEGUARDS_MISSING = "CONTRACT_SAFEGUARDS_MISSING"
    TRANSFER_SUSPENDED = "TRANSFER_SUSPENDED"  # the data subject asked to suspend (Art. 37)
    TRANSFER_ORDER_SUSPENDED = "TRANSFER_ORDER_SUSPENDED"  # the regulator ordered it (Art. 28-9)
    MANDATE_DOES_NOT_COVER = "MANDATE_DOES_NOT_COVER"
    ITEM_NOT_NEEDED = "ITEM_NOT_NEEDED"
    ITEM_PROHIBITED = "ITEM_PROHIBITED"
    ROLE_NOT_PERMITTED = "ROLE_NOT_PERMITTED"  # e.g. payment data to anyone but a payment processor
    # Informational, on an allowed decision: a statute overrode the subject's suspension (37(2)1).
    SUSPENSION_REFUSED_BY_LAW = "SUSPENSION_REFUSED_BY_LAW"
