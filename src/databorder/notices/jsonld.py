"""The notice as linked data: JSON-LD in W3C DPV 2.x terms, for regulators' and auditors' tools.

Each recipient is one `dpv:Process` of the notice: what is processed (`dpv:hasPersonalData`),
why (`dpv:hasPurpose`), for how long (`dpv:hasStorageCondition` → `dpv:StorageDuration`), on
which legal basis (`dpv:hasLegalBasis`) and by whom (`dpv:hasRecipient` plus the role's own
sub-property). A transfer abroad has a `dpv:CrossBorderTransfer` processing naming every
`dpv:hasThirdCountry` (DPV example E0060); at home it is `dpv:Share` (provision) or
`dpv:Transfer` to a `dpv:DataProcessor` (entrustment).

DPV's Korean extension (legal/kr, 2.3) names the Act (`legal-kr:law-PIPA`) but none of its
transfer grounds, so the grounds get IRIs in the project's namespace (`pipa:Art28-8-1-1`, ...),
declared in the graph with Korean and English labels and placed under DPV's own classes, the
way DPV's GDPR extension declares `eu-gdpr:A49-1-a`.

Terms are checked against github.com/w3c/dpv (2.3): each mapping below names its source file.
The few nodes every notice has are dicts through `json.dumps`; the processes, one per entry,
are written as text with what repeats (a storage duration, a transfer, an item list) written
once as a node or string and referred to, for the reason given in `lists`: 180,000 dicts cost
more in the garbage collector than in the encoder. The tests parse the result as RDF.
"""

import json
import re
from collections.abc import Mapping
from urllib.parse import quote

from databorder.model import DataItem, Ground, Purpose
from databorder.notices.labels import cited_ground_label, item_label
from databorder.notices.layout import (
    DEFAULT_PAGE_LIMIT,
    Layout,
    lay_out,
    ordered_items,
    ordered_purposes,
)
from databorder.notices.lists import instant, json_list, json_string, memo
from databorder.notices.types import NoticeSnapshot, Section

PIPA_NAMESPACE = "https://databorder.dev/ns/pipa#"


def _iri(curie: str) -> dict[str, str]:
    return {"@id": curie, "@type": "@id"}


# Terms are DPV's own local names, so the JSON reads like DPV's examples while staying short:
# 180,000 processes repeat every key. Terms typed "@id" take a CURIE or IRI string as value.
CONTEXT: Mapping[str, object] = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "loc": "https://w3id.org/dpv/loc#",
    "legal-kr": "https://w3id.org/dpv/legal/kr#",
    "pipa": PIPA_NAMESPACE,
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "hasName": "dpv:hasName",
    "hasContact": "dpv:hasContact",
    "hasRecipient": "dpv:hasRecipient",
    "hasDataProtectionOfficer": "dpv:hasDataProtectionOfficer",
    "hasDuration": "dpv:hasDuration",
    "hasDataController": _iri("dpv:hasDataController"),
    "hasProcessing": _iri("dpv:hasProcessing"),
    "hasThirdCountry": _iri("dpv:hasThirdCountry"),
    "hasDataImporter": _iri("dpv:hasDataImporter"),
    "hasDataProcessor": _iri("dpv:hasDataProcessor"),
    "hasRecipientThirdParty": _iri("dpv:hasRecipientThirdParty"),
    "hasPersonalData": _iri("dpv:hasPersonalData"),
    "hasPurpose": _iri("dpv:hasPurpose"),
    "hasLegalBasis": _iri("dpv:hasLegalBasis"),
    "hasStorageCondition": _iri("dpv:hasStorageCondition"),
    "hasLocation": _iri("dpv:hasLocation"),
    "hasJurisdiction": _iri("dpv:hasJurisdiction"),
    "hasApplicableLaw": _iri("dpv:hasApplicableLaw"),
    # The notice lists its processes; each process `dpv:hasNotice` the notice (2.3/dpv/dpv.ttl).
    "processes": {"@reverse": "dpv:hasNotice", "@type": "@id"},
    "identifier": "dct:identifier",
    "version": "dct:hasVersion",
    "issued": {"@id": "dct:issued", "@type": "xsd:dateTime"},
    "label": "rdfs:label",
    "broader": _iri("skos:broader"),
    "duration": {"@id": "rdf:value", "@type": "xsd:duration"},
}

