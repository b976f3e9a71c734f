"""The evidence pack: one archive a regulator can check came from the log it names. Pure.

An audit run's report alone is the operator's word. The pack carries what lets a reader
check it without trusting the operator's database: the signed tree head the audit ran
against, each cited leaf's bytes with its inclusion proof against that head, and a manifest
listing every file's SHA-256, signed with the log's Ed25519 key (the key that signs tree
heads; its id is in the manifest and at `GET /v1/log/key`). A manifest cannot be
mistaken for a tree head or the reverse: a head's signed bytes are canonical JSON of exactly
four fields, the manifest has others, so neither verifier accepts the other's bytes.

The archive is a gzip'd tar, deterministic (sorted names, the run's instant as every mtime,
no owners), so the same run packs to the same bytes. `verify_pack` is what
`databorder audit verify-pack` runs; a reader without databorder can do the same with
`tar`, `sha256sum -c SHA256SUMS` and `openssl pkeyutl -verify -rawin` (README.txt inside).
"""

import base64
import csv
import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

from databorder.audit.exposure import Exposure
from databorder.audit.report import findings_csv, report_json
from databorder.audit.types import AuditReport
from databorder.ledger.merkle import explain_inclusion, leaf_hash
from databorder.ledger.signing import SignedHead, explain_head, key_id

FORMAT = "databorder-audit-pack"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SUMS = "SHA256SUMS"
PUBLIC_KEY = "public-key.pem"
# A pack bigger than this is not one this code wrote (it also bounds what verify reads).
MAX_MEMBER_BYTES = 2 * 1024**3


@dataclass(frozen=True, slots=True)
class CitedLeaf:
    """A leaf a finding cites, as the log holds it now, and its proof against the pack's head."""

    index: int
    data: bytes | None  # None when the log no longer holds the leaf
    proof: tuple[bytes, ...]
    problem: str | None  # why the leaf cannot be proved against the head, or None

    def to_json(self) -> dict[str, Any]:
        return {
            "leaf_index": self.index,
            # The bytes proved, and the same as text to read (a tampered leaf may not be UTF-8).
            "leaf_base64": None if self.data is None else base64.b64encode(self.data).decode(),
            "leaf_data": None if self.data is None else self.data.decode("utf-8", "replace"),
            "leaf_hash": None if self.data is None else leaf_hash(self.data).hex(),
            "hashes": [h.hex() for h in self.proof],
            "verified": self.problem is None,
            "problem": self.problem,
        }


def prove(index: int, data: bytes | None, proof: Sequence[bytes], head: SignedHead) -> CitedLeaf:
    """A cited leaf with its proof checked against `head` now, so the pack states the outcome."""
    if data is None:
        return CitedLeaf(index, None, (), "the log holds no leaf at this index")
    if index >= head.tree_size:
        return CitedLeaf(index, data, (), f"the head covers {head.tree_size} leaves only")
    problem = explain_inclusion(leaf_hash(data), index, head.tree_size, proof, head.root_hash)
    return CitedLeaf(index, data, tuple(proof), problem)


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One recipient in the record of processing and transfers: the notice's columns, counted."""

    recipient_id: str
    legal_name: str
    role: str
    country: str
    data_countries: tuple[str, ...]
    privacy_email: str
    privacy_phone: str
    purposes: tuple[str, ...]
    items: tuple[str, ...]
    retention_days: int
    ground: str
    article: str
    contract_safeguards: bool
    domestic_agent: str
    notice_version: str  # the version in force that names it, or "" when none does
    disclosures: int  # allowed in the window
    refused: int
    subjects: int  # distinct buyers whose data it received in the window
    first: datetime | None
    last: datetime | None

    COLUMNS = (
        "recipient_id",
        "legal_name",
        "role",
        "country",
        "data_countries",
        "privacy_email",
        "privacy_phone",
        "purposes",
        "items",
        "retention_days",
        "ground",
        "article",
        "contract_safeguards",
        "domestic_agent",
        "notice_version",
        "disclosures",
        "refused",
        "subjects",
        "first",
        "last",
    )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.COLUMNS:
            value = getattr(self, name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, datetime):
                value = value.isoformat()
            out[name] = value
        return out


