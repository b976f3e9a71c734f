"""What a recipient may see of each finding in a message: the policy's form, applied to text.

A message to a recipient is filtered by the same decision as the structured fields: the forms
its disclosures of that order released (the grants' items, each plain, relayed or masked). A
phone becomes the buyer's relay number where the recipient reads a relay number, a mask where
it reads a mask, `[removed]` where the decision denied it or no live grant released it.

Pure: findings, the text and the forms in, the filtered text and its counts out. The database
side (which grants, which relay numbers) is `dlp/services.py`.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from databorder.dlp.redact import redact
from databorder.dlp.types import Finding, FindingType
from databorder.model import DataItem, Disposition
from databorder.model.contact import InvalidContactError, normalise_phone
from databorder.vault.mask import mask_address, mask_email, mask_phone, mask_text

REMOVED = "[removed]"

# The structured field each finding type is the free-text form of.
ITEM_OF: dict[FindingType, DataItem] = {
    FindingType.PHONE: DataItem.PHONE,
    FindingType.EMAIL: DataItem.EMAIL,
    FindingType.ADDRESS: DataItem.ADDRESS,
    FindingType.CUSTOMS_CODE: DataItem.CUSTOMS_CODE,
    FindingType.BIRTH_DATE: DataItem.BIRTH_DATE,
}
# Identity and payment numbers never travel in a message, whatever a grant says: a payment
# processor reads a card through its grant, not a chat line a seller's agent also reads.
ALWAYS_REMOVED = frozenset(FindingType) - frozenset(ITEM_OF)

# How open each form is: a recipient holding two live grants on one order (shipping and
# customer service) already reads the more open one, so a message may show that, no more.
_OPENNESS = {
    Disposition.DENY: 0,
    Disposition.MASKED: 1,
    Disposition.RELAY: 2,
    Disposition.PLAIN: 3,
}


def _masked_phone(value: str, home: str) -> str:
    # mask_phone reads E.164; a number as typed (010-1234-5678) is read in the home country's
    # numbering plan (the rule pack's home country) first.
    try:
        return mask_phone(normalise_phone(value, home))
    except InvalidContactError:
        return mask_text(value)


_MASKS: dict[DataItem, Callable[[str], str]] = {
    DataItem.EMAIL: mask_email,
    DataItem.ADDRESS: mask_address,
}


@dataclass(frozen=True, slots=True)
class Form:
    """The form one item is released in to a recipient; `relay` is the grant's relay value."""

    disposition: Disposition
    relay: str | None = None


@dataclass(frozen=True, slots=True)
class GrantForms:
    """One live grant's released items (item -> disposition) and its relay values."""

    items: Mapping[str, str]
    relays: Mapping[DataItem, str]


@dataclass(frozen=True, slots=True)
class Filtered:
    """The message as its recipient reads it, and how many findings of each type changed."""

    text: str
    changed: dict[str, int]  # finding type -> findings replaced (plain ones are left)
    found: int  # findings in the original, changed or not


def forms_of(grants: Iterable[GrantForms]) -> dict[DataItem, Form]:
    """Each item's most open form over the recipient's live grants for the order.

    A relayed item keeps the relay value of the grant that relayed it; a relay form without a
    value (a pool that bound none) counts as denied, failing closed.
    """
    forms: dict[DataItem, Form] = {}
    for grant in grants:
        for name, disposition in grant.items.items():
            item, form = DataItem(name), Form(Disposition(disposition))
            if form.disposition is Disposition.RELAY:
                relay = grant.relays.get(item)
                form = Form(Disposition.RELAY, relay) if relay else Form(Disposition.DENY)
            held = forms.get(item)
            if held is None or _OPENNESS[form.disposition] > _OPENNESS[held.disposition]:
                forms[item] = form
    return forms


def replacement(finding: Finding, value: str, forms: Mapping[DataItem, Form], home: str) -> str:
    """What the recipient reads in place of `value` (a finding of `finding.type`); `home` is
    the rule pack's home country, whose numbering plan a phone typed without +country is in."""
    item = ITEM_OF.get(finding.type)
    form = forms.get(item) if item is not None else None
    if form is None or form.disposition is Disposition.DENY:
        return REMOVED
    if form.disposition is Disposition.PLAIN:
        return value
    if form.disposition is Disposition.RELAY:
        return form.relay or REMOVED
    assert item is not None  # noqa: S101 (a form exists only for a mapped item)
    if item is DataItem.PHONE:
        return _masked_phone(value, home)
    return _MASKS.get(item, mask_text)(value)


def apply(
    text: str, findings: Sequence[Finding], forms: Mapping[DataItem, Form], home: str
) -> Filtered:
    """`text` with each finding in its form; findings must not overlap (`engine.resolve`)."""
    changed: Counter[str] = Counter()

    def replace(finding: Finding, value: str) -> str:
        shown = replacement(finding, value, forms, home)
        if shown != value:
            changed[finding.type.value] += 1
        return shown

    filtered = redact(text, findings, replace)
    return Filtered(filtered, dict(sorted(changed.items())), len(findings))
