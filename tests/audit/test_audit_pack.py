"""Audit runs and their evidence packs, on SQLite and PostgreSQL: what a regulator receives.

Each test runs the real service (`rt.audits`) on the audit tests' small world, then opens the
archive the way an outsider would (tarfile, hashlib, cryptography; `openssl` for the
signature) and checks what it says, and what it refuses once altered.
"""

import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from audit_world import AS_OF, Clean
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from databorder.audit import service
from databorder.audit.exposure import Sales
from databorder.audit.pack import verify_pack
from databorder.audit.params import params_from_pack
from databorder.audit.service import AuditRuns
from databorder.audit.types import Window
from databorder.errors import Conflict, NotFound
from databorder.ledger.merkle import leaf_hash, verify_inclusion
from databorder.ledger.signing import SignedHead, key_id, verify_head
from databorder.runtime import Runtime
from factories import T0


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    """Packs are made from the live database only (an export holds no proofs)."""
    return str(request.param)


def at(rt: Runtime, instant: datetime = AS_OF) -> AuditRuns:
    """The runtime's audit runs, judged at `instant` (the world is dated T0)."""
    return AuditRuns(
        rt.db,
        rt.sessions,
        rt.reads,
        rt.signer,
        rt.keys.signing,
        params_from_pack(rt.engine.pack),
        rt.settings.audit_dir,
        lambda: instant,
    )


def members(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive)), mode="r:") as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
        }


def repack(files: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue())


def test_a_clean_world_packs_a_report_that_checks_out_by_hand(clean: Clean, tmp_path: Path) -> None:
    runs = at(clean.rt)
    run = runs.run("officer-kim", Window())
    assert run.findings == 0
    assert run.clean
    assert sum(run.by_check.values()) == 0
    assert len(run.by_check) == 22
    path = runs.pack_path(run.id)
    archive = path.read_bytes()
    assert hashlib.sha256(archive).hexdigest() == run.pack_sha256
    assert path.stat().st_mode & 0o777 == 0o600
    files = members(archive)
    assert {
        "README.txt",
        "SHA256SUMS",
        "manifest.json",
        "manifest.sig",
        "public-key.pem",
        "tree-head.json",
        "findings.json",
        "findings.csv",
        "proofs.json",
        "record-of-processing.csv",
        "record-of-processing.json",
        "report.ko.html",
        "report.en.html",
        "history.json",
    } == set(files)
    # The manifest lists every other file with its SHA-256, and the log's key signed it.
    manifest = json.loads(files["manifest.json"])
    listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json", "manifest.sig"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest
    public = load_pem_public_key(files["public-key.pem"])
    public.verify(files["manifest.sig"], files["manifest.json"])  # type: ignore[union-attr,call-arg]
    assert manifest["key_id"] == key_id(clean.rt.signer.public_key)
    head = SignedHead.from_json(json.loads(files["tree-head.json"]))
    assert verify_head(head, clean.rt.signer.public_key)
    with clean.rt.reads() as session:
        assert head.tree_size == run.tree_size == clean.rt.log.size(session)
    # The same checks with the tools a regulator has: sha256sum and openssl.
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    sums = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], check=False, cwd=tmp_path, capture_output=True, text=True
    )
    assert sums.returncode == 0, sums.stdout + sums.stderr
    signature = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "public-key.pem", "-rawin",
         "-in", "manifest.json", "-sigfile", "manifest.sig"],
        check=False, cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert signature.returncode == 0, signature.stdout + signature.stderr
    assert "Signature Verified Successfully" in signature.stdout
    check = verify_pack(archive, clean.rt.signer.public_key)
    assert check.ok, check.problems
    # The record of processing names both sellers as the notice in force does, with counts.
    record = {r["recipient_id"]: r for r in json.loads(files["record-of-processing.json"])}
    assert record["s-cn-1"]["disclosures"] == 1
    assert record["s-cn-1"]["refused"] == 1
    assert record["s-cn-1"]["subjects"] == 1
    assert record["s-cn-1"]["notice_version"]
    assert record["s-cn-1"]["country"] == "CN"
    assert record["s-cn-2"]["disclosures"] == 1
    # Korean first, English beside it, from the catalogue.
    assert "개인정보 처리 준법 감사" in files["report.ko.html"].decode()
    assert "어떤 점검에서도 발견 사항이 없습니다." in files["report.ko.html"].decode()
    assert "No check found anything." in files["report.en.html"].decode()


