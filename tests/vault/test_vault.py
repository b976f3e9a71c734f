"""The vault: sealed per buyer and per item, never stored in the clear, unreadable once shredded."""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select, text

from databorder.errors import Gone, NotFound
from databorder.model import DataItem
from databorder.runtime import Runtime
from databorder.settings import Settings
from databorder.store.db import checkpoint
from databorder.vault.crypto import SealError
from databorder.vault.keys import KeyFileError, LocalKeyFile
from databorder.vault.models import BlindIndex, SealedItem
from databorder.vault.service import ShreddedError
from factories import T0, add_buyer

DISTINCT = {
    "name": "황보징검",
    "email": "zq.distinct.7731@example.kr",
    "address": "제주특별자치도 서귀포시 유일로 9876-5",
}


def _encodings(value: str) -> list[bytes]:
    return [
        value.encode(e)
        for e in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "euc-kr")
        if _encodable(value, e)
    ]


def _encodable(value: str, encoding: str) -> bool:
    try:
        value.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def test_values_round_trip_for_their_buyer(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_buyer(s, runtime)
    with runtime.sessions() as s:
        got = runtime.vault.get(s, "b-1", [DataItem.NAME, DataItem.PHONE, DataItem.BANK_ACCOUNT])
    assert got == {DataItem.NAME: "김민수", DataItem.PHONE: "+821023456789"}


def test_a_sealed_value_moved_to_another_slot_does_not_open(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_buyer(s, runtime)
        name = s.get(SealedItem, ("b-1", DataItem.NAME))
        address = s.get(SealedItem, ("b-1", DataItem.ADDRESS))
        assert name is not None
        assert address is not None
        address.sealed = name.sealed  # an attacker with write access swaps ciphertexts
    with runtime.sessions() as s, pytest.raises(SealError):
        runtime.vault.get(s, "b-1", [DataItem.ADDRESS])


def test_plaintext_never_reaches_the_database_file(runtime: Runtime, settings: Settings) -> None:
    with runtime.sessions.begin() as s:
        add_buyer(
            s,
            runtime,
            "b-x",
            pii={
                "name": DISTINCT["name"],
                "email": DISTINCT["email"],
                "address": DISTINCT["address"],
            },
        )
    checkpoint(runtime.db)
    db_path = Path(settings.database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    for value in DISTINCT.values():
        for encoded in _encodings(value):
            assert encoded not in raw, f"{value!r} found in the database file"


def test_shredding_makes_every_value_unreadable(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_buyer(s, runtime)
    with runtime.sessions.begin() as s:
        assert runtime.vault.shred(s, "b-1", T0) is True
        assert runtime.vault.shred(s, "b-1", T0) is False  # idempotent
    with runtime.sessions() as s, pytest.raises(ShreddedError) as shredded:
        runtime.vault.get(s, "b-1", [DataItem.NAME])
    assert isinstance(shredded.value, Gone)  # in the error tree: the API answers 410
    assert shredded.value.reason == "erased"
    assert shredded.value.message == "buyer 'b-1' was erased; their data key is destroyed"


def test_a_buyer_never_stored_is_not_found_not_a_crash(runtime: Runtime) -> None:
    with runtime.sessions() as s, pytest.raises(NotFound) as missing:
        runtime.vault.get(s, "b-nobody", [DataItem.NAME])
    assert missing.value.message == "vault entry of buyer 'b-nobody' not found"
    with runtime.sessions() as s, pytest.raises(NotFound):
        runtime.vault.open_text(s, "b-nobody", "order_items", b"sealed")


def test_key_file_is_owner_only_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "k" / "master.key"
    LocalKeyFile.create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        LocalKeyFile.create(path)
    path.chmod(0o640)
    with pytest.raises(KeyFileError, match="accessible to other users"):
        LocalKeyFile(path)


def test_master_key_rotation_loses_nothing(runtime: Runtime, settings: Settings) -> None:
    from databorder.runtime import build  # noqa: PLC0415
    from databorder.vault.models import SubjectKey  # noqa: PLC0415

    with runtime.sessions.begin() as s:
        for n in range(5):
            add_buyer(s, runtime, f"b-{n}")
    old = LocalKeyFile(settings.master_key_path)
    new = old.rotate()
    assert new.key_id != old.key_id
    assert new.retired_ids == [old.key_id]
    rotated = build(settings)
    with rotated.sessions.begin() as s:
        assert rotated.vault.get(s, "b-3", [DataItem.NAME]) == {DataItem.NAME: "김민수"}
        assert rotated.vault.rewrap_all(s, batch=2) == 5
        assert rotated.vault.rewrap_all(s) == 0
    assert new.purge_retired() == [old.key_id]
    final = build(settings)  # only the new key exists now
    with final.sessions() as s:
        ids = set(s.scalars(text("SELECT master_key_id FROM vault_keys")))
        assert ids == {new.key_id}
        for n in range(5):
            assert final.vault.get(s, f"b-{n}", [DataItem.NAME]) == {DataItem.NAME: "김민수"}
        assert s.get(SubjectKey, "b-0") is not None
    rotated.db.dispose()
    final.db.dispose()


def test_erased_buyer_leaves_no_key_or_value_in_the_raw_database_bytes(
    runtime: Runtime, settings: Settings
) -> None:
    from databorder.rights.services import RightsService  # noqa: PLC0415
    from databorder.vault.models import SubjectKey  # noqa: PLC0415

    with runtime.sessions.begin() as s:
        add_buyer(
            s,
            runtime,
            "b-x",
            pii={
                "name": DISTINCT["name"],
                "email": DISTINCT["email"],
                "address": DISTINCT["address"],
            },
        )
    with runtime.sessions() as s:
        key_row = s.get(SubjectKey, "b-x")
        assert key_row is not None
        assert key_row.wrapped_key is not None
        wrapped = key_row.wrapped_key
        sealed = [
            r.sealed for r in s.scalars(select(SealedItem).where(SealedItem.subject_id == "b-x"))
        ]
    assert len(sealed) == 3
    with runtime.sessions.begin() as s:
        RightsService(s, runtime.vault).erase("b-x", T0)
    checkpoint(runtime.db)
    db_path = Path(settings.database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert wrapped not in raw  # the key is gone, so every copy of the values is noise
    for blob in sealed:
        assert blob not in raw
    for value in DISTINCT.values():
        for encoded in _encodings(value):
            assert encoded not in raw


def test_blind_index_finds_a_buyer_by_exact_phone_or_email(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_buyer(s, runtime, "b-1")
        add_buyer(
            s,
            runtime,
            "b-2",
            pii={"name": "이서연", "phone": "010-9876-5432", "email": "Seoyeon@Example.kr"},
        )
    with runtime.sessions() as s:
        find = runtime.vault.find
        assert find(s, DataItem.PHONE, "010-2345-6789") == ["b-1"]
        assert find(s, DataItem.PHONE, "+82 10-2345-6789") == ["b-1"]
        assert find(s, DataItem.EMAIL, "seoyeon@example.kr") == ["b-2"]
        assert find(s, DataItem.PHONE, "010-1111-2222") == []
        digests = s.scalars(select(BlindIndex.digest)).all()
        with pytest.raises(ValueError, match="no blind index"):
            find(s, DataItem.NAME, "김민수")
    # The digest is keyed: without the key, hashing candidate phone numbers finds nothing.
    unkeyed = hashlib.sha256(b"+821023456789").digest()
    assert unkeyed not in digests
    assert all(b"821023456789" not in d for d in digests)
    with runtime.sessions.begin() as s:
        runtime.vault.shred(s, "b-1", T0)
    with runtime.sessions() as s:
        assert runtime.vault.find(s, DataItem.PHONE, "010-2345-6789") == []


def test_officer_lookup_route_takes_the_value_in_the_body(runtime: Runtime, client: object) -> None:
    with runtime.sessions.begin() as s:
        add_buyer(s, runtime, "b-1")
    answer = client.post(
        "/v1/buyers/lookup",  # type: ignore[attr-defined]
        json={"item": "phone", "value": "010-2345-6789"},
    )
    assert answer.status_code == 200
    assert answer.json() == {"buyer_ids": ["b-1"]}
    bad = client.post("/v1/buyers/lookup", json={"item": "name", "value": "김민수"})  # type: ignore[attr-defined]
    assert bad.status_code == 422
