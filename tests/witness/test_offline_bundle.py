"""A tlog-proof bundle checked offline with hashlib and cryptography alone, as docs/ledger.md
tells a buyer or a regulator to; and the same bundle through databorder's own verifier."""

import base64
import hashlib
import json
import struct

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from witness_factories import Running

from databorder.ledger.bundle import verify_bundle
from databorder.ledger.checkpoint import Policy
from databorder.ledger.note import NoteError, parse_vkey
from databorder.ledger.prove import tlog_proof
from databorder.runtime import Runtime

RECORD = {"type": "disclosure", "id": "d-7", "subject_id": "b-1", "purpose": "shipping"}


# --- the steps, with nothing of databorder -------------------------------------------------------


def _vkey(vkey: str) -> tuple[str, bytes, int, bytes]:
    name, key_id, key = vkey.split("+", 2)
    raw = base64.b64decode(key)
    return name, bytes.fromhex(key_id), raw[0], raw[1:]


def _included(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2."""
    fn, sn, r = index, size - 1, hashlib.sha256(b"\x00" + leaf).digest()
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def check_offline(bundle: str, log_vkey: str, witness_vkeys: list[str], quorum: int) -> dict:  # type: ignore[type-arg]
    head, _, note = bundle.partition("\n\n")
    lines = head.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    extra = json.loads(base64.b64decode(lines[1].removeprefix("extra ")))
    record, salt = extra["record"].encode(), base64.b64decode(extra["salt"])
    index = int(lines[2].removeprefix("index "))
    path = [base64.b64decode(line) for line in lines[3:]]
    # 1. the leaf the log appended for this record
    opened = json.loads(record)
    commitment = hashlib.sha256(salt + record).hexdigest()
    leaf = json.dumps(
        {"type": opened["type"], "id": opened["id"], "commitment": commitment},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    # 2. the checkpoint: text, then signature lines after the last blank line
    split = note.rfind("\n\n")
    text, signatures = note[: split + 1], note[split + 2 :].splitlines()
    origin, size, root = text.splitlines()[:3]
    name, key_id, kind, key = _vkey(log_vkey)
    assert (name, kind) == (origin, 1)
    assert hashlib.sha256(name.encode() + b"\n\x01" + key).digest()[:4] == key_id
    signed = [base64.b64decode(s.split(" ")[2]) for s in signatures if s.split(" ")[1] == name]
    log_signature = next(s for s in signed if s[:4] == key_id)
    Ed25519PublicKey.from_public_bytes(key).verify(log_signature[4:], text.encode())
    # 3. witnesses' cosignatures: time || signature over "cosignature/v1\ntime <t>\n" + text
    cosigned = 0  # witnesses, not lines: a repeated line is one witness
    for vkey in witness_vkeys:
        wname, wid, wkind, wkey = _vkey(vkey)
        assert wkind == 4
        assert hashlib.sha256(wname.encode() + b"\n\x04" + wkey).digest()[:4] == wid
        seen = False
        for line in signatures:
            _, lname, encoded = line.split(" ")
            raw = base64.b64decode(encoded)
            if lname == wname and raw[:4] == wid:
                (at,) = struct.unpack(">Q", raw[4:12])
                message = b"cosignature/v1\ntime %d\n" % at + text.encode()
                Ed25519PublicKey.from_public_bytes(wkey).verify(raw[12:], message)
                seen = True
        cosigned += seen
    assert cosigned >= quorum
    # 4. the inclusion proof binds the leaf to the checkpoint's root
    assert _included(leaf, index, int(size), path, base64.b64decode(root))
    return opened  # type: ignore[no-any-return]


# --- the tests -----------------------------------------------------------------------------------


def _bundle(rt: Runtime) -> str:
    with rt.sessions.begin() as session:
        rt.log.append_many(session, [b'{"type":"warm-up","id":"%d"}' % i for i in range(5)])
        [index] = rt.log.append_records(session, [RECORD])
        rt.log.append_records(session, [{**RECORD, "id": f"d-{n}"} for n in range(8, 30)])
    assert all(r.cosigned for r in rt.witnessing.submit())
    with rt.sessions.begin() as session:
        return tlog_proof(session, index, rt.signer)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_bundle_checks_offline_with_hashlib_and_cryptography_alone(
    witnessed: Runtime, witnesses: list[Running]
) -> None:
    bundle = _bundle(witnessed)
    vkeys = [w.vkey for w in witnesses]
    assert check_offline(bundle, witnessed.signer.verifier.vkey, vkeys, quorum=2) == RECORD
    policy = Policy(witnessed.signer.verifier, tuple(parse_vkey(v) for v in vkeys), 2, 600)
    proven = verify_bundle(bundle, policy, int(witnessed.now().timestamp()))
    assert (proven.record, proven.index) == (RECORD, 5)
    assert len(proven.trusted.cosignatures) == 2


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_changed_record_or_signature_fails_both_checks(
    witnessed: Runtime, witnesses: list[Running]
) -> None:
    bundle = _bundle(witnessed)
    lines = bundle.split("\n")
    extra = json.loads(base64.b64decode(lines[1].removeprefix("extra ")))
    extra["record"] = extra["record"].replace("shipping", "marketing")
    changed = "\n".join(
        [lines[0], "extra " + base64.b64encode(json.dumps(extra).encode()).decode(), *lines[2:]]
    )
    vkeys = [w.vkey for w in witnesses]
    with pytest.raises(AssertionError):
        check_offline(changed, witnessed.signer.verifier.vkey, vkeys, quorum=2)
    policy = Policy(witnessed.signer.verifier, tuple(parse_vkey(v) for v in vkeys), 2, 600)
    with pytest.raises(NoteError, match="inclusion proof"):
        verify_bundle(changed, policy, int(witnessed.now().timestamp()))
    proofs, _, note = bundle.partition("\n\n")
    origin, size, rest = note.split("\n", 2)
    forged = f"{proofs}\n\n{origin}\n{int(size) + 1}\n{rest}"  # the checkpoint's size
    with pytest.raises(InvalidSignature):
        check_offline(forged, witnessed.signer.verifier.vkey, vkeys, quorum=2)
    with pytest.raises(NoteError, match="does not verify"):
        verify_bundle(forged, policy, int(witnessed.now().timestamp()))
