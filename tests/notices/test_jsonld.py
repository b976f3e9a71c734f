"""The notice as DPV JSON-LD, read back as RDF: the terms a regulator's tools look for."""

import json

import pytest
from golden_files import assert_golden
from notice_factories import SMALL_ENTRIES, snapshot
from rdf_graphs import parse_jsonld
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from databorder.notices import render_jsonld
from databorder.notices.jsonld import PIPA_NAMESPACE, ground_iri

DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
LOC = Namespace("https://w3id.org/dpv/loc#")
PIPA = Namespace(PIPA_NAMESPACE)
LEGAL_KR = Namespace("https://w3id.org/dpv/legal/kr#")
NS = {"dpv": DPV, "pd": PD, "loc": LOC, "pipa": PIPA, "dct": DCTERMS, "rdfs": RDFS, "rdf": RDF}

NOTICE = URIRef("urn:databorder:notice:2026-12-01")


@pytest.fixture(scope="module")
def graph() -> Graph:
    return parse_jsonld(render_jsonld(snapshot()))


def recipient(rid: str) -> URIRef:
    return URIRef(f"urn:databorder:recipient:{rid}")


def test_small_registry_jsonld_matches_golden() -> None:
    assert_golden("small.jsonld", render_jsonld(snapshot()))


def test_it_is_json_with_the_dpv_context() -> None:
    document = json.loads(render_jsonld(snapshot()))
    assert document["@context"]["dpv"] == "https://w3id.org/dpv#"
    assert document["@context"]["loc"] == "https://w3id.org/dpv/loc#"


def test_the_notice_is_a_privacy_notice_of_its_version(graph: Graph) -> None:
    assert (NOTICE, RDF.type, DPV.PrivacyNotice) in graph
    assert (NOTICE, DCTERMS.hasVersion, Literal("2026-12-01")) in graph
    issued = graph.value(NOTICE, DCTERMS.issued)
    assert issued == Literal("2026-11-30T15:00:00+00:00", datatype=XSD.dateTime)
    assert (NOTICE, DPV.hasApplicableLaw, LEGAL_KR["law-PIPA"]) in graph


def test_every_recipient_is_a_process_of_the_notice(graph: Graph) -> None:
    rows = graph.query(
        """
        SELECT ?id ?name WHERE {
          ?process a dpv:Process ; dpv:hasNotice ?notice ; dpv:hasRecipient ?r .
          ?r dct:identifier ?id ; dpv:hasName ?name .
        }
        """,
        initNs=NS,
        initBindings={"notice": NOTICE},
    )
    assert {(str(i), str(n)) for i, n in rows} == {(e.recipient_id, e.name) for e in SMALL_ENTRIES}


def test_each_transfer_abroad_is_a_cross_border_transfer_to_every_data_country(
    graph: Graph,
) -> None:
    rows = graph.query(
        """
        SELECT ?id (GROUP_CONCAT(STR(?country); separator=" ") AS ?countries) WHERE {
          ?process dpv:hasProcessing ?transfer ; dpv:hasRecipient ?r .
          ?transfer a dpv:CrossBorderTransfer ; dpv:hasThirdCountry ?country .
          ?r dct:identifier ?id .
        } GROUP BY ?id
        """,
        initNs=NS,
    )
    found = {str(i): sorted(str(c).split()) for i, c in rows}
    abroad = {
        e.recipient_id: sorted(str(LOC[c]) for c in e.data_countries)
        for e in SMALL_ENTRIES
        if e.section.value == "overseas_transfer"
    }
    assert found == abroad
    assert found["p-us-1"] == [str(LOC.JP), str(LOC.US)]


def test_importers_are_data_importers_with_name_contact_and_seat(graph: Graph) -> None:
    r = recipient("s-cn-1")
    assert (r, RDF.type, DPV.DataImporter) in graph
    assert (r, RDF.type, DPV.ThirdParty) in graph
    assert (r, DPV.hasName, Literal("Shenzhen Example Trading Co., Ltd.")) in graph
    assert set(graph.objects(r, DPV.hasContact)) == {
        Literal("privacy@example.cn"),
        Literal("+8675588881234"),
    }
    assert (r, DPV.hasLocation, LOC.CN) in graph
    process = URIRef("urn:databorder:notice:2026-12-01:s-cn-1")
    assert (process, DPV.hasDataImporter, r) in graph
    assert (process, DPV.hasRecipientThirdParty, r) in graph


