"""Bearer secrets: one module issues, hashes and checks every kind (auth/tokens.py)."""

import re

import pytest
from sqlalchemy import select

from databorder.auth.models import OfficerSession, ServiceKey
from databorder.auth.services import Officers, ServiceKeys
from databorder.auth.tokens import (
    API_KEY_PREFIX,
    GRANT_TOKEN_PREFIX,
    RECIPIENT_CREDENTIALS,
    SERVICE_KEY_PREFIX,
    SESSION_PREFIX,
    SHOWN_CHARS,
    hash_secret,
    new_secret,
    presented,
)
from databorder.errors import Unauthorized
from databorder.registry.models import RecipientApiKey
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from factories import T0, add_recipient

PREFIXES = (SERVICE_KEY_PREFIX, SESSION_PREFIX, API_KEY_PREFIX, GRANT_TOKEN_PREFIX)
PASSWORD = "correct horse battery 7"


def test_a_secret_is_kept_as_its_hex_sha256() -> None:
    # Pinned: every stored key and grant was hashed so; a change would lock every holder out.
    expected = "c87cd578fb0b3014dac9a23b4c00fa2ad86701adea836b729b8e2f519915e8c6"
    assert hash_secret("dbs_example") == expected


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_new_secret_names_its_kind_and_carries_256_random_bits(prefix: str) -> None:
    first, second = new_secret(prefix), new_secret(prefix)
    assert first != second
    assert re.fullmatch(re.escape(prefix) + r"[A-Za-z0-9_-]{43}", first)  # 32 bytes, base64url


def test_every_kind_has_its_own_prefix() -> None:
    assert len(set(PREFIXES)) == len(PREFIXES)


def test_a_missing_credential_is_refused_naming_what_the_route_takes() -> None:
    with pytest.raises(Unauthorized, match=r"Bearer <service key or session>"):
        presented(None)
    with pytest.raises(Unauthorized, match=r"Bearer <recipient API key>"):
        presented("", RECIPIENT_CREDENTIALS)
    assert presented("dbk_x", RECIPIENT_CREDENTIALS) == "dbk_x"


def test_service_keys_sessions_and_api_keys_are_stored_by_the_one_hash(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s)
        service_key = ServiceKeys(s).issue("marketplace", ["platform"], T0)
        api_key = RegistryService(s).issue_api_key("s-cn-1", T0)
        Officers(s).add("cpo.kim", PASSWORD, ["officer"], T0)
        session_token, _ = Officers(s).login("cpo.kim", PASSWORD, T0)
    assert service_key.startswith(SERVICE_KEY_PREFIX)
    assert api_key.startswith(API_KEY_PREFIX)
    assert session_token.startswith(SESSION_PREFIX)
    with runtime.sessions() as s:
        stored_key = s.scalars(select(ServiceKey)).one()
        stored_api_key = s.scalars(select(RecipientApiKey)).one()
        stored_session = s.scalars(select(OfficerSession)).one()
    assert (stored_key.key_hash, stored_key.prefix) == (
        hash_secret(service_key),
        service_key[:SHOWN_CHARS],
    )
    assert (stored_api_key.key_hash, stored_api_key.prefix) == (
        hash_secret(api_key),
        api_key[:SHOWN_CHARS],
    )
    assert stored_session.token_hash == hash_secret(session_token)