# 2.3/pd/pd.ttl; the two Korean identifiers have no DPV class of their own, so they are the
# project's, under pd:OfficialID like DPV's other official identifiers.
_PERSONAL_DATA: Mapping[DataItem, str] = {
    DataItem.NAME: "pd:Name",
    DataItem.PHONE: "pd:TelephoneNumber",
    DataItem.EMAIL: "pd:EmailAddress",
    DataItem.ADDRESS: "pd:PhysicalAddress",
    DataItem.POSTAL_CODE: "pd:PostalCode",
    DataItem.CUSTOMS_CODE: "pipa:PersonalCustomsClearanceCode",
    DataItem.ORDER_ITEMS: "pd:Purchase",
    DataItem.CARD_NUMBER: "pd:PaymentCardNumber",
    DataItem.BANK_ACCOUNT: "pd:BankAccount",
    DataItem.RRN: "pipa:ResidentRegistrationNumber",
    DataItem.BIRTH_DATE: "pd:BirthDate",
}
_OWN_PERSONAL_DATA = (DataItem.CUSTOMS_CODE, DataItem.RRN)

# 2.3/dpv/dpv.ttl (purposes taxonomy).
_PURPOSES: Mapping[Purpose, str] = {
    Purpose.SHIPPING: "dpv:DeliveryOfGoods",
    Purpose.CUSTOMS_CLEARANCE: "dpv:LegalCompliance",
    Purpose.CUSTOMER_SERVICE: "dpv:CustomerCare",
    Purpose.PAYMENT: "dpv:PaymentManagement",
    Purpose.MARKETING: "dpv:Marketing",
}

# 2.3/dpv/dpv.ttl (legal basis taxonomy): the DPV class each PIPA ground narrows.
# Certification and adequacy narrow nothing in DPV but the transfer bases (added below).
_GROUND_BROADER: Mapping[Ground, tuple[str, ...]] = {
    Ground.CONSENT: ("dpv:Consent",),
    Ground.LEGAL_MANDATE: ("dpv:LegalObligation",),
    Ground.ENTRUSTED_CONTRACT: ("dpv:ContractPerformance",),
    Ground.CERTIFICATION: (),
    Ground.ADEQUACY: (),
}

# 2.3/dpv/dpv.ttl (processing taxonomy); the overseas one is a node of its own (see _transfer).
_PROCESSING: Mapping[Section, str] = {
    Section.PROVISION: "dpv:Share",
    Section.ENTRUSTMENT: "dpv:Transfer",
}

_ARTICLE_IRI = re.compile(r"[^0-9A-Za-z]+")


def ground_iri(article: str) -> str:
    """'PIPA 28-8(1)1' → 'pipa:Art28-8-1-1' (a CURIE of PIPA_NAMESPACE)."""
    return "pipa:Art" + _ARTICLE_IRI.sub("-", article.removeprefix("PIPA ")).strip("-")


def _urn(kind: str, value: str) -> str:
    return f"urn:databorder:{kind}:{quote(value, safe='')}"


def _labels(ko: str, en: str) -> list[dict[str, str]]:
    return [{"@value": ko, "@language": "ko"}, {"@value": en, "@language": "en"}]


def _grounds(layout: Layout) -> list[dict[str, object]]:
    nodes: list[dict[str, object]] = []
    for table in layout.tables:
        broader = list(_GROUND_BROADER[table.ground])
        if table.section is Section.OVERSEAS_TRANSFER:
            # As DPV's own transfer grounds are (2.3/legal/eu/gdpr/eu-gdpr.ttl, eu-gdpr:A45-3).
            broader.append("dpv:DataTransferLegalBasis")
        nodes.append(
            {
                "@id": ground_iri(table.article),
                "@type": "dpv:LegalBasis",
                "broader": broader,
                "label": _labels(
                    cited_ground_label(table.ground, "ko", table.section, table.article),
                    cited_ground_label(table.ground, "en", table.section, table.article),
                ),
                # 2.3/legal/kr/legal-kr.ttl
                "hasApplicableLaw": "legal-kr:law-PIPA",
                "hasJurisdiction": f"loc:{layout.snapshot.home_country}",
            }
        )
    return nodes


def _own_personal_data(used: set[DataItem]) -> list[dict[str, object]]:
    nodes: list[dict[str, object]] = [
        {
            "@id": _PERSONAL_DATA[item],
            "@type": "dpv:PersonalData",
            "broader": "pd:OfficialID",
            "label": _labels(item_label(item, "ko"), item_label(item, "en")),
        }
        for item in _OWN_PERSONAL_DATA
        if item in used
    ]
    return nodes


