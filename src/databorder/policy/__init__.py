"""The policy engine: rule packs as data, and a pure decision function over them."""

from databorder.policy.engine import Engine, decide
from databorder.policy.pack import (
    PACKS,
    PackError,
    PackRegistry,
    RulePack,
    compile_pack,
    load_pack,
    load_pack_file,
)
from databorder.policy.protocol import Pack
from databorder.policy.types import (
    BasisUsed,
    ConsentFacts,
    Contact,
    Decision,
    DecisionRequest,
    Reason,
    RecipientFacts,
    SubjectFacts,
    SuspensionOrder,
)

__all__ = [
    "PACKS",
    "BasisUsed",
    "ConsentFacts",
    "Contact",
    "Decision",
    "DecisionRequest",
    "Engine",
    "Pack",
    "PackError",
    "PackRegistry",
    "Reason",
    "RecipientFacts",
    "RulePack",
    "SubjectFacts",
    "SuspensionOrder",
    "compile_pack",
    "decide",
    "load_pack",
    "load_pack_file",
]
