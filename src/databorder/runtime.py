"""The composition root: builds every service from the settings, once, for the CLI and the API.

It is the only place that knows which concrete key provider, relay pool and log the
services get, and which clock they read; it fails closed: missing key files stop it before
anything is served. Besides `build`, it holds the few set-up steps that run without a whole
runtime (creating and rotating key files, migrating the schema, the policy engine alone for
`databorder decide`), so no adapter constructs a service or touches a key file itself.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine as DbEngine
from sqlalchemy.orm import Session, sessionmaker

from databorder.audit.params import params_from_pack
from databorder.auth.services import Lockout, SignIn
from databorder.gateway.seller import SellerAccess
from databorder.gateway.services import Gateway
from databorder.ledger.log import StoredLog
from databorder.ledger.signing import HeadSigner, ensure_signing_key, load_signing_key
from databorder.ledger.witnessing import WitnessEndpoint, Witnessing, http_post
from databorder.model import utcnow
from databorder.notices.publish import NoticePublisher
from databorder.notices.types import Controller
from databorder.policy import Engine, load_pack
from databorder.rights import Dispatcher, HttpWebhooks, RetryPolicy, mail_transport
from databorder.settings import Settings
from databorder.store.db import make_engine, make_read_sessionmaker, make_sessionmaker
from databorder.vault.crypto import KEY_BYTES
from databorder.vault.keys import LocalKeyFile, read_secret_file, write_secret_file
from databorder.vault.relay import RelayPool
from databorder.vault.service import Vault

if TYPE_CHECKING:
    from databorder.audit.service import AuditRuns

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class KeyRing:
    """The key files, read once: the vault's master keys, the blind-index key, the log's key."""

    master: LocalKeyFile
    blind_index: bytes = field(repr=False)
    signing: Ed25519PrivateKey = field(repr=False)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: DbEngine
    sessions: sessionmaker[Session]
    # For work that only reads (credential checks, GET routes, /metrics, a login's lookup): on
    # SQLite these never queue behind writers, and they cannot write (store/db.py).
    reads: sessionmaker[Session]
    engine: Engine
    vault: Vault
    gateway: Gateway
    seller: SellerAccess
    log: StoredLog
    signer: HeadSigner
    publisher: NoticePublisher
    # Delivers rights tasks to recipients (Standard Webhooks or bilingual email). Its webhook
    # signatures read wall time, not `clock`: receivers check them within minutes of now.
    rights_dispatcher: Dispatcher
    # Officers' sign-in: scrypt outside any transaction, lockouts kept in the database.
    sign_in: SignIn
    # Audit runs and their evidence packs (audit/service.py), kept in settings.audit_dir.
    audits: "AuditRuns"
    witnessing: Witnessing
    keys: KeyRing = field(repr=False)
    # The one clock: the adapters read it through `now()`, and the log and the head signer were
    # built with it. `dataclasses.replace(rt, clock=...)` moves only what the adapters read;
    # `build(settings, clock)` moves all of it.
    clock: Clock

    def now(self) -> datetime:
        return self.clock()


def load_keys(settings: Settings) -> KeyRing:
    """Raises KeyFileError naming the file if a key is missing, malformed or not private."""
    return KeyRing(
        master=LocalKeyFile(settings.master_key_path),
        blind_index=read_secret_file(settings.blind_index_key_path, KEY_BYTES),
        signing=load_signing_key(settings.log_signing_key_path),
    )


def policy_engine(settings: Settings) -> Engine:
    """The decision engine over the configured rule pack; needs no keys and no database."""
    return Engine(load_pack(settings.pack))


def build(settings: Settings, clock: Clock = utcnow) -> Runtime:
    """Raises KeyFileError if a key is missing or not private: no key, no service."""
    keys = load_keys(settings)
    relay = RelayPool()
    db = make_engine(settings.database_url)
    engine = policy_engine(settings)
    vault = Vault(keys.master, keys.blind_index)
    log = StoredLog(clock)
    controller = Controller(
        name=settings.controller_name,
        officer_name=settings.officer_name,
        officer_email=settings.officer_email,
        officer_phone=settings.officer_phone,
        privacy_center_url=settings.privacy_center_url,
        base_url=settings.public_base_url,
    )
    from databorder.audit.service import AuditRuns  # noqa: PLC0415 (DuckDB, Jinja: not at import)

    sessions, reads = make_sessionmaker(db), make_read_sessionmaker(db)
    signer = HeadSigner(keys.signing, log, clock, origin=settings.log_origin)
    lockout = Lockout(
        max_failures=settings.login_max_failures,
        period=timedelta(seconds=settings.login_lockout_seconds),
    )
    return Runtime(
        settings=settings,
        db=db,
        sessions=sessions,
        reads=reads,
        engine=engine,
        vault=vault,
        gateway=Gateway(engine, log, settings.pre_delivery_cap_days, relay),
        seller=SellerAccess(vault, relay, log),
        log=log,
        signer=signer,
        publisher=NoticePublisher(engine.pack, controller),
        rights_dispatcher=rights_dispatcher(settings),
        sign_in=SignIn(reads, sessions, lockout),
        audits=AuditRuns(
            db,
            sessions,
            reads,
            signer,
            keys.signing,
            params_from_pack(engine.pack),
            settings.audit_dir,
            clock,
        ),
        witnessing=Witnessing(
            signer,
            sessions,
            [WitnessEndpoint.parse(spec) for spec in settings.witnesses],
            http_post(settings.witness_timeout_seconds),
        ),
        keys=keys,
        clock=clock,
    )


def rights_dispatcher(settings: Settings) -> Dispatcher:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return Dispatcher(
        HttpWebhooks(settings.rights_webhook_timeout_seconds),
        mail_transport(
            settings.mail_dir,
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_username,
            password,
            settings.smtp_starttls,
        ),
        mail_from=settings.officer_email,
        retry=RetryPolicy(max_attempts=settings.rights_max_attempts),
        api_base_url=settings.public_base_url,
    )


def migrate(settings: Settings) -> None:
    """Bring the database to the latest schema (Alembic); needs no keys."""
    # Imported here: Alembic is only needed to migrate, not by every command and worker.
    from databorder.store.migrate import upgrade  # noqa: PLC0415

    db = make_engine(settings.database_url)
    try:
        upgrade(db)
    finally:
        db.dispose()


def init_keys(settings: Settings) -> list[Path]:
    """Create whichever key files are missing (never overwrite); returns those created."""
    created = []
    if not settings.master_key_path.exists():
        LocalKeyFile.create(settings.master_key_path)
        created.append(settings.master_key_path)
    if not settings.blind_index_key_path.exists():
        write_secret_file(settings.blind_index_key_path, os.urandom(KEY_BYTES))
        created.append(settings.blind_index_key_path)
    if ensure_signing_key(settings.log_signing_key_path):
        created.append(settings.log_signing_key_path)
    # The privacy center's keys (buyer hand-over tokens, session cookies). Imported here: the
    # web layer imports the runtime, not the other way round.
    from databorder.web.buyer_session import ensure_keys  # noqa: PLC0415

    created.extend(ensure_keys(settings.key_dir))
    return created


def rotate_master_key(settings: Settings, purge: bool = True) -> tuple[int, list[str]]:
    """Make a new vault master key and re-wrap every buyer's data key under it.

    Returns how many data keys moved and which retired keys were deleted (none unless `purge`).
    The old key stays beside the new one until every data key is re-wrapped, so a crash part
    way leaves data readable and the command can simply run again.
    """
    LocalKeyFile(settings.master_key_path).rotate()
    rt = build(settings)  # reloads the key ring: the new key current, the old one retired
    try:
        with rt.sessions.begin() as session:
            moved = rt.vault.rewrap_all(session)
    finally:
        rt.db.dispose()
    return moved, rt.keys.master.purge_retired() if purge else []