def test_a_finding_carries_a_proof_of_its_leaf_and_the_exposure(clean: Clean) -> None:
    clean.sql(
        "UPDATE consents SET withdrawn_at = :at WHERE id = 'c-1'", at=T0 + timedelta(minutes=1)
    )
    runs = at(clean.rt)
    sales = Sales((300_000_000_000, 200_000_000_000, 100_000_000_000), 50_000_000_000)
    run = runs.run("officer-kim", Window(), sales)
    assert run.by_check["A17-consent-not-held"] >= 1
    assert run.exposure is not None
    assert run.exposure["ceiling"] == 4_500_000_000
    assert run.exposure["subjects"] == 1  # b-1, whose consent was withdrawn
    files = members(runs.pack_path(run.id).read_bytes())
    proofs = json.loads(files["proofs.json"])
    by_index = {leaf["leaf_index"]: leaf for leaf in proofs["leaves"]}
    assert clean.leaf in by_index
    leaf = by_index[clean.leaf]
    data = leaf["leaf_data"].encode()
    assert json.loads(data)["id"] == clean.disclosure
    assert verify_inclusion(
        leaf_hash(data),
        clean.leaf,
        proofs["tree_size"],
        [bytes.fromhex(h) for h in leaf["hashes"]],
        bytes.fromhex(proofs["root_hash"]),
    )
    assert leaf["verified"] is True
    exposure = json.loads(files["exposure.json"])
    assert [s["won"] for s in exposure["steps"]] == [
        600_000_000_000,
        200_000_000_000,
        150_000_000_000,
        4_500_000_000,
    ]
    assert "150,000,000,000 × 3% = 4,500,000,000" in files["report.en.html"].decode()
    assert "과징금 상한" in files["report.ko.html"].decode()
    assert "A17-consent-not-held" in files["findings.csv"].decode()
    assert verify_pack(runs.pack_path(run.id).read_bytes(), clean.rt.signer.public_key).ok


def test_a_rewritten_leaf_is_packed_with_the_reason_it_no_longer_proves(clean: Clean) -> None:
    clean.sql(
        'UPDATE log_leaves SET data = :data WHERE "index" = :index',
        data=b'{"type":"disclosure","id":"rewritten"}',
        index=clean.leaf,
    )
    runs = at(clean.rt)
    run = runs.run("officer-kim", Window())
    assert run.by_check["LOG-tree"] >= 1
    archive = runs.pack_path(run.id).read_bytes()
    proofs = json.loads(members(archive)["proofs.json"])
    leaf = next(x for x in proofs["leaves"] if x["leaf_index"] == clean.leaf)
    assert leaf["verified"] is False
    assert "root" in leaf["problem"]
    check = verify_pack(archive, clean.rt.signer.public_key)
    assert check.ok, check.problems  # the pack is intact: it says what the log cannot prove
    assert clean.leaf in check.unproved


def test_an_altered_pack_is_refused_naming_what_changed(clean: Clean) -> None:
    runs = at(clean.rt)
    run = runs.run("officer-kim", Window())
    archive = runs.pack_path(run.id).read_bytes()
    files = members(archive)
    key = clean.rt.signer.public_key

    edited = dict(files, **{"findings.csv": files["findings.csv"] + b"x\n"})
    assert (
        "findings.csv: its SHA-256 differs from the manifest's"
        in verify_pack(repack(edited), key).problems
    )
    extra = dict(files, **{"note.txt": b"trust me"})
    assert (
        "note.txt: in the archive but not in the manifest"
        in verify_pack(repack(extra), key).problems
    )
    missing = {n: c for n, c in files.items() if n != "proofs.json"}
    assert any("proofs.json" in p for p in verify_pack(repack(missing), key).problems)
    stranger = Ed25519PrivateKey.generate().public_key()
    problems = verify_pack(archive, stranger).problems
    assert any("not the trusted key" in p for p in problems)
    assert any("signature does not verify" in p for p in problems)
    # A manifest re-signed by someone else with their key inside: intact, but not the log's.
    assert not verify_pack(b"not a pack", key).ok
    assert verify_pack(archive, key).ok


def test_a_pack_swapped_on_disk_is_not_served(clean: Clean) -> None:
    runs = at(clean.rt)
    run = runs.run("officer-kim", Window())
    path = runs.pack_path(run.id)
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(Conflict):
        runs.pack_path(run.id)
    path.unlink()
    with pytest.raises(NotFound):
        runs.pack_path(run.id)
    with pytest.raises(NotFound):
        runs.get("aud-nope")


def test_runs_are_listed_newest_first_with_their_window(clean: Clean) -> None:
    first = at(clean.rt, AS_OF).run("officer-kim", Window())
    window = Window(T0, T0 + timedelta(hours=1))
    second = at(clean.rt, AS_OF + timedelta(minutes=1)).run("officer-lee", window)
    runs = at(clean.rt).recent()
    assert [r.id for r in runs] == [second.id, first.id]
    assert runs[0].window == window
    assert runs[0].requested_by == "officer-lee"
    assert at(clean.rt).findings(second.id)["window"]["from"] == T0.isoformat()
    history = json.loads(members(at(clean.rt).pack_path(second.id).read_bytes())["history.json"])
    assert [h["id"] for h in history] == [first.id]


def test_a_run_that_cannot_be_recorded_leaves_the_earlier_pack_alone(
    clean: Clean, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = at(clean.rt)
    first = runs.run("officer-kim", Window())
    kept = runs.pack_path(first.id).read_bytes()
    monkeypatch.setattr(service, "_run_id", lambda _at: first.id)
    with pytest.raises(FileExistsError):
        runs.run("officer-kim", Window())
    assert [p.name for p in runs.directory.iterdir()] == [f"{first.id}.tar.gz"]
    assert runs.pack_path(first.id).read_bytes() == kept
    assert [r.id for r in runs.recent()] == [first.id]
