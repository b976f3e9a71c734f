"""Settings from the environment (prefix `DATABORDER_`), validated once at start.

Defaults suit the embedded demo; production sets the database URL and key directory
explicitly. Key files are never created implicitly by the service: `databorder init` makes them,
and a service that finds none refuses to start (fail closed).
"""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DATABORDER_", extra="ignore")

    database_url: str = Field(default="sqlite:///databorder.db", min_length=1)
    key_dir: Path = Path("keys")
    pack: str = "pipa"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Before delivery the delivery date is unknown; a grant still ends this long after the order.
    pre_delivery_cap_days: int = Field(default=60, ge=1, le=365)
    # Seller API: sustained reads per second per recipient, and the burst allowed above it.
    seller_rate_per_second: float = Field(default=50.0, gt=0)
    seller_rate_burst: int = Field(default=200, ge=1)
    # The retention sweeper runs inside the service this often (0: only `databorder sweep`).
    sweep_interval_seconds: float = Field(default=300.0, ge=0)
    # A signed tree head is published this often when the log has grown (0: on demand only).
    head_interval_seconds: float = Field(default=60.0, ge=0)
    # Most POST /v1/disclosures requests committed in one transaction (1: one each).
    group_commit_limit: int = Field(default=500, ge=1, le=5000)
    # The published notice: who the controller is and whom buyers ask (PIPA Art. 30, 31).
    controller_name: str = Field(default="databorder 데모 마켓", min_length=1)
    officer_name: str = Field(default="개인정보 보호책임자", min_length=1)
    officer_email: str = Field(default="privacy@example.com", min_length=3)
    officer_phone: str = Field(default="02-0000-0000", min_length=3)
    privacy_center_url: str = "/me"
    public_base_url: str = ""  # prefix of the /privacy pages in links ("" = same site)
    # Pending registry changes are published in a batch this often (the PIPC guideline allows
    # about four weeks for frequently changing lists); 0: only `databorder notices publish`.
    notice_batch_days: int = Field(default=28, ge=0, le=366)
    notice_check_interval_seconds: float = Field(default=3600.0, ge=0)
    # Rights requests (PIPA Art. 35-38): answered within this many days; the outbox dispatcher
    # sends recipients' tasks this often (0: only `databorder rights dispatch`), retrying with
    # backoff up to rights_max_attempts before a task is dead-lettered.
    rights_deadline_days: int = Field(default=10, ge=1, le=90)
    rights_dispatch_interval_seconds: float = Field(default=30.0, ge=0)
    rights_max_attempts: int = Field(default=12, ge=1, le=100)
    rights_webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Recipients without a webhook are told by email: SMTP when a host is set, else files in
    # mail_dir (the demo's .demo/mail).
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_dir: Path = Path("mail")
    # Evidence packs of audit runs (`databorder audit run`, POST /v1/audit/runs), one archive a
    # run; the database keeps each one's SHA-256.
    audit_dir: Path = Path("audit")
    # The log's name in its C2SP checkpoints and its note key's name (GET /v1/log/checkpoint):
    # a schema-less URL, unique to this log, with no spaces or "+".
    log_origin: str = Field(
        default="databorder.localhost/log", min_length=1, max_length=255, pattern=r"^[^\s+]+$"
    )
    # Witnesses the log submits each new checkpoint to, as "<url> <vkey>" (a JSON list in the
    # environment); their cosignatures are served with the checkpoint. Empty: no witnessing.
    witnesses: list[str] = Field(default_factory=list)
    witness_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # The privacy center's session cookie: Secure in production (HTTPS), off for loopback demos.
    session_cookie_secure: bool = False
    # Where the privacy center sends a buyer to sign in again (the marketplace's own page).
    marketplace_signin_url: str = ""
    # Hardening (docs/threat-model.md). An `at` given on the platform API (a disclosure, a
    # withdrawal) is accepted only this close to the server's clock; history comes in through
    # the officer's import, which never creates live grants.
    clock_skew_seconds: float = Field(default=300.0, ge=0, le=3600)
    # Request bodies above this are refused with 413 before they are read.
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Officer sign-in: failed attempts before an account is locked, for how long, and attempts
    # a minute from one address.
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lockout_seconds: float = Field(default=900.0, ge=1)
    login_attempts_per_minute: int = Field(default=10, ge=1)
    # /metrics answers callers on these networks, or presenting a key with the metrics scope.
    metrics_networks: list[str] = Field(default_factory=lambda: ["127.0.0.0/8", "::1/128"])
    # The OpenAPI document and its pages (/openapi.json, /docs, /redoc): off in production.
    api_docs: bool = True
    # How long an Idempotency-Key's first answer is kept for replay.
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    # FastAPI's native OpenTelemetry traces, metrics and logs (configure the OTel SDK as usual).
    opentelemetry: bool = False

    @property
    def master_key_path(self) -> Path:
        return self.key_dir / "vault-master.key"

    @property
    def blind_index_key_path(self) -> Path:
        return self.key_dir / "blind-index.key"

    @property
    def log_signing_key_path(self) -> Path:
        return self.key_dir / "log-signing.key"


def load_settings() -> Settings:
    return Settings()
