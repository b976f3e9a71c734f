"""Two gateway workers disclosing at once: every disclosure gets its own leaf, the log verifies."""

import threading
from datetime import timedelta

from sqlalchemy import select

from databorder.gateway.models import Disclosure
from databorder.gateway.types import DisclosureAsk
from databorder.ledger.verify import verify_log
from databorder.model import DataItem, Purpose
from databorder.runtime import Runtime, build
from factories import T0

ROUNDS = 30


def test_two_workers_never_share_a_leaf_index(world: Runtime) -> None:
    # Each worker is a runtime of its own (its own engine and connection pool), like a process.
    workers = [build(world.settings) for _ in range(2)]
    ask = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME, DataItem.ADDRESS))
    errors: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def work(rt: Runtime) -> None:
        try:
            start.wait()
            for n in range(ROUNDS):
                with rt.sessions.begin() as session:
                    rt.gateway.disclose_many(session, [(ask, T0 + timedelta(minutes=n + 1))] * 2)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(rt,)) for rt in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for rt in workers:
        rt.db.dispose()
    assert errors == []
    with world.sessions.begin() as session:
        indexes = sorted(session.scalars(select(Disclosure.leaf_index)))
        assert indexes == list(range(2 * ROUNDS * 2))
        world.signer.sign(session)
        result = verify_log(session, world.signer.public_key, world.log)
    assert result.first_bad_index is None, result.explain()