def record_csv(rows: Sequence[RecordRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RecordRow.COLUMNS)
    for row in rows:
        values = row.to_json()
        writer.writerow(
            " ".join(v) if isinstance(v, list) else "" if v is None else v
            for v in (values[c] for c in RecordRow.COLUMNS)
        )
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class PackInput:
    run_id: str
    created_at: datetime
    report: AuditReport
    head: SignedHead
    leaves: Sequence[CitedLeaf]
    record: Sequence[RecordRow]
    exposure: Exposure | None
    html: Mapping[str, str]  # language -> the report page
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. the history of earlier runs


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def _readme(run_id: str, kid: str) -> bytes:
    return f"""databorder audit evidence pack {run_id}
감사 증거 꾸러미 — 검증 방법 / how to check this pack

1. 각 파일의 SHA-256 / each file's SHA-256:
     sha256sum -c {SUMS}
   ({SUMS} itself is listed, with every other file, in {MANIFEST}.)
2. 목록의 서명 / the manifest's signature (Ed25519, key id {kid}):
     openssl pkeyutl -verify -pubin -inkey {PUBLIC_KEY} -rawin -in {MANIFEST} -sigfile {SIGNATURE}
   Compare the key with the one the operator publishes (GET /v1/log/key): a pack
   signed by another key proves nothing about this log.
3. The signed tree head (tree-head.json) verifies under the same key, and every leaf in
   proofs.json leads to its root (RFC 9162 inclusion proofs; "verified": false marks a leaf
   the log no longer proves, which the findings explain).
   databorder audit verify-pack PACK --key KEY.pem   does all three.
""".encode()


def _tar(files: Mapping[str, bytes], mtime: int) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mtime = mtime
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(files[name]))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=mtime)


@dataclass(frozen=True, slots=True)
class Pack:
    archive: bytes
    manifest: dict[str, Any]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.archive).hexdigest()


def build_pack(given: PackInput, key: Ed25519PrivateKey) -> Pack:
    """The archive for one run, its manifest signed with `key` (the log's)."""
    public = key.public_key()
    kid = key_id(public)
    if given.head.key_id != kid:
        raise ValueError(f"the head is signed by key {given.head.key_id}, the pack by {kid}")
    files: dict[str, bytes] = {
        "README.txt": _readme(given.run_id, kid),
        PUBLIC_KEY: _pem(public),
        "tree-head.json": _json(given.head.to_json()),
        "findings.json": report_json(given.report).encode(),
        "findings.csv": findings_csv(given.report).encode(),
        "proofs.json": _json(
            {
                "tree_size": given.head.tree_size,
                "root_hash": given.head.root_hash.hex(),
                "leaves": [leaf.to_json() for leaf in sorted(given.leaves, key=lambda x: x.index)],
            }
        ),
        "record-of-processing.json": _json([row.to_json() for row in given.record]),
        "record-of-processing.csv": record_csv(given.record).encode(),
    }
    if given.exposure is not None:
        files["exposure.json"] = _json(given.exposure.to_json())
    for lang, page in given.html.items():
        files[f"report.{lang}.html"] = page.encode()
    for name, value in given.extra.items():
        files[name] = _json(value)
    digests = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    files[SUMS] = "".join(f"{digests[n]}  {n}\n" for n in sorted(digests)).encode()
    digests[SUMS] = hashlib.sha256(files[SUMS]).hexdigest()
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "run": given.run_id,
        "created_at": given.created_at.isoformat(),
        "as_of": given.report.as_of.isoformat(),
        "window": given.report.window.to_json(),
        "engine": given.report.engine,
        "pack": given.report.pack,
        "pack_version": given.report.pack_version,
        "key_id": kid,
        "head": given.head.to_json(),
        "findings": len(given.report.findings),
        "files": [
            {"name": n, "sha256": digests[n], "bytes": len(files[n])} for n in sorted(digests)
        ],
    }
    files[MANIFEST] = _json(manifest)
    files[SIGNATURE] = key.sign(files[MANIFEST])
    return Pack(_tar(files, int(given.created_at.timestamp())), manifest)


@dataclass(frozen=True, slots=True)
class PackCheck:
    """What `verify_pack` found: the problems (none when the pack holds), and what it checked."""

    problems: tuple[str, ...]
    key_id: str | None
    files: int
    leaves: int
    unproved: tuple[int, ...]  # leaves the pack itself says the log no longer proves
    findings: int

    @property
    def ok(self) -> bool:
        return not self.problems


def _members(archive: bytes) -> dict[str, bytes]:
    try:
        raw = gzip.decompress(archive)
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            files: dict[str, bytes] = {}
            for info in tar.getmembers():
                if not info.isfile() or info.name.startswith("/") or ".." in info.name.split("/"):
                    raise ValueError(f"member {info.name!r} is not a plain file inside the pack")
                if info.name in files:
                    raise ValueError(f"member {info.name!r} appears twice")
                if info.size > MAX_MEMBER_BYTES:
                    raise ValueError(f"member {info.name!r} is larger than any pack member")
                handle = tar.extractfile(info)
                files[info.name] = handle.read() if handle else b""
            return files
    except (OSError, EOFError, tarfile.TarError) as exc:
        raise ValueError(f"not a gzip'd tar archive: {exc}") from exc


