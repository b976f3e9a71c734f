"""Rule packs: the law as data a privacy officer can read and change, validated before use.

A pack file is parsed once (pydantic, unknown keys and values rejected) and compiled into
`RulePack`, a frozen set of lookup tables shaped for the engine's hot path. A file that names an
unknown item, purpose, role, ground or reason code, forgets a reason text, or cites no article
for a rule is an error at load time, never a silent default at decision time.
"""

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

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
_PLACEHOLDERS = frozenset(
    {"recipient", "country", "purpose", "purpose_ko", "item", "item_ko", "roles", "roles_ko"}
)


class PackError(ValueError):
    """The pack file is not a valid rule pack; the message names the place and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Text(_Strict):
    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)


class _Rule(_Text):
    id: str = Field(min_length=1)
    article: str = Field(pattern=r"^PIPA |^GDPR |^PIPL ")


class _GroundEntry(_Strict):
    ground: Ground
    rule: str
    domestic_article: str | None
    cross_border_article: str


class _PurposeEntry(_Strict):
    plain: list[DataItem]
    relay: list[DataItem]
    masked: list[DataItem]
    roles: list[RecipientRole] | None
    max_access_days: int = Field(ge=1, le=3650)


class _ConsentKinds(_Strict):
    domestic: ConsentKind
    cross_border: ConsentKind


class _Labels(_Strict):
    items: dict[DataItem, str]
    purposes: dict[Purpose, str]
    roles: dict[RecipientRole, str]


def _placeholders(text: str) -> set[str]:
    """The named placeholders of a reason text; positional, nested or formatted ones are errors.

    A text is filled with `str.format_map`, so `{}` or `{item:{x}}` would only fail at decision
    time; refusing them here keeps a bad pack from loading instead.
    """
    names = set()
    parsed = list(string.Formatter().parse(text))  # raises ValueError on a broken template
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name or spec or conversion:
            raise ValueError(
                f"placeholders must be plain names like {{item}}, got {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
            )
        names.add(name)
    unknown = names - _PLACEHOLDERS
    if unknown:
        raise ValueError(
            f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(_PLACEHOLDERS)}"
        )
    return names


class _ReasonText(_Text):
    """A reason's texts; `request_en`/`request_ko` word it for the whole request (no item)."""

    rule: str
    request_en: str | None = Field(default=None, min_length=1)
    request_ko: str | None = Field(default=None, min_length=1)

    @field_validator("en", "ko", "request_en", "request_ko")
    @classmethod
    def _valid_template(cls, text: str | None) -> str | None:
        if text is not None:
            _placeholders(text)
        return text


# Which codes the engine gives for one item, and which for the whole request. Item texts are
# built once per (code, item, purpose) and reused, so they may not name the recipient; request
# texts have no item to name.
ITEM_CODES = frozenset(
    {
        ReasonCode.ITEM_NOT_NEEDED,
        ReasonCode.ITEM_PROHIBITED,
        ReasonCode.ROLE_NOT_PERMITTED,
        ReasonCode.CONSENT_DOES_NOT_COVER,
    }
)
REQUEST_CODES = frozenset(ReasonCode) - ITEM_CODES | {ReasonCode.CONSENT_DOES_NOT_COVER}
_RECIPIENT_PLACEHOLDERS = frozenset({"recipient", "country"})
_ITEM_PLACEHOLDERS = frozenset({"item", "item_ko"})


def _check_reason_levels(reasons: Mapping[ReasonCode, _ReasonText]) -> None:
    for code, text in reasons.items():
        if code in ITEM_CODES:
            for field, value in (("en", text.en), ("ko", text.ko)):
                named = _placeholders(value) & _RECIPIENT_PLACEHOLDERS
                if named:
                    raise PackError(
                        f"pack file invalid at reasons.{code}.{field}: an item-level text cannot "
                        f"use {sorted(named)} (it is shared by every recipient)"
                    )
        if code in REQUEST_CODES:
            both_levels = code in ITEM_CODES
            request_texts: tuple[tuple[str, str | None], ...] = (
                ("en", text.request_en if both_levels else text.en),
                ("ko", text.request_ko if both_levels else text.ko),
            )
            for field, wording in request_texts:
                where = f"reasons.{code}.{'request_' if both_levels else ''}{field}"
                if wording is None:
                    raise PackError(
                        f"pack file invalid at {where}: missing (the code is also "
                        "given for a whole request, without an item)"
                    )
                named = _placeholders(wording) & _ITEM_PLACEHOLDERS
                if named:
                    raise PackError(
                        f"pack file invalid at {where}: a request-level text cannot "
                        f"use {sorted(named)}"
                    )


class _PackFile(_Strict):
    pack: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: _Text
    version: str
    rules: list[_Rule] = Field(min_length=1)
    grounds: list[_GroundEntry] = Field(min_length=1)
    consent_kinds: _ConsentKinds
    consent_only_purposes: dict[Purpose, ConsentKind]
    entrusted_roles: list[RecipientRole]
    recognised_certifications: list[str]
    adequate_countries: list[str]
    prohibited_items: list[DataItem]
    purposes: dict[Purpose, _PurposeEntry]
    labels: _Labels
    reasons: dict[ReasonCode, _ReasonText]


