"""A disclosure's outcome as JSON: one shape for every adapter that reports one.

The answer of POST /v1/disclosures and of `databorder disclose`. `outcome_to_json` makes it
(the HTTP route sends it without validating it again: disclosures are the hot path);
`DisclosureOut` describes it for the OpenAPI document, and a test holds the two together.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from databorder.gateway.types import DisclosureOutcome
from databorder.policy.codec import decision_to_json
from databorder.policy.json_api import DecisionOut


def outcome_to_json(outcome: DisclosureOutcome, tree_size: int) -> dict[str, Any]:
    """`tree_size`: the log's size once the outcome was recorded (its leaf lies within it)."""
    return {
        "disclosure_id": outcome.disclosure_id,
        "decision": decision_to_json(outcome.decision),
        "grant": (
            {
                "id": outcome.grant_id,
                "token": outcome.grant_token,
                "expires_at": outcome.expires_at.isoformat() if outcome.expires_at else None,
            }
            if outcome.grant_id
            else None
        ),
        "log": {"leaf_index": outcome.leaf_index, "tree_size": tree_size},
    }


class GrantOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    token: str | None = Field(description="Shown once: the recipient presents it to read the data")
    expires_at: datetime | None


class LogPositionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    leaf_index: int | None = Field(description="The disclosure record's leaf in the log")
    tree_size: int = Field(description="The log's size once it was recorded")


class DisclosureOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disclosure_id: str
    decision: DecisionOut
    grant: GrantOut | None = Field(description="The access grant; null when refused")
    log: LogPositionOut