def _check_leaves(proofs: Mapping[str, Any], head: SignedHead) -> tuple[list[str], list[int], int]:
    problems: list[str] = []
    unproved: list[int] = []
    leaves = proofs.get("leaves", [])
    if proofs.get("tree_size") != head.tree_size or proofs.get("root_hash") != head.root_hash.hex():
        problems.append("proofs.json names another tree than tree-head.json")
    for leaf in leaves:
        index = int(leaf["leaf_index"])
        data = leaf["leaf_base64"]
        hashes = [bytes.fromhex(h) for h in leaf["hashes"]]
        computed = (
            "the log holds no leaf at this index"
            if data is None
            else prove(index, base64.b64decode(data, validate=True), hashes, head).problem
        )
        if (computed is None) != bool(leaf["verified"]):
            problems.append(
                f"leaf {index}: the pack says verified={leaf['verified']}, but "
                + ("it verifies" if computed is None else f"it does not: {computed}")
            )
        if computed is not None:
            unproved.append(index)
    return problems, unproved, len(leaves)


def verify_pack(archive: bytes, key: Ed25519PublicKey | None = None) -> PackCheck:
    """Check a pack: files against the manifest, the manifest's signature, the head, the proofs.

    `key` is the log's public key as the reader trusts it (e.g. fetched from the operator's
    `GET /v1/log/key`); without it the pack's own key is used, and only says the pack
    is intact, not whose it is.
    """
    try:
        files = _members(archive)
    except ValueError as exc:
        return PackCheck((str(exc),), None, 0, 0, (), 0)
    problems: list[str] = []
    try:
        manifest = json.loads(files[MANIFEST])
        signature = files[SIGNATURE]
        pem = load_pem_public_key(files[PUBLIC_KEY])
    except (KeyError, ValueError) as exc:
        return PackCheck((f"the pack lacks a readable {exc}",), None, len(files), 0, (), 0)
    if not isinstance(pem, Ed25519PublicKey):
        return PackCheck((f"{PUBLIC_KEY} is not an Ed25519 key",), None, len(files), 0, (), 0)
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        problems.append(f"{MANIFEST}: not a {FORMAT} version {FORMAT_VERSION} manifest")
    trusted = key or pem
    kid = key_id(trusted)
    if key is not None and key_id(pem) != kid:
        problems.append(f"the pack carries key {key_id(pem)}, not the trusted key {kid}")
    try:
        trusted.verify(signature, files[MANIFEST])
    except InvalidSignature:
        problems.append(f"{MANIFEST}: the signature does not verify under key {kid}")
    listed = {entry["name"]: entry for entry in manifest.get("files", [])}
    problems.extend(
        f"{name}: in the archive but not in the manifest"
        for name in sorted(set(files) - set(listed) - {MANIFEST, SIGNATURE})
    )
    for name, entry in sorted(listed.items()):
        if name not in files:
            problems.append(f"{name}: in the manifest but missing from the archive")
        elif hashlib.sha256(files[name]).hexdigest() != entry["sha256"]:
            problems.append(f"{name}: its SHA-256 differs from the manifest's")
    leaves, findings = 0, 0
    unproved: list[int] = []
    try:
        head = SignedHead.from_json(json.loads(files["tree-head.json"]))
        if head.to_json() != manifest.get("head"):
            problems.append("tree-head.json differs from the manifest's head")
        if why := explain_head(head, trusted):
            problems.append(f"tree-head.json: {why}")
        leaf_problems, unproved, leaves = _check_leaves(json.loads(files["proofs.json"]), head)
        problems += leaf_problems
        report = json.loads(files["findings.json"])
        findings = sum(len(c["findings"]) for c in report["checks"])
        proved = {int(x["leaf_index"]) for x in json.loads(files["proofs.json"])["leaves"]}
        cited = {i for c in report["checks"] for f in c["findings"] for i in f["leaf_indexes"]}
        for index in sorted(cited - proved)[:10]:
            problems.append(f"leaf {index} is cited by a finding but has no proof in the pack")
    except (KeyError, ValueError, TypeError) as exc:
        problems.append(f"the pack's head, proofs or findings are unreadable: {exc}")
    return PackCheck(tuple(problems), kid, len(files), leaves, tuple(unproved), findings)
