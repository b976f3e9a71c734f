"""An erased buyer's leaves stay in the log, prove the tree, and reveal nothing of the buyer."""

import json
import re
from datetime import timedelta

from rights_factories import AT, disclose
from sqlalchemy import func, select

from databorder.gateway.seller import ReadAsk
from databorder.ledger.merkle import leaf_hash, verify_inclusion
from databorder.ledger.models import LogLeaf, LogRecord
from databorder.ledger.private import explain_opening
from databorder.ledger.prove import prove_leaf
from databorder.ledger.verify import verify_log
from databorder.registry.models import Recipient
from databorder.rights import RightsRequests
from databorder.runtime import Runtime

LATER = AT + timedelta(hours=1)
# What the log must not say about the buyer once erased: who, which order, to whom, what.
NAMED = ("b-1", "o-1", "s-cn-1", "KR", "CN", "shipping", "name", "address")


def _names_nothing(data: bytes) -> bool:
    """Whether a leaf is just a type, an opaque event id and a hex commitment.

    The id (a UUID) and the commitment (SHA-256 hex) are random text, so searching the whole
    leaf for a short word such as "b-1" would fail now and then by chance ("...4c3b-1..."):
    their shapes are checked instead, and the words are looked for in what is left.
    """
    leaf = json.loads(data)
    assert set(leaf) == {"type", "id", "commitment"}
    assert re.fullmatch(r"[0-9a-f]{64}", leaf["commitment"])
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", leaf["id"])
    return not any(word in leaf["type"] for word in NAMED)


def _disclose_and_read(rt: Runtime) -> list[int]:
    outcome = disclose(rt, "o-1", "s-cn-1")
    assert outcome.grant_token is not None
    assert outcome.leaf_index is not None
    with rt.sessions.begin() as s:
        recipient = s.get(Recipient, "s-cn-1")
        assert recipient is not None
        [view] = rt.seller.read_many(s, [ReadAsk(recipient, "o-1", outcome.grant_token, LATER)])
        assert not isinstance(view, Exception), view
        read_leaf = s.scalar(select(func.max(LogLeaf.index)))
    assert read_leaf is not None
    return [outcome.leaf_index, read_leaf]


def test_a_leaf_commits_to_its_record_and_names_nothing_else(world: Runtime) -> None:
    [disclosed, read] = _disclose_and_read(world)
    with world.sessions() as s:
        for index in (disclosed, read):
            leaf = s.get(LogLeaf, index)
            kept = s.get(LogRecord, index)
            assert leaf is not None
            assert kept is not None
            assert _names_nothing(leaf.data)
            assert explain_opening(leaf.data, kept.record, kept.salt) is None
            assert b'"subject_id":"b-1"' in kept.record


def test_an_erased_buyers_leaves_prove_the_tree_and_keep_nothing_of_them(
    world: Runtime,
) -> None:
    leaves = _disclose_and_read(world)
    with world.sessions.begin() as s:
        RightsRequests(s, world.vault).erase("b-1", LATER + timedelta(minutes=5))
    with world.sessions.begin() as s:
        kept = s.scalars(select(LogRecord.leaf_index).where(LogRecord.leaf_index.in_(leaves)))
        assert list(kept) == []
        for index in leaves:
            bundle = prove_leaf(s, index, world.signer)
            assert (bundle["record"], bundle["salt"], bundle["opening"]) == (None, None, "erased")
            data = bundle["leaf_data"].encode()
            assert _names_nothing(data)
            proof = [bytes.fromhex(h) for h in bundle["inclusion_proof"]["hashes"]]
            head = world.signer.latest(s)
            assert head is not None
            assert verify_inclusion(leaf_hash(data), index, head.tree_size, proof, head.root_hash)
        assert verify_log(s, world.signer.public_key, world.log).ok