@dataclass(frozen=True, slots=True)
class RuleText:
    id: str
    article: str
    en: str
    ko: str


@dataclass(frozen=True, slots=True)
class GroundRule:
    ground: Ground
    rule: str
    domestic_article: str | None  # None: this ground cannot apply to a domestic recipient
    cross_border_article: str


@dataclass(frozen=True, slots=True)
class PurposeRule:
    """Which items a purpose needs, in which form, for which roles (None: any role)."""

    dispositions: Mapping[DataItem, Disposition]
    roles: frozenset[RecipientRole] | None
    max_access_days: int


@dataclass(frozen=True, slots=True)
class RulePack:
    name: str
    version: str
    title_en: str
    title_ko: str
    rules: Mapping[str, RuleText]
    grounds: tuple[GroundRule, ...]
    domestic_consent: ConsentKind
    cross_border_consent: ConsentKind
    consent_only_purposes: Mapping[Purpose, ConsentKind]
    entrusted_roles: frozenset[RecipientRole]
    recognised_certifications: frozenset[str]
    adequate_countries: frozenset[str]
    prohibited_items: frozenset[DataItem]
    purposes: Mapping[Purpose, PurposeRule]
    item_labels: Mapping[DataItem, str]
    purpose_labels: Mapping[Purpose, str]
    role_labels: Mapping[RecipientRole, str]
    reason_texts: Mapping[ReasonCode, tuple[str, str, str]]  # (rule id, en template, ko template)
    # The same code worded for a whole request (no item), where the pack gives one.
    request_texts: Mapping[ReasonCode, tuple[str, str]]

    def article(self, rule_id: str) -> str:
        return self.rules[rule_id].article


def _require_all(what: str, present: set[Any], every: type[Any]) -> None:
    missing = sorted(str(v) for v in every if v not in present)
    if missing:
        raise PackError(f"{what} must list every value; missing: {missing}")


def compile_pack(data: Mapping[str, Any]) -> RulePack:
    """Validate a parsed pack file and compile it into lookup tables."""
    try:
        spec = _PackFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PackError(f"pack file invalid at {where or '(top)'}: {first['msg']}") from exc

    rules = {r.id: RuleText(r.id, r.article, r.en, r.ko) for r in spec.rules}
    if len(rules) != len(spec.rules):
        raise PackError("pack file invalid at rules: duplicate rule id")

    def known_rule(rule_id: str, where: str) -> str:
        if rule_id not in rules:
            raise PackError(f"pack file invalid at {where}: unknown rule {rule_id!r}")
        return rule_id

    grounds = tuple(
        GroundRule(
            g.ground,
            known_rule(g.rule, f"grounds.{g.ground}"),
            g.domestic_article,
            g.cross_border_article,
        )
        for g in spec.grounds
    )
    if len({g.ground for g in grounds}) != len(grounds):
        raise PackError("pack file invalid at grounds: a ground is listed twice")

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
    _require_all("labels.items", set(spec.labels.items), DataItem)
    _require_all("labels.purposes", set(spec.labels.purposes), Purpose)
    _require_all("labels.roles", set(spec.labels.roles), RecipientRole)

    try:
        adequate = frozenset(country_code(c) for c in spec.adequate_countries)
    except ValueError as exc:
        raise PackError(f"pack file invalid at adequate_countries: {exc}") from exc

    return RulePack(
        name=spec.pack,
        version=spec.version,
        title_en=spec.title.en,
        title_ko=spec.title.ko,
        rules=rules,
        grounds=grounds,
        domestic_consent=spec.consent_kinds.domestic,
        cross_border_consent=spec.consent_kinds.cross_border,
        consent_only_purposes=dict(spec.consent_only_purposes),
        entrusted_roles=frozenset(spec.entrusted_roles),
        recognised_certifications=frozenset(spec.recognised_certifications),
        adequate_countries=adequate,
        prohibited_items=frozenset(spec.prohibited_items),
        purposes=purposes,
        item_labels=dict(spec.labels.items),
        purpose_labels=dict(spec.labels.purposes),
        role_labels=dict(spec.labels.roles),
        reason_texts={
            code: (known_rule(t.rule, f"reasons.{code}"), t.en, t.ko)
            for code, t in spec.reasons.items()
        },
        request_texts={
            code: (t.request_en, t.request_ko)
            for code, t in spec.reasons.items()
            if t.request_en is not None and t.request_ko is not None
        },
    )


PackName = Literal["pipa"]
PACKS: tuple[str, ...] = ("pipa",)


def load_pack(name: str = "pipa") -> RulePack:
    """Load a pack shipped with databorder by name; unknown names are errors."""
    if name not in PACKS:
        raise PackError(f"unknown rule pack {name!r}; available: {list(PACKS)}")
    text = resources.files("databorder.policy.packs").joinpath(f"{name}.json").read_text("utf-8")
    return compile_pack(json.loads(text))


def load_pack_file(path: str) -> RulePack:
    """Load a pack a privacy officer edited, from a file path."""
    with open(path, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise PackError(f"pack file {path} is not JSON: {exc}") from exc
    return compile_pack(data)
