"""A message to a recipient as the platform sends it (`POST /v1/messages`), and its answer."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from databorder.model.fields import Ident, Text

# Long enough for any chat line or support answer; a longer body is a document, not a message,
# and bounding it bounds the scan's cost per request.
MAX_MESSAGE_CHARS = 4000


class Sender(StrEnum):
    """On whose behalf the platform sends: the buyer themself or the marketplace's support desk."""

    BUYER = "buyer"
    SUPPORT = "support"


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: Ident
    recipient_id: Ident
    sender: Sender
    text: Text = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class MessageOut(BaseModel):
    """What was stored and what the recipient reads; `changed` counts replaced findings by type
    (a plain finding the recipient may read is left and not counted)."""

    id: str
    order_id: str
    recipient_id: str
    sender: Sender
    text: str
    changed: dict[str, int]
    found: int
