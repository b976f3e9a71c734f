"""The engine over JSON: self-contained decision requests in, decisions out (contracts/decision.md).

One function for every adapter that decides JSON (POST /v1/decisions, `databorder decide`),
and the models that describe its answer for the OpenAPI document. The answer itself is made
by `policy.codec.decision_to_json`, not by these models: a batch of thousands of decisions is
answered without validating each one again; a test holds the two to the same shape.
"""

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from databorder.errors import InvalidInput
from databorder.model import Basis, DataItem, Disposition, Ground, ReasonCode
from databorder.policy.codec import DecisionRequestIn, decision_to_json
from databorder.policy.engine import Engine
from databorder.policy.types import Decision

_ONE = TypeAdapter(DecisionRequestIn)
_MANY = TypeAdapter(list[DecisionRequestIn])


def decide_json(
    engine: Engine, payload: object, observe: Callable[[Decision], None] | None = None
) -> dict[str, Any] | list[dict[str, Any]]:
    """One request object in, one decision out; an array in, an array out.

    Raises InvalidInput naming every field that is wrong, or a request for a rule pack this
    engine does not run. `observe` sees each decision made (the API counts them).
    """
    try:
        if isinstance(payload, list):
            requests = [r.to_request() for r in _MANY.validate_python(payload)]
        else:
            requests = [_ONE.validate_python(payload).to_request()]
    except ValidationError as exc:
        raise InvalidInput.from_pydantic(exc) from exc
    for index, request in enumerate(requests):
        if request.pack != engine.pack.name:
            field = f"{index}.pack" if isinstance(payload, list) else "pack"
            raise InvalidInput.one(
                field, f"unknown rule pack {request.pack!r}; this service runs {engine.pack.name!r}"
            )
    made = engine.decide_many(requests)
    if observe is not None:
        for decision in made:
            observe(decision)
    decisions = [decision_to_json(d) for d in made]
    return decisions if isinstance(payload, list) else decisions[0]


class BasisOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    basis: Basis
    ground: Ground
    article: str
    consent_id: str | None = Field(default=None, description="Present when a consent grounds it")
    mandate_id: str | None = Field(default=None, description="Present when a mandate grounds it")


class ReasonOut(BaseModel):
    """A reason, with one wording per language the pack speaks (the PIPA pack: `ko`, `en`)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str] = Field(init=False)

    code: ReasonCode
    item: DataItem | None = Field(description="The item it concerns; null for the whole request")
    en: str


class DecisionOut(BaseModel):
    """The contract's decision object, plus `rule` (the pack rule that settled it)."""

    model_config = ConfigDict(extra="forbid")

    allowed: bool
    cross_border: bool
    ground: Ground | None
    article: str | None
    bases: list[BasisOut]
    items: dict[DataItem, Disposition]
    access_expires_after_delivery_days: int | None
    reasons: list[ReasonOut]
    rule: str