def _purposes(purposes: tuple[Purpose, ...]) -> str:
    return json_list(tuple(_PURPOSES[p] for p in ordered_purposes(purposes)))


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def jsonld_from_layout(layout: Layout) -> bytes:
    snapshot = layout.snapshot
    controller = snapshot.controller
    notice = _urn("notice", snapshot.version)

    # What repeats across entries is written once: storage durations and cross-border
    # transfers as nodes of their own that processes point at, lists as shared strings.
    shared_nodes: list[dict[str, object]] = []

    def transfer(countries: tuple[str, ...]) -> str:
        # E0060 (examples/): a CrossBorderTransfer naming its third countries.
        node = "_:transfer-" + "-".join(countries)
        shared_nodes.append(
            {
                "@id": node,
                "@type": "dpv:CrossBorderTransfer",
                "hasThirdCountry": ["loc:" + c for c in countries],
            }
        )
        return json_string(node)

    def duration(days: int) -> str:
        # E0048 and E0050 (examples/): a StorageDuration whose TemporalDuration is an
        # xsd:duration.
        node = f"_:retention-P{days}D"
        shared_nodes.append(
            {
                "@id": node,
                "@type": "dpv:StorageDuration",
                "hasDuration": {"@type": "dpv:TemporalDuration", "duration": f"P{days}D"},
            }
        )
        return json_string(node)

    transfers = memo(transfer)
    durations = memo(duration)
    used_items: set[DataItem] = set()

    def items_of(items: tuple[DataItem, ...]) -> str:
        used_items.update(items)
        return json_list(tuple(_PERSONAL_DATA[i] for i in ordered_items(items)))

    personal_data = memo(items_of)
    purposes = memo(_purposes)

    processes: list[bytes] = []
    append = processes.append
    for table in layout.tables:
        section = table.section
        basis = json_string(ground_iri(table.article))
        entrusted = table.ground is Ground.ENTRUSTED_CONTRACT
        abroad = section is Section.OVERSEAS_TRANSFER
        # The recipient's types and the sub-property of dpv:hasRecipient naming its role
        # (2.3/dpv/dpv.ttl: DataImporter, DataProcessor, ThirdParty; hasDataImporter,
        # hasDataProcessor, hasRecipientThirdParty).
        types: tuple[str, ...] = ("dpv:DataProcessor",) if entrusted else ("dpv:ThirdParty",)
        if abroad:
            types = ("dpv:DataImporter", *types)
        recipient_types = json_list(types)
        role_property = "hasDataProcessor" if entrusted else "hasRecipientThirdParty"
        local = json_string(_PROCESSING.get(section, ""))
        for e in table.entries:
            rid = e.recipient_id
            # Percent-encoded with nothing left unsafe: no JSON escaping needed either.
            quoted = quote(rid, safe="")
            recipient = "urn:databorder:recipient:" + quoted
            email = json_string(e.email)
            contact = f"[{email},{json_string(e.phone)}]" if e.phone else email
            importer = f'"hasDataImporter":"{recipient}",' if abroad else ""
            append(
                (
                    f'{{"@id":"{notice}:{quoted}","@type":"dpv:Process",'
                    f'"hasProcessing":{transfers(e.data_countries) if abroad else local},'
                    f'"hasRecipient":{{"@id":"{recipient}","@type":{recipient_types},'
                    f'"identifier":{json_string(rid)},"hasName":{json_string(e.name)},'
                    f'"hasContact":{contact},"hasLocation":"loc:{e.country}"}},'
                    f'"{role_property}":"{recipient}",{importer}'
                    f'"hasPersonalData":{personal_data(e.items)},"hasPurpose":{purposes(e.purposes)},'
                    f'"hasLegalBasis":{basis},"hasStorageCondition":{durations(e.retention_days)}}}'
                ).encode()
            )

    nodes: list[dict[str, object]] = [
        {
            "@id": "_:controller",
            "@type": "dpv:DataController",
            "hasName": controller.name,
            "hasDataProtectionOfficer": {
                "@type": "dpv:DataProtectionOfficer",
                "hasName": controller.officer_name,
                "hasContact": [controller.officer_email, controller.officer_phone],
            },
        },
        *_grounds(layout),
        *_own_personal_data(used_items),
        *shared_nodes,
    ]
    notice_node = _dumps(
        {
            "@id": notice,
            "@type": "dpv:PrivacyNotice",
            "version": snapshot.version,
            "issued": instant(snapshot.published_at),
            "hasDataController": "_:controller",
            "hasJurisdiction": f"loc:{snapshot.home_country}",
            "hasApplicableLaw": "legal-kr:law-PIPA",
        }
    )
    # The notice node last, its processes last in it: what a reader needs first comes first.
    head = (
        f'{{"@context":{_dumps(CONTEXT)},"@graph":['
        + "".join(_dumps(node) + "," for node in nodes)
        + notice_node[:-1]
        + ',"processes":['
    )
    # Joined as bytes: one Korean name anywhere would make a joined str two bytes a character.
    return b"".join((head.encode(), b",".join(processes), b"]}]}"))


def render_jsonld(snapshot: NoticeSnapshot) -> bytes:
    """Every recipient as a DPV process of this version's notice (UTF-8 JSON-LD 1.1)."""
    return jsonld_from_layout(lay_out(snapshot, DEFAULT_PAGE_LIMIT))


__all__ = ["CONTEXT", "PIPA_NAMESPACE", "ground_iri", "jsonld_from_layout", "render_jsonld"]
