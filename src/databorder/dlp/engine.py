"""The message filter's core: run every registered detector over a text, keep one finding per
stretch of text. Pure: a string in, findings out.
"""

from collections.abc import Iterable
from functools import cache

from databorder.dlp import codes, numbers, places
from databorder.dlp.registry import Registry
from databorder.dlp.text import Text
from databorder.dlp.types import TYPE_PRIORITY, DetectFn, Detector, Finding, FindingType

_T = FindingType


@cache
def default_registry() -> Registry:
    """The detectors issue 14 names, one per registration (built once, then only read)."""
    registry = Registry()
    for name, types, find in (
        ("kr_registration_number", (_T.RRN, _T.FRN), numbers.find_registration),
        ("phone", (_T.PHONE,), numbers.find_phone),
        ("payment_card", (_T.CARD_NUMBER,), numbers.find_card),
        ("kr_bank_account", (_T.BANK_ACCOUNT,), numbers.find_bank_account),
        ("kr_customs_code", (_T.CUSTOMS_CODE,), codes.find_customs_code),
        ("kr_passport", (_T.PASSPORT,), codes.find_passport),
        ("email", (_T.EMAIL,), codes.find_email),
        ("kr_address", (_T.ADDRESS,), places.find_address),
        ("birth_date", (_T.BIRTH_DATE,), places.find_birth_date),
    ):
        registry.add(Detector(name, frozenset(types), find))
    return registry


def resolve(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Non-overlapping findings in text order: where two overlap, the longer span wins, then the
    surer, then the more sensitive type (TYPE_PRIORITY).

    Longest first because a shorter finding inside a longer one is almost always a part of it (a
    district number inside an address, an RRN's date inside the RRN); redacting both would
    leave nothing to tell the reader what was removed.
    """
    ranked = sorted(
        findings, key=lambda f: (f.start - f.end, -f.confidence, TYPE_PRIORITY[f.type], f.start)
    )
    kept: list[Finding] = []
    for f in ranked:
        if all(f.end <= k.start or k.end <= f.start for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    return tuple(kept)


@cache
def _default_finders() -> tuple[DetectFn, ...]:
    """The default registry's functions, looked up once: `scan` runs per message, and walking
    the registry's detectors each time was a measurable share of a short message's cost."""
    return tuple(d.find for d in default_registry())


def scan(text: str, registry: Registry | None = None) -> tuple[Finding, ...]:
    """Every piece of personal data the registry's detectors find in `text`, overlaps resolved."""
    view = Text(text)
    found: list[Finding] = []
    finders = _default_finders() if registry is None else [d.find for d in registry]
    for find in finders:
        found.extend(find(view))
    return resolve(found) if len(found) > 1 else tuple(found)
