"""The policy engine: rule packs as data, and a pure decision function over them."""

from databorder.policy.engine import Engine, decide
from databorder.policy.pack import PackError, RulePack, compile_pack, load_pack, load_pack_file
from databorder.policy.types import (
    ConsentFacts,
    Contact,
    Decision,
    DecisionRequest,
    LegalMandate,
    Reason,
    RecipientFacts,
    SubjectFacts,
)

__all__ = [
    "ConsentFacts",
    "Contact",
    "Decision",
    "DecisionRequest",
    "Engine",
    "LegalMandate",
    "PackError",
    "Reason",
    "RecipientFacts",
    "RulePack",
    "SubjectFacts",
    "compile_pack",
    "decide",
    "load_pack",
    "load_pack_file",
]
