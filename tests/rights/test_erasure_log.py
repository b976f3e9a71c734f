"""An erased buyer's leaves stay in the log, prove the tree, and reveal nothing of the buyer."""

import json
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
            assert set(json.loads(leaf.data)) == {"type", "id", "commitment"}
            assert not any(word.encode() in leaf.data for word in NAMED)
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
            assert not any(word.encode() in data for word in NAMED)
            proof = [bytes.fromhex(h) for h in bundle["inclusion_proof"]["hashes"]]
            head = world.signer.latest(s)
            assert head is not None
            assert verify_inclusion(leaf_hash(data), index, head.tree_size, proof, head.root_hash)
        assert verify_log(s, world.signer.public_key, world.log).ok
