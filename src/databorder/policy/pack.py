"""Rule packs: the law as data a privacy officer can read and change, validated before use.

A pack file is parsed once (pydantic, unknown keys and values rejected) and compiled into
`RulePack`, a frozen set of lookup tables shaped for the engine's hot path. A file that names an
unknown item, purpose, role, ground or reason code, forgets a reason text or a language, or cites
no article for a rule is an error at load time, never a silent default at decision time.

Everything particular to one law lives in its pack: the home country, which roles are entrusted,
which consent kind answers which question, the articles, the transfer grounds in their order,
the statutes that mandate a disclosure, the designated certifications and recognised countries
with their sources and dates, and the texts in the pack's languages. The engine reads a pack
only through `policy.protocol.Pack`, so a second law is a second file.
"""

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from databorder.model import (
    ConsentKind,
    DataItem,
    Disposition,
    Ground,
    Purpose,
    ReasonCode,
    RecipientRole,
    country_code,
)

# The placeholders a reason text may use; anything else is a typo in the pack.
_PLACEHOLDERS = frozenset({"recipient", "country", "purpose", "item", "roles", "mandate"})


class PackError(ValueError):
    """The pack file is not a valid rule pack; the message names the place and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Texts = dict[str, str]


class _Rule(_Strict):
    id: str = Field(min_length=1)
    article: str = Field(min_length=3)
    text: Texts


class _BasisEntry(_Strict):
    ground: Ground
    article: str = Field(min_length=3)


class _MandateArticles(_Strict):
    domestic_article: str = Field(min_length=3)
    cross_border_article: str = Field(min_length=3)


class _Bases(_Strict):
    provision: _BasisEntry
    entrustment: _BasisEntry
    entrustment_by_consent: _BasisEntry
    marketing: _BasisEntry
    mandate: _MandateArticles


class _Roles(_Strict):
    provision: list[RecipientRole]
    entrusted: list[RecipientRole]


class _ConsentKinds(_Strict):
    provision: ConsentKind
    transfer: ConsentKind
    marketing: ConsentKind


class _Dated(_Strict):
    source: str = Field(min_length=3)
    from_: date = Field(alias="from")
    to: date | None


class _MandateEntry(_Dated):
    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    citation: str = Field(min_length=3)
    title: Texts
    roles: list[RecipientRole] = Field(min_length=1)
    countries: list[str] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    items: list[DataItem] = Field(min_length=1)


class _Designation(_Dated):
    certification: str = Field(min_length=1)


class _Recognition(_Dated):
    id: str = Field(min_length=1)
    countries: list[str] = Field(min_length=1)
    excluded_items: list[DataItem]


class _PurposeEntry(_Strict):
    plain: list[DataItem]
    relay: list[DataItem]
    masked: list[DataItem]
    roles: list[RecipientRole] | None
    max_access_days: int = Field(ge=1, le=3650)


class _Labels(_Strict):
    items: dict[DataItem, Texts]
    purposes: dict[Purpose, Texts]
    roles: dict[RecipientRole, Texts]


def _placeholders(text: str) -> set[str]:
    """The named placeholders of a reason text; positional, nested or formatted ones are errors.

    A text is filled with `str.format_map`, so `{}` or `{item:{x}}` would only fail at decision
    time; refusing them here keeps a bad pack from loading instead.
    """
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if not name or spec or conversion:
            raise ValueError(f"placeholders must be plain names like {{item}}, got {{{name}}}")
        names.add(name)
    unknown = names - _PLACEHOLDERS
    if unknown:
        raise ValueError(
            f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(_PLACEHOLDERS)}"
        )
    return names


class _ReasonText(_Strict):
    rule: str
    text: Texts

    @field_validator("text")
    @classmethod
    def _valid_templates(cls, text: Texts) -> Texts:
        for wording in text.values():
            _placeholders(wording)
        return text


# Which codes the engine gives for one item, and which for the whole request. Item texts are
# built once per (code, item, purpose) and reused, so they may not name the recipient; request
# texts have no item to name.
ITEM_CODES = frozenset(
    {
        ReasonCode.ITEM_NOT_NEEDED,
        ReasonCode.ITEM_PROHIBITED,
        ReasonCode.CONSENT_DOES_NOT_COVER,
        ReasonCode.CONSENT_WITHDRAWN,
        ReasonCode.NO_LAWFUL_GROUND,
    }
)
REQUEST_CODES = frozenset(ReasonCode) - ITEM_CODES
# Rule ids the engine writes on decisions itself (the contract's rules 2 and 6); the others it
# takes from the reason that refused.
ENGINE_RULES = frozenset({"R2.mandate", "R6.bases"})
_RECIPIENT_PLACEHOLDERS = frozenset({"recipient", "country", "mandate", "roles"})
_ITEM_PLACEHOLDERS = frozenset({"item"})


class _PackFile(_Strict):
    pack: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Texts
    version: str = Field(min_length=1)
    languages: list[str] = Field(min_length=1)
    home_country: str
    date_offset: str = Field(pattern=r"^[+-]\d\d:\d\d$")
    rules: list[_Rule] = Field(min_length=1)
    roles: _Roles
    consent_kinds: _ConsentKinds
    marketing_purposes: list[Purpose]
    bases: _Bases
    transfer_grounds: list[_BasisEntry] = Field(min_length=1)
    mandates: list[_MandateEntry]
    mandate_relay_items: list[DataItem]
    designations: list[_Designation]
    recognitions: list[_Recognition]
    prohibited_items: list[DataItem]
    purposes: dict[Purpose, _PurposeEntry]
    labels: _Labels
    reasons: dict[ReasonCode, _ReasonText]


@dataclass(frozen=True, slots=True)
class RuleText:
    id: str
    article: str
    texts: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class BasisRule:
    ground: Ground
    article: str


@dataclass(frozen=True, slots=True)
class PurposeRule:
    """Which items a purpose needs, in which form, for which roles (None: any role)."""

    dispositions: Mapping[DataItem, Disposition]
    roles: frozenset[RecipientRole] | None
    max_access_days: int


@dataclass(frozen=True, slots=True)
class Validity:
    """When a recognition, designation or mandate holds: `from_` inclusive, `to` exclusive."""

    source: str
    from_: datetime
    to: datetime | None

    def holds_at(self, at: datetime) -> bool:
        return self.from_ <= at and (self.to is None or self.to > at)


@dataclass(frozen=True, slots=True)
class Mandate:
    id: str
    citation: str
    title: Mapping[str, str]
    roles: frozenset[RecipientRole]
    countries: frozenset[str]
    purposes: frozenset[Purpose]
    items: frozenset[DataItem]
    validity: Validity


@dataclass(frozen=True, slots=True)
class Designation:
    certification: str
    validity: Validity


@dataclass(frozen=True, slots=True)
class Recognition:
    id: str
    countries: frozenset[str]
    excluded_items: frozenset[DataItem]
    validity: Validity


@dataclass(frozen=True, slots=True)
class RulePack:
    name: str
    version: str
    title: Mapping[str, str]
    languages: tuple[str, ...]
    home_country: str
    rules: Mapping[str, RuleText]
    provision_roles: frozenset[RecipientRole]
    entrusted_roles: frozenset[RecipientRole]
    provision_consent: ConsentKind
    transfer_consent: ConsentKind
    marketing_consent: ConsentKind
    marketing_purposes: frozenset[Purpose]
    provision_basis: BasisRule
    entrustment_basis: BasisRule
    entrustment_by_consent_basis: BasisRule
    marketing_basis: BasisRule
    mandate_domestic_article: str  # with a {citation} placeholder
    mandate_cross_border_article: str
    transfer_grounds: tuple[BasisRule, ...]
    mandates: Mapping[str, Mandate]
    mandate_relay_items: frozenset[DataItem]
    designations: tuple[Designation, ...]
    recognitions: tuple[Recognition, ...]
    prohibited_items: frozenset[DataItem]
    purposes: Mapping[Purpose, PurposeRule]
    item_labels: Mapping[DataItem, Mapping[str, str]]
    purpose_labels: Mapping[Purpose, Mapping[str, str]]
    role_labels: Mapping[RecipientRole, Mapping[str, str]]
    reason_texts: Mapping[ReasonCode, tuple[str, Mapping[str, str]]]  # (rule id, {lang: text})

    def article(self, rule_id: str) -> str:
        return self.rules[rule_id].article


def _require_all(what: str, present: set[Any], every: type[Any]) -> None:
    missing = sorted(str(v) for v in every if v not in present)
    if missing:
        raise PackError(f"{what} must list every value; missing: {missing}")


def _check_languages(where: str, texts: Mapping[str, str], languages: list[str]) -> None:
    missing = [lang for lang in languages if not texts.get(lang)]
    if missing:
        raise PackError(f"pack file invalid at {where}: no text for language(s) {missing}")


def _check_reason_levels(reasons: Mapping[ReasonCode, _ReasonText]) -> None:
    for code, entry in reasons.items():
        forbidden = _RECIPIENT_PLACEHOLDERS if code in ITEM_CODES else _ITEM_PLACEHOLDERS
        for lang, wording in entry.text.items():
            named = _placeholders(wording) & forbidden
            if named:
                level = "an item-level" if code in ITEM_CODES else "a request-level"
                raise PackError(
                    f"pack file invalid at reasons.{code}.text.{lang}: {level} text cannot use "
                    f"{sorted(named)}"
                )


def _countries(where: str, codes: list[str]) -> frozenset[str]:
    try:
        return frozenset(country_code(c) for c in codes)
    except ValueError as exc:
        raise PackError(f"pack file invalid at {where}: {exc}") from exc


def compile_pack(data: Mapping[str, Any]) -> RulePack:
    """Validate a parsed pack file and compile it into lookup tables."""
    try:
        spec = _PackFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PackError(f"pack file invalid at {where or '(top)'}: {first['msg']}") from exc

    languages = spec.languages
    if "en" not in languages:
        raise PackError("pack file invalid at languages: every pack speaks at least 'en'")
    _check_languages("title", spec.title, languages)
    home = next(iter(_countries("home_country", [spec.home_country])))
    hours, minutes = spec.date_offset[1:].split(":")
    sign = -1 if spec.date_offset[0] == "-" else 1
    offset = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))

    def validity(entry: _Dated) -> Validity:
        # A date applies from 00:00 in the pack's own time zone; `to` is exclusive.
        start = datetime.combine(entry.from_, time(), offset)
        end = datetime.combine(entry.to, time(), offset) if entry.to is not None else None
        if end is not None and end <= start:
            raise PackError(f"{entry.source!r}: 'to' ({entry.to}) is not after 'from'")
        return Validity(entry.source, start, end)

    rules = {r.id: RuleText(r.id, r.article, dict(r.text)) for r in spec.rules}
    if len(rules) != len(spec.rules):
        raise PackError("pack file invalid at rules: duplicate rule id")
    missing_rules = sorted(ENGINE_RULES - set(rules))
    if missing_rules:
        raise PackError(
            f"pack file invalid at rules: the engine names {missing_rules} on its decisions; "
            "every pack defines them"
        )
    for r in spec.rules:
        _check_languages(f"rules.{r.id}.text", r.text, languages)

    def known_rule(rule_id: str, where: str) -> str:
        if rule_id not in rules:
            raise PackError(f"pack file invalid at {where}: unknown rule {rule_id!r}")
        return rule_id

    transfer = tuple(BasisRule(g.ground, g.article) for g in spec.transfer_grounds)
    if len({g.ground for g in transfer}) != len(transfer):
        raise PackError("pack file invalid at transfer_grounds: a ground is listed twice")
    if set(spec.roles.provision) & set(spec.roles.entrusted):
        raise PackError("pack file invalid at roles: a role is both provision and entrusted")
    _require_all("roles", set(spec.roles.provision) | set(spec.roles.entrusted), RecipientRole)

    mandates: dict[str, Mandate] = {}
    for i, m in enumerate(spec.mandates):
        if m.id in mandates:
            raise PackError(f"pack file invalid at mandates.{i}: duplicate mandate id {m.id!r}")
        _check_languages(f"mandates.{i}.title", m.title, languages)
        mandates[m.id] = Mandate(
            m.id,
            m.citation,
            dict(m.title),
            frozenset(m.roles),
            _countries(f"mandates.{i}.countries", m.countries),
            frozenset(m.purposes),
            frozenset(m.items),
            validity(m),
        )
    for where, article in (
        ("bases.mandate.domestic_article", spec.bases.mandate.domestic_article),
        ("bases.mandate.cross_border_article", spec.bases.mandate.cross_border_article),
    ):
        if "{citation}" not in article:
            raise PackError(f"pack file invalid at {where}: must contain {{citation}}")

    recognitions = tuple(
        Recognition(
            r.id,
            _countries(f"recognitions.{i}.countries", r.countries),
            frozenset(r.excluded_items),
            validity(r),
        )
        for i, r in enumerate(spec.recognitions)
    )

    purposes: dict[Purpose, PurposeRule] = {}
    for purpose, entry in spec.purposes.items():
        dispositions: dict[DataItem, Disposition] = {}
        for disposition, items in (
            (Disposition.PLAIN, entry.plain),
            (Disposition.RELAY, entry.relay),
            (Disposition.MASKED, entry.masked),
        ):
            for item in items:
                if item in dispositions:
                    raise PackError(f"pack file invalid at purposes.{purpose}: {item} listed twice")
                if item in spec.prohibited_items:
                    raise PackError(
                        f"pack file invalid at purposes.{purpose}: {item} is prohibited"
                    )
                dispositions[item] = disposition
        roles = frozenset(entry.roles) if entry.roles is not None else None
        purposes[purpose] = PurposeRule(dispositions, roles, entry.max_access_days)
    _require_all("purposes", set(purposes), Purpose)
    _require_all("reasons", set(spec.reasons), ReasonCode)
    _check_reason_levels(spec.reasons)
    for code, reason in spec.reasons.items():
        _check_languages(f"reasons.{code}.text", reason.text, languages)
    for what, labels, every in (
        ("labels.items", spec.labels.items, DataItem),
        ("labels.purposes", spec.labels.purposes, Purpose),
        ("labels.roles", spec.labels.roles, RecipientRole),
    ):
        _require_all(what, set(labels), every)
        for key, texts in labels.items():
            _check_languages(f"{what}.{key}", texts, languages)

    def basis(entry: _BasisEntry) -> BasisRule:
        return BasisRule(entry.ground, entry.article)

    return RulePack(
        name=spec.pack,
        version=spec.version,
        title=dict(spec.title),
        languages=tuple(languages),
        home_country=home,
        rules=rules,
        provision_roles=frozenset(spec.roles.provision),
        entrusted_roles=frozenset(spec.roles.entrusted),
        provision_consent=spec.consent_kinds.provision,
        transfer_consent=spec.consent_kinds.transfer,
        marketing_consent=spec.consent_kinds.marketing,
        marketing_purposes=frozenset(spec.marketing_purposes),
        provision_basis=basis(spec.bases.provision),
        entrustment_basis=basis(spec.bases.entrustment),
        entrustment_by_consent_basis=basis(spec.bases.entrustment_by_consent),
        marketing_basis=basis(spec.bases.marketing),
        mandate_domestic_article=spec.bases.mandate.domestic_article,
        mandate_cross_border_article=spec.bases.mandate.cross_border_article,
        transfer_grounds=transfer,
        mandates=mandates,
        mandate_relay_items=frozenset(spec.mandate_relay_items),
        designations=tuple(Designation(d.certification, validity(d)) for d in spec.designations),
        recognitions=recognitions,
        prohibited_items=frozenset(spec.prohibited_items),
        purposes=purposes,
        item_labels={k: dict(v) for k, v in spec.labels.items.items()},
        purpose_labels={k: dict(v) for k, v in spec.labels.purposes.items()},
        role_labels={k: dict(v) for k, v in spec.labels.roles.items()},
        reason_texts={
            code: (known_rule(t.rule, f"reasons.{code}"), dict(t.text))
            for code, t in spec.reasons.items()
        },
    )


class PackRegistry:
    """Packs by name. Registering a name twice is an error: two laws cannot share a name."""

    def __init__(self) -> None:
        self._packs: dict[str, RulePack] = {}

    def register(self, pack: RulePack) -> RulePack:
        if pack.name in self._packs:
            raise PackError(f"a rule pack named {pack.name!r} is registered already")
        self._packs[pack.name] = pack
        return pack

    def get(self, name: str) -> RulePack:
        pack = self._packs.get(name)
        if pack is None:
            raise PackError(f"unknown rule pack {name!r}; available: {sorted(self._packs)}")
        return pack

    def names(self) -> list[str]:
        return sorted(self._packs)


def _shipped(name: str) -> RulePack:
    text = resources.files("databorder.policy.packs").joinpath(f"{name}.json").read_text("utf-8")
    return compile_pack(json.loads(text))


# The packs databorder ships; a deployment adds its own with `load_pack_file` + `register`.
SHIPPED = ("pipa",)
PACKS = PackRegistry()
for _name in SHIPPED:
    PACKS.register(_shipped(_name))


def load_pack(name: str = "pipa") -> RulePack:
    """A registered pack by name; unknown names are errors."""
    return PACKS.get(name)


def load_pack_file(path: str) -> RulePack:
    """Load a pack a privacy officer wrote or edited, from a file path."""
    with open(path, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise PackError(f"pack file {path} is not JSON: {exc}") from exc
    return compile_pack(data)
