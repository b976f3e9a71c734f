"""Imports every module that defines tables, so Alembic and checks see the whole schema."""

from databorder.api import idempotency_models
from databorder.audit import models as audit_models
from databorder.auth import models as auth_models
from databorder.consent import models as consent_models
from databorder.dlp import models as dlp_models
from databorder.gateway import models as gateway_models
from databorder.ledger import models as ledger_models
from databorder.marketplace import models as marketplace_models
from databorder.registry import models as registry_models
from databorder.rights import models as rights_models
from databorder.vault import models as vault_models

__all__ = [
    "audit_models",
    "auth_models",
    "consent_models",
    "dlp_models",
    "gateway_models",
    "idempotency_models",
    "ledger_models",
    "marketplace_models",
    "registry_models",
    "rights_models",
    "vault_models",
]
