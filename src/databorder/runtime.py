"""The composition root: builds every service from the settings, once, for the CLI and the API.

It is the only place that knows which concrete key provider, relay pool and log the
services get, and it fails closed: missing key files stop it before anything is served.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine as DbEngine
from sqlalchemy.orm import Session, sessionmaker

from databorder.gateway.seller import SellerAccess
from databorder.gateway.services import Gateway
from databorder.ledger.log import StoredLog
from databorder.ledger.signing import HeadSigner, ensure_signing_key, load_signing_key
from databorder.model import utcnow
from databorder.notices.publish import NoticePublisher
from databorder.notices.types import Controller
from databorder.policy import Engine, load_pack
from databorder.settings import Settings
from databorder.store.db import make_engine, make_sessionmaker
from databorder.vault.crypto import KEY_BYTES
from databorder.vault.keys import LocalKeyFile, read_secret_file, write_secret_file
from databorder.vault.relay import RelayPool
from databorder.vault.service import Vault


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: DbEngine
    sessions: sessionmaker[Session]
    engine: Engine
    vault: Vault
    gateway: Gateway
    seller: SellerAccess
    log: StoredLog
    signer: HeadSigner
    publisher: NoticePublisher
    # The one clock the adapters read; tests move it instead of waiting for real time to pass.
    clock: Callable[[], datetime] = field(default=utcnow)

    def now(self) -> datetime:
        return self.clock()


def build(settings: Settings) -> Runtime:
    """Raises KeyFileError if a key is missing or not private: no key, no service."""
    provider = LocalKeyFile(settings.master_key_path)
    signing_key = load_signing_key(settings.log_signing_key_path)
    blind_key = read_secret_file(settings.blind_index_key_path, KEY_BYTES)
    relay = RelayPool()
    db = make_engine(settings.database_url)
    engine = Engine(load_pack(settings.pack))
    vault = Vault(provider, blind_key)
    log = StoredLog()
    controller = Controller(
        name=settings.controller_name,
        officer_name=settings.officer_name,
        officer_email=settings.officer_email,
        officer_phone=settings.officer_phone,
        privacy_center_url=settings.privacy_center_url,
        base_url=settings.public_base_url,
    )
    return Runtime(
        settings=settings,
        db=db,
        sessions=make_sessionmaker(db),
        engine=engine,
        vault=vault,
        gateway=Gateway(engine, log, settings.pre_delivery_cap_days, relay),
        seller=SellerAccess(vault, relay, log),
        log=log,
        signer=HeadSigner(signing_key, log),
        publisher=NoticePublisher(engine.pack, controller),
    )


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
    return created
