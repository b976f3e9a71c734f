"""Which section of the policy names a recipient, on which ground, with which items: from the pack.

Pure: a recipient's registry facts and the rule pack in, where the notice names it out. The section and
ground follow the same law the engine applies (contract v2): a recipient whose data goes abroad
is named in the overseas-transfer section, a seller there on the separate consent and an
entrusted role on the entrusted contract of Art. 28-8(1)3; at home a seller is a third-party
provision (Art. 17) and an entrusted role an entrustment (Art. 26). The items are what the
pack's purpose tables let the recipient's purposes carry, so the notice never promises less
than the engine can release.
"""

from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices.types import Section
from databorder.policy.protocol import Pack


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
        self._placements: dict[
            tuple[str, tuple[str, ...], RecipientRole, tuple[Purpose, ...]],
            tuple[tuple[str, ...], Section, Ground, str, tuple[DataItem, ...]],
        ] = {}

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

    def placement(
        self,
        country: str,
        data_countries: tuple[str, ...],
        role: RecipientRole,
        purposes: tuple[Purpose, ...],
    ) -> tuple[tuple[str, ...], Section, Ground, str, tuple[DataItem, ...]]:
        """Countries (seat first), section, ground, article and items for one kind of recipient;
        memoised, since a registry of 180,000 has only a few hundred kinds."""
        key = (country, data_countries, role, purposes)
        found = self._placements.get(key)
        if found is None:
            countries = (country, *sorted({c for c in data_countries if c != country}))
            entrusted = role in self.entrusted
            if any(c != self.home for c in countries):
                section = Section.OVERSEAS_TRANSFER
                ground, article = self.abroad[entrusted]
            elif entrusted:
                section = Section.ENTRUSTMENT
                ground, article = self.entrustment
            else:
                section = Section.PROVISION
                ground, article = self.provision
            found = (countries, section, ground, article, self.items(role, purposes))
            self._placements[key] = found
        return found
