"""The log's side of witnessing (C2SP `tlog-witness`): every new checkpoint goes to each witness.

Each configured witness gets the latest signed head as a checkpoint with a consistency proof
from the size it last cosigned (as far as this log knows; a 409 tells the witness's own size,
and the request is made again from there). What comes back:

- 200: the witness's cosignature lines, checked against its vkey, stored with the size and root
  they cover (`log_cosignatures`) and served with the checkpoint from then on;
- 409 with a size above the log's: the witness has seen a longer log than the one this
  database holds. That is a **rollback** of this log, and the loudest alarm there is;
- 422: the witness holds another history for the same sizes: a **fork** alarm, as loud;
- 403 or 404: the witness does not follow this log or trusts another key (configuration);
- no answer, or one that is not the protocol's: the witness is unreachable this time.

HTTP is a seam (`Post`): the service uses `httpx2`; tests use real witnesses on loopback. The
requests are made outside any database transaction, since a witness may be slow.
"""

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import httpx2
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from databorder.ledger.models import LogCosignature, LogHead
from databorder.ledger.note import (
    Note,
    NoteError,
    NoteSignature,
    SignatureType,
    Verifier,
    parse_signature_lines,
    parse_vkey,
    verify_note,
)
from databorder.ledger.signing import HeadSigner, SignedHead, UnsignedHeadError
from databorder.witness.protocol import SIZE_CONTENT_TYPE, AddCheckpoint, format_add_checkpoint

__all__ = [
    "Alarm",
    "Submission",
    "WitnessEndpoint",
    "Witnessing",
    "cosigned_checkpoint",
    "http_post",
]

LOGGER = logging.getLogger("databorder.witnessing")

# (url, body) -> (status, content type, body); raises OSError (or httpx2's errors) when the
# witness cannot be reached.
Post = Callable[[str, bytes], tuple[int, str, bytes]]


class Alarm(StrEnum):
    ROLLBACK = "rollback"
    FORK = "fork"
    TAMPERED = "tampered"  # the stored head does not verify under the log's own key
    CONFIGURATION = "configuration"
    UNREACHABLE = "unreachable"


_LOUD = {Alarm.ROLLBACK, Alarm.FORK, Alarm.TAMPERED}
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


@dataclass(frozen=True, slots=True)
class WitnessEndpoint:
    """Where a witness listens (its submission prefix) and its cosignature key."""

    url: str
    verifier: Verifier

    @classmethod
    def parse(cls, spec: str) -> "WitnessEndpoint":
        """`<url> <vkey>`, as `DATABORDER_WITNESSES` lists them; NoteError if malformed."""
        parts = spec.split()
        if len(parts) != 2 or not parts[0].startswith(("http://", "https://")):
            raise NoteError(f"a witness is '<http(s) url> <vkey>', got {spec[:80]!r}")
        verifier = parse_vkey(parts[1])
        if verifier.kind is not SignatureType.COSIGNATURE_V1:
            raise NoteError(f"witness {verifier.name}: its vkey must be a cosignature key (0x04)")
        return cls(parts[0].rstrip("/"), verifier)


@dataclass(frozen=True, slots=True)
class Submission:
    """What one witness made of one checkpoint."""

    witness: str
    tree_size: int
    cosigned: bool
    alarm: Alarm | None = None
    detail: str = ""


def http_post(timeout: float) -> Post:
    """One request, one connection: a round is a request per witness a minute, and nothing is
    left open between rounds (or when the runtime goes away)."""

    def post(url: str, body: bytes) -> tuple[int, str, bytes]:
        answer = httpx2.post(
            url, content=body, headers={"Content-Type": "text/plain"}, timeout=timeout
        )
        return answer.status_code, answer.headers.get("content-type", ""), answer.content

    return post


def cosignatures(session: Session, tree_size: int, root: bytes) -> list[NoteSignature]:
    rows = session.scalars(
        select(LogCosignature)
        .where(LogCosignature.tree_size == tree_size)
        .where(LogCosignature.root_hash == root)
        .order_by(LogCosignature.witness, LogCosignature.key_id)
    )
    return [NoteSignature(row.witness, row.key_id, row.signature) for row in rows]


def cosigned_checkpoint(session: Session, signer: HeadSigner, head: SignedHead) -> Note:
    """The head's checkpoint with every stored cosignature of exactly that tree."""
    return signer.checkpoint_of(head).with_signatures(
        cosignatures(session, head.tree_size, head.root_hash)
    )


def covering_checkpoint(
    session: Session, signer: HeadSigner, index: int
) -> tuple[SignedHead, Note]:
    """The best checkpoint to prove leaf `index` against: the largest witnessed tree that holds
    it (so a client's witness policy can pass), else the log's latest head; with that head."""
    head = largest_cosigned(session, index + 1)
    if head is None:
        head = signer.latest(session)
        if head is None or head.tree_size <= index:
            head = signer.current(session)
    return head, cosigned_checkpoint(session, signer, head)


def largest_cosigned(session: Session, at_least: int = 0) -> SignedHead | None:
    """The largest signed head of at least `at_least` leaves that a witness cosigned (its stored
    head, whose signature `checkpoint_of` checks before signing its checkpoint)."""
    row = session.scalars(
        select(LogHead)
        .join(
            LogCosignature,
            (LogCosignature.tree_size == LogHead.tree_size)
            & (LogCosignature.root_hash == LogHead.root_hash),
        )
        .where(LogHead.tree_size >= at_least)
        .order_by(LogHead.tree_size.desc(), LogHead.id.desc())
        .limit(1)
    ).first()
    return None if row is None else SignedHead.from_row(row)


