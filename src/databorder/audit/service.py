"""Audit runs: run the checks on the live database, pack the evidence, keep the run.

The adapter behind `databorder audit run --pack`, `POST /v1/audit/runs` and the officer's
console. A run:
1. takes the log's current signed head (signing one if the latest does not cover the log), the
   head every proof in the pack is against;
2. runs every check in one read snapshot (`sources.snapshot`), and in the same snapshot reads
   the record of processing (the notice in force, the registry, counts per recipient) and the
   buyers the findings concern;
3. proves every leaf a finding cites against the head, in one batch of node reads (a leaf the
   log no longer proves is kept with the reason: that is evidence too);
4. renders the report in Korean and English, builds the signed archive (`audit/pack.py`),
   writes it to `settings.audit_dir` (owner-only, written to a temporary name and renamed), and
   records the run with the archive's SHA-256. The row is written after the file: a row never
   names a pack that is not there, and a pack whose row failed is removed.
"""

import contextlib
import gzip
import hashlib
import io
import json
import os
import secrets
import tarfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, and_, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from databorder.audit.exposure import Exposure, Sales, exposure
from databorder.audit.models import AuditRun
from databorder.audit.pack import CitedLeaf, PackInput, RecordRow, build_pack, prove
from databorder.audit.params import AuditParams
from databorder.audit.run import run_audit
from databorder.audit.sources import LiveSource, snapshot
from databorder.audit.types import AuditReport, Severity, Window
from databorder.consent.models import NoticeRecipient
from databorder.errors import Conflict, NotFound
from databorder.gateway.models import AccessGrant, Disclosure, SellerRead
from databorder.ledger.log import StoredLog
from databorder.ledger.models import LogLeaf
from databorder.ledger.signing import HeadSigner, SignedHead
from databorder.notices.store import notice_in_force
from databorder.registry.models import Recipient
from databorder.rights.models import RightsRequest

