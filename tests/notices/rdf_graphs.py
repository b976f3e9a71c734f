"""JSON-LD read back as RDF with rdflib, the way a regulator's tools would read it."""

import warnings

from rdflib import Graph


def parse_jsonld(data: bytes) -> Graph:
    graph = Graph()
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph, which rdflib itself
        # deprecates; the warning is about rdflib's internals, not about our document.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib(\.|$)")
        graph.parse(data=data, format="json-ld")
    return graph