class Witnessing:
    def __init__(
        self,
        signer: HeadSigner,
        sessions: sessionmaker[Session],
        witnesses: Sequence[WitnessEndpoint],
        post: Post,
    ) -> None:
        self._signer = signer
        self._sessions = sessions
        self._witnesses = tuple(witnesses)
        self._post = post

    @property
    def witnesses(self) -> tuple[WitnessEndpoint, ...]:
        return self._witnesses

    def submit(self) -> list[Submission]:
        """Offer the latest signed head to every witness; one outcome each."""
        if not self._witnesses:
            return []
        with self._sessions.begin() as session:
            head = self._signer.current(session)
        try:  # signed once for the round: every witness is offered the same note
            note = self._signer.checkpoint_of(head)
        except UnsignedHeadError as error:
            results = [
                Submission(w.verifier.name, head.tree_size, False, Alarm.TAMPERED, str(error))
                for w in self._witnesses
            ]
        else:
            results = [self._guarded(witness, head, note) for witness in self._witnesses]
        for result in results:
            if result.alarm is not None:
                level = logging.CRITICAL if result.alarm in _LOUD else logging.ERROR
                LOGGER.log(
                    level,
                    "witness %s, checkpoint %d: %s alarm: %s",
                    result.witness,
                    result.tree_size,
                    result.alarm,
                    result.detail,
                )
        return results

    def _guarded(self, witness: WitnessEndpoint, head: SignedHead, note: Note) -> Submission:
        """One witness's round; whatever goes wrong with it, the others are still asked."""
        try:
            return self._submit(witness, head, note)
        except Exception as error:  # one witness's trouble (a bad answer) is an alarm, not a stop
            detail = f"{type(error).__name__}: {error}"
            return Submission(
                witness.verifier.name, head.tree_size, False, Alarm.UNREACHABLE, detail
            )

    def _last_cosigned(self, witness: Verifier) -> int:
        with self._sessions.begin() as session:
            size = session.scalar(
                select(func.max(LogCosignature.tree_size))
                .where(LogCosignature.witness == witness.name)
                .where(LogCosignature.key_id == witness.key_id)
            )
        return int(size or 0)

    def _request(self, old: int, head: SignedHead, note: Note) -> bytes:
        with self._sessions.begin() as session:  # empty from 0 and between equal sizes
            proof = self._signer.log.consistency_proof(session, old, head.tree_size)
        return format_add_checkpoint(AddCheckpoint(old, tuple(proof), note.encode()))

    def _submit(self, witness: WitnessEndpoint, head: SignedHead, note: Note) -> Submission:
        name, size = witness.verifier.name, head.tree_size

        def alarm(kind: Alarm, detail: str) -> Submission:
            return Submission(name, size, cosigned=False, alarm=kind, detail=detail)

        cosigned = old = self._last_cosigned(witness.verifier)
        for _ in range(3):
            if old > size:
                return alarm(
                    Alarm.ROLLBACK,
                    f"the witness cosigned size {old}, the log now holds {size} leaves",
                )
            try:
                status, content_type, body = self._post(
                    witness.url + "/add-checkpoint", self._request(old, head, note)
                )
            except (OSError, httpx2.HTTPError) as error:
                return alarm(Alarm.UNREACHABLE, f"{type(error).__name__}: {error}")
            text = body.decode("utf-8", "replace").strip()
            if status == 200:
                return self._store(witness, head, note.text, body)
            if status == 409 and content_type == SIZE_CONTENT_TYPE and _DECIMAL.fullmatch(text):
                old = int(text)
                if old < cosigned:  # it forgot what it cosigned (restored from a backup?)
                    return alarm(
                        Alarm.CONFIGURATION,
                        f"the witness says it saw {old} leaves; it cosigned {cosigned} for us",
                    )
                continue
            if status == 422:
                return alarm(Alarm.FORK, f"the witness refused the checkpoint: {text}")
            if status in (403, 404):
                return alarm(Alarm.CONFIGURATION, f"{status}: {text}")
            return alarm(Alarm.UNREACHABLE, f"unexpected answer {status}: {text[:200]}")
        return alarm(Alarm.UNREACHABLE, "the witness's size kept changing")

    def _store(
        self, witness: WitnessEndpoint, head: SignedHead, text: str, body: bytes
    ) -> Submission:
        name = witness.verifier.name
        try:
            lines = parse_signature_lines(body.decode("utf-8"))
            good = verify_note(Note(text, lines), [witness.verifier])
        except (NoteError, UnicodeDecodeError, ValueError) as error:
            return Submission(
                name, head.tree_size, False, Alarm.UNREACHABLE, f"bad cosignature: {error}"
            )
        with self._sessions.begin() as session:
            for signature in good:
                session.merge(
                    LogCosignature(
                        tree_size=head.tree_size,
                        witness=signature.name,
                        key_id=signature.key_id,
                        root_hash=head.root_hash,
                        signature=signature.signature,
                        cosigned_at=datetime.fromtimestamp(signature.timestamp, UTC),
                    )
                )
        return Submission(name, head.tree_size, cosigned=True)