# Rows per IN (...) list: below every engine's bound-parameter limit.
_CHUNK = 5_000
# How many earlier runs the report's trend shows.
HISTORY = 12


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One audit run as the officer lists it; the findings themselves are in its pack."""

    id: str
    requested_by: str
    started_at: datetime
    finished_at: datetime
    as_of: datetime
    window: Window
    engine: str
    pack_version: str
    tree_size: int
    root_hash: str
    findings: int
    by_severity: dict[str, int]
    by_check: dict[str, int]
    exposure: dict[str, Any] | None
    pack_sha256: str
    pack_bytes: int

    @property
    def clean(self) -> bool:
        return self.findings == 0

    @classmethod
    def from_row(cls, row: AuditRun) -> "RunSummary":
        return cls(
            id=row.id,
            requested_by=row.requested_by,
            started_at=row.started_at,
            finished_at=row.finished_at,
            as_of=row.as_of,
            window=Window(row.window_start, row.window_end),
            engine=row.engine,
            pack_version=row.pack_version,
            tree_size=row.tree_size,
            root_hash=row.root_hash,
            findings=row.findings,
            by_severity={str(k): int(v) for k, v in row.by_severity.items()},
            by_check={str(k): int(v) for k, v in row.by_check.items()},
            exposure=row.exposure,
            pack_sha256=row.pack_sha256,
            pack_bytes=row.pack_bytes,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "requested_by": self.requested_by,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "as_of": self.as_of.isoformat(),
            "window": self.window.to_json(),
            "engine": self.engine,
            "pack_version": self.pack_version,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "findings": self.findings,
            "clean": self.clean,
            "by_severity": self.by_severity,
            "by_check": self.by_check,
            "exposure": self.exposure,
            "pack": {"sha256": self.pack_sha256, "bytes": self.pack_bytes},
        }


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def subjects(session: Session, report: AuditReport) -> int:
    """The distinct buyers the findings concern (for Art. 64-2's "number of subjects")."""
    wanted: dict[str, set[str]] = {}
    for f in report.findings:
        for ref in f.records:
            wanted.setdefault(ref.kind, set()).add(ref.id)
    sources: dict[str, tuple[Any, Any]] = {
        "disclosure": (Disclosure.subject_id, Disclosure.id),
        "access_grant": (AccessGrant.subject_id, AccessGrant.id),
        "rights_request": (RightsRequest.subject_id, RightsRequest.id),
    }
    buyers: set[str] = set()
    for kind, (subject, ident) in sources.items():
        for chunk in _chunks(sorted(wanted.get(kind, ()))):
            buyers.update(session.scalars(select(subject).where(ident.in_(chunk))))
    for chunk in _chunks(sorted(wanted.get("seller_read", ()))):
        buyers.update(
            session.scalars(
                select(AccessGrant.subject_id)
                .join(
                    SellerRead,
                    and_(
                        SellerRead.grant_id == AccessGrant.id,
                        SellerRead.recipient_id == AccessGrant.recipient_id,
                    ),
                )
                .where(SellerRead.id.in_(chunk))
            )
        )
    return len(buyers)


def processing_record(session: Session, window: Window, as_of: datetime) -> list[RecordRow]:
    """Per recipient: the notice's columns (as the version in force names it) and the counts.

    Every recipient the notice in force at the window's end names, and every recipient that
    received data in the window whether named or not (its `notice_version` is then empty:
    the gap the findings of Art. 28-8(2) describe).
    """
    end = window.end or as_of
    version = notice_in_force(session, end)
    allowed = Disclosure.allowed.is_(True)
    conditions = [Disclosure.decided_at < end]
    if window.start is not None:
        conditions.append(Disclosure.decided_at >= window.start)
    counts = {
        row.recipient_id: row
        for row in session.execute(
            select(
                Disclosure.recipient_id,
                func.sum(case((allowed, 1), else_=0)).label("disclosures"),
                func.sum(case((allowed, 0), else_=1)).label("refused"),
                func.count(func.distinct(case((allowed, Disclosure.subject_id)))).label("subjects"),
                func.min(case((allowed, Disclosure.decided_at))).label("first"),
                func.max(case((allowed, Disclosure.decided_at))).label("last"),
            )
            .where(*conditions)
            .group_by(Disclosure.recipient_id)
        )
    }
    named = (
        {
            n.recipient_id: n
            for n in session.scalars(
                select(NoticeRecipient).where(NoticeRecipient.version == version)
            )
        }
        if version
        else {}
    )
    ids = sorted(set(named) | set(counts))
    registry = {
        r.id: r
        for chunk in _chunks(ids)
        for r in session.scalars(select(Recipient).where(Recipient.id.in_(chunk)))
    }
    rows = []
    for rid in ids:
        notice, entry, count = named.get(rid), registry.get(rid), counts.get(rid)
        if notice is None and entry is None:
            continue
        rows.append(
            RecordRow(
                recipient_id=rid,
                legal_name=notice.name if notice else entry.legal_name if entry else "",
                role=(notice.role if notice else entry.role if entry else "").__str__(),
                country=notice.country if notice else entry.country if entry else "",
                data_countries=tuple(
                    notice.data_countries if notice else entry.data_countries if entry else ()
                ),
                privacy_email=notice.email if notice else entry.privacy_email if entry else "",
                privacy_phone=(notice.phone if notice else entry.privacy_phone if entry else "")
                or "",
                purposes=tuple(notice.purposes if notice else entry.purposes if entry else ()),
                items=tuple(notice.items) if notice else (),
                retention_days=notice.retention_days
                if notice
                else entry.retention_days
                if entry
                else 0,
                ground=str(notice.ground) if notice else "",
                article=notice.article if notice else "",
                contract_safeguards=bool(entry and entry.contract_safeguards),
                domestic_agent=(entry.domestic_agent_name or "") if entry else "",
                notice_version=version if notice and version else "",
                disclosures=int(count.disclosures) if count else 0,
                refused=int(count.refused) if count else 0,
                subjects=int(count.subjects) if count else 0,
                first=count.first if count else None,
                last=count.last if count else None,
            )
        )
    rows.sort(key=lambda r: (r.legal_name.casefold(), r.recipient_id))
    return rows


def cited_leaves(
    session: Session, log: StoredLog, head: SignedHead, indexes: Iterable[int]
) -> list[CitedLeaf]:
    """Each cited leaf's bytes and its proof against `head`: one batch, then leaf by leaf
    if the batch meets a damaged log (a missing node is then that leaf's problem only)."""
    wanted = sorted(set(indexes))
    data: dict[int, bytes] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = session.execute(select(LogLeaf.index, LogLeaf.data).where(LogLeaf.index.in_(chunk)))
        data.update((int(index), bytes(leaf)) for index, leaf in rows)
    inside = [i for i in wanted if i in data and i < head.tree_size]
    try:
        proofs = log.inclusion_proofs(session, inside, head.tree_size)
    except LookupError:
        proofs = {}
        for index in inside:
            with contextlib.suppress(LookupError):
                proofs[index] = log.inclusion_proof(session, index, head.tree_size)
    leaves = []
    for index in wanted:
        leaf = prove(index, data.get(index), proofs.get(index, ()), head)
        if index in data and index < head.tree_size and index not in proofs:
            leaf = CitedLeaf(index, data[index], (), "the log lacks a node on this leaf's path")
        leaves.append(leaf)
    return leaves


def _run_id(at: datetime) -> str:
    return f"aud-{at.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}"


def _write_private(path: Path, content: bytes) -> None:
    """Write `content` to `path`, owner-only, whole or not at all; never over an existing file
    (os.link refuses to replace: a pack once written is not overwritten by another run)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class AuditRuns:
    def __init__(
        self,
        db: Engine,
        sessions: sessionmaker[Session],
        reads: sessionmaker[Session],
        signer: HeadSigner,
        signing_key: Ed25519PrivateKey,
        params: AuditParams,
        directory: Path,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._sessions = sessions
        self._reads = reads
        self._signer = signer
        self._key = signing_key
        self._params = params
        self._directory = directory
        self._clock = clock

    @property
    def directory(self) -> Path:
        return self._directory

    def _head(self) -> SignedHead:
        with self._sessions.begin() as session:
            return self._signer.current(session)

    def _history(self) -> list[dict[str, Any]]:
        with self._reads() as session:
            rows = session.scalars(
                select(AuditRun).order_by(AuditRun.started_at.desc()).limit(HISTORY)
            ).all()
        return [
            {
                "id": r.id,
                "started_at": r.started_at.isoformat(),
                "findings": r.findings,
                "by_severity": r.by_severity,
            }
            for r in reversed(rows)
        ]

    def run(self, requested_by: str, window: Window, sales: Sales | None = None) -> RunSummary:
        """Run every check, pack the evidence, keep the run (see the module's docstring)."""
        return self.run_with_report(requested_by, window, sales)[0]

    def run_with_report(
        self, requested_by: str, window: Window, sales: Sales | None = None
    ) -> tuple[RunSummary, AuditReport]:
        """`run`, also returning the report (the CLI prints it and writes --json/--csv)."""
        started = self._clock()
        head = self._head()
        log = self._signer.log
        with snapshot(self._db) as connection:
            report, record, concerned = self._audit(connection, log, window, started)
        cited = {i for f in report.findings for i in f.leaf_indexes}
        if cited and max(cited) >= head.tree_size:
            head = self._head()  # the snapshot saw leaves appended after the head was signed
        with self._reads() as session:
            leaves = cited_leaves(session, log, head, cited)
        owed: Exposure | None = (
            exposure(sales, subjects=concerned, findings=len(report.findings)) if sales else None
        )
        from databorder.audit.html import render_report  # noqa: PLC0415 (Jinja, only when run)

        history = self._history()
        run_id = _run_id(started)
        html = {
            lang: render_report(lang, run_id, report, head, leaves, record, owed, history)
            for lang in ("ko", "en")
        }
        pack = build_pack(
            PackInput(
                run_id, started, report, head, leaves, record, owed, html, {"history.json": history}
            ),
            self._key,
        )
        name = f"{run_id}.tar.gz"
        path = self._directory / name
        _write_private(path, pack.archive)
        by_severity = {s.value: 0 for s in Severity}
        for result in report.results:
            by_severity[result.check.severity.value] += result.count
        row = AuditRun(
            id=run_id,
            requested_by=requested_by,
            started_at=started,
            finished_at=self._clock(),
            as_of=report.as_of,
            window_start=window.start,
            window_end=window.end,
            engine=report.engine,
            pack_version=report.pack_version,
            tree_size=head.tree_size,
            root_hash=head.root_hash.hex(),
            findings=len(report.findings),
            by_severity=by_severity,
            by_check={r.check.id: r.count for r in report.results},
            exposure=owed.to_json() if owed else None,
            pack_file=name,
            pack_sha256=pack.sha256,
            pack_bytes=len(pack.archive),
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
                session.flush()
                summary = RunSummary.from_row(row)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return summary, report

    def _audit(
        self, connection: Connection, log: StoredLog, window: Window, as_of: datetime
    ) -> tuple[AuditReport, list[RecordRow], int]:
        with LiveSource(connection, self._signer.public_key, log) as live:
            report = run_audit(live, self._params, as_of, window)
        session = Session(bind=connection)
        try:
            return report, processing_record(session, window, as_of), subjects(session, report)
        finally:
            session.close()

    def recent(self, limit: int = 50) -> list[RunSummary]:
        with self._reads() as session:
            rows = session.scalars(
                select(AuditRun)
                .order_by(AuditRun.started_at.desc(), AuditRun.id.desc())
                .limit(limit)
            ).all()
            return [RunSummary.from_row(r) for r in rows]

    def _row(self, run_id: str) -> AuditRun:
        with self._reads() as session:
            row = session.get(AuditRun, run_id)
            if row is None:
                raise NotFound("audit run", run_id)
            session.expunge(row)
            return row

    def get(self, run_id: str) -> RunSummary:
        return RunSummary.from_row(self._row(run_id))

    def pack_path(self, run_id: str) -> Path:
        """The run's archive, checked against the SHA-256 recorded when it was made."""
        row = self._row(run_id)
        path = self._directory / row.pack_file
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise NotFound("audit pack", run_id) from None
        if hashlib.sha256(content).hexdigest() != row.pack_sha256:
            raise Conflict(
                f"the pack of {run_id} on disk does not match the SHA-256 recorded for it"
            )
        return path

    def findings(self, run_id: str) -> dict[str, Any]:
        """The run's report with every finding (findings.json from its checked pack)."""
        archive = self.pack_path(run_id).read_bytes()
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive)), mode="r:") as tar:
            member = tar.extractfile("findings.json")
            if member is None:
                raise NotFound("audit findings", run_id)
            value: dict[str, Any] = json.loads(member.read())
            return value
