"""Which section of the policy names a recipient, on which ground, with which items: from the pack.

Pure: a recipient's registry facts and the rule pack in, a `NoticeEntry` out. The section and
ground follow the same law the engine applies (contract v2): a recipient whose data goes abroad
is named in the overseas-transfer section, a seller there on the separate consent and an
entrusted role on the entrusted contract of Art. 28-8(1)3; at home a seller is a third-party
provision (Art. 17) and an entrusted role an entrustment (Art. 26). The items are what the
pack's purpose tables let the recipient's purposes carry, so the notice never promises less
than the engine can release.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices.types import NoticeEntry, Section
from databorder.policy.protocol import Pack


@dataclass(frozen=True, slots=True)
class RegistryRecipient:
    """What the registry knows of a recipient that the notice names."""

    id: str
    name: str
    country: str
    data_countries: tuple[str, ...]
    role: RecipientRole
    email: str
    phone: str | None
    purposes: tuple[Purpose, ...]
    retention_days: int


class Classifier:
    """Built once per pack: the tables a publication of 180,000 recipients looks up per row."""

    def __init__(self, pack: Pack) -> None:
        self.home = pack.home_country
        self.entrusted = pack.entrusted_roles
        transfer = {g.ground: g.article for g in pack.transfer_grounds}
        self.abroad = {
            True: (Ground.ENTRUSTED_CONTRACT, transfer[Ground.ENTRUSTED_CONTRACT]),
            False: (Ground.CONSENT, transfer[Ground.CONSENT]),
        }
        self.provision = (pack.provision_basis.ground, pack.provision_basis.article)
        self.entrustment = (pack.entrustment_basis.ground, pack.entrustment_basis.article)
        self._items: dict[tuple[RecipientRole, tuple[Purpose, ...]], tuple[DataItem, ...]] = {}
        self._pack = pack

    def items(self, role: RecipientRole, purposes: tuple[Purpose, ...]) -> tuple[DataItem, ...]:
        key = (role, purposes)
        found = self._items.get(key)
        if found is None:
            wanted: set[DataItem] = set()
            for purpose in purposes:
                rule = self._pack.purposes[purpose]
                if rule.roles is None or role in rule.roles:
                    wanted.update(rule.dispositions)
            wanted -= self._pack.prohibited_items
            found = self._items[key] = tuple(i for i in DataItem if i in wanted)
        return found

    def entry(self, r: RegistryRecipient) -> NoticeEntry:
        others = sorted({c for c in r.data_countries if c != r.country})
        countries = (r.country, *others)
        entrusted = r.role in self.entrusted
        if any(c != self.home for c in countries):
            section = Section.OVERSEAS_TRANSFER
            ground, article = self.abroad[entrusted]
        elif entrusted:
            section = Section.ENTRUSTMENT
            ground, article = self.entrustment
        else:
            section = Section.PROVISION
            ground, article = self.provision
        return NoticeEntry(
            recipient_id=r.id,
            name=r.name,
            country=r.country,
            data_countries=countries,
            role=r.role,
            email=r.email,
            phone=r.phone,
            section=section,
            ground=ground,
            article=article,
            items=self.items(r.role, r.purposes),
            purposes=r.purposes,
            retention_days=r.retention_days,
        )

    def entries(self, recipients: Iterable[RegistryRecipient]) -> list[NoticeEntry]:
        entry = self.entry
        return [entry(r) for r in recipients]