def test_processors_abroad_and_at_home_are_data_processors(graph: Graph) -> None:
    assert (recipient("p-us-1"), RDF.type, DPV.DataProcessor) in graph
    assert (recipient("p-us-1"), RDF.type, DPV.DataImporter) in graph
    assert (recipient("p-kr-1"), RDF.type, DPV.DataProcessor) in graph
    assert (recipient("p-kr-1"), RDF.type, DPV.DataImporter) not in graph
    home = URIRef("urn:databorder:notice:2026-12-01:p-kr-1")
    assert (home, DPV.hasDataProcessor, recipient("p-kr-1")) in graph
    assert (home, DPV.hasProcessing, DPV.Transfer) in graph
    provision = URIRef("urn:databorder:notice:2026-12-01:s-kr-1")
    assert (provision, DPV.hasProcessing, DPV.Share) in graph


def test_personal_data_purposes_and_retention(graph: Graph) -> None:
    process = URIRef("urn:databorder:notice:2026-12-01:p-cn-1")
    assert set(graph.objects(process, DPV.hasPersonalData)) == {
        PD.Name,
        PD.TelephoneNumber,
        PD.PhysicalAddress,
        PD.PostalCode,
        PIPA.PersonalCustomsClearanceCode,
    }
    assert set(graph.objects(process, DPV.hasPurpose)) == {DPV.DeliveryOfGoods, DPV.LegalCompliance}
    storage = graph.value(process, DPV.hasStorageCondition)
    assert (storage, RDF.type, DPV.StorageDuration) in graph
    duration = graph.value(storage, DPV.hasDuration)
    assert (duration, RDF.type, DPV.TemporalDuration) in graph
    assert graph.value(duration, RDF.value) == Literal("P60D", datatype=XSD.duration)
    assert (PIPA.PersonalCustomsClearanceCode, SKOS.broader, PD.OfficialID) in graph


def test_legal_bases_are_the_projects_pipa_terms_with_korean_and_english_labels(
    graph: Graph,
) -> None:
    basis = PIPA["Art28-8-1-1"]
    assert (URIRef("urn:databorder:notice:2026-12-01:s-cn-1"), DPV.hasLegalBasis, basis) in graph
    assert (basis, RDF.type, DPV.LegalBasis) in graph
    assert (basis, SKOS.broader, DPV.DataTransferLegalBasis) in graph
    assert (basis, SKOS.broader, DPV.Consent) in graph
    labels = {label.language: str(label) for label in graph.objects(basis, RDFS.label)}
    assert labels == {
        "ko": "정보주체의 별도 동의(「개인정보 보호법」 제28조의8 제1항 제1호)",
        "en": "Your separate consent (PIPA Art. 28-8(1)1)",
    }
    used = set(graph.objects(None, DPV.hasLegalBasis))
    assert used == {
        PIPA[i]
        for i in ("Art28-8-1-1", "Art28-8-1-3", "Art28-8-1-4", "Art17-1-1", "Art17-1-2", "Art26")
    }
    for ground in used:
        assert (ground, RDFS.label, None) in graph


@pytest.mark.parametrize(
    ("article", "iri"),
    [
        ("PIPA 28-8(1)1", "pipa:Art28-8-1-1"),
        ("PIPA 17(1)2", "pipa:Art17-1-2"),
        ("PIPA 26", "pipa:Art26"),
    ],
)
def test_ground_iris_follow_the_article(article: str, iri: str) -> None:
    assert ground_iri(article) == iri


def test_the_controller_and_its_officer(graph: Graph) -> None:
    controller = graph.value(NOTICE, DPV.hasDataController)
    assert (controller, RDF.type, DPV.DataController) in graph
    assert (controller, DPV.hasName, Literal("한빛마켓")) in graph
    officer = graph.value(controller, DPV.hasDataProtectionOfficer)
    assert (officer, DPV.hasName, Literal("김보호")) in graph
