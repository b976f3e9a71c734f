"""Group commit: concurrent submissions share transactions, and each keeps its own answer."""

import asyncio
import threading
from collections.abc import Sequence

import pytest

from databorder.api.batching import GroupCommit


class Ledger:
    """A stand-in transaction log: a group either commits whole or raises and commits nothing."""

    def __init__(self) -> None:
        self.committed: list[int] = []
        self.groups: list[list[int]] = []
        self.gate = threading.Event()
        self.gate.set()

    def work(self, items: Sequence[int]) -> list[int | Exception]:
        self.gate.wait(5)
        if 13 in items:  # a poisoned item breaks the whole transaction it is in
            raise RuntimeError("constraint failed")
        answers: list[int | Exception] = [
            ValueError(f"odd {i}") if i % 2 else i * 10 for i in items
        ]
        self.groups.append(list(items))
        self.committed.extend(i for i in items if i % 2 == 0)
        return answers


async def _submit_all(committer: GroupCommit[int, int], items: range) -> list[object]:
    async def one(i: int) -> object:
        try:
            return await committer.submit(i)
        except Exception as exc:  # the test inspects whatever came back
            return exc

    return list(await asyncio.gather(*(one(i) for i in items)))


def test_concurrent_requests_share_transactions_and_keep_their_answers() -> None:
    ledger = Ledger()

    async def scenario() -> list[object]:
        committer = GroupCommit(ledger.work)
        ledger.gate.clear()  # hold the first transaction so the rest queue behind it
        first = asyncio.ensure_future(_submit_all(committer, range(0, 2, 2)))
        await asyncio.sleep(0.02)
        rest = asyncio.ensure_future(_submit_all(committer, range(2, 40, 2)))
        await asyncio.sleep(0.02)
        ledger.gate.set()
        answers = await first + await rest
        await committer.close()
        assert (committer.batches, committer.items) == (2, 20)
        return answers

    answers = asyncio.run(scenario())
    assert answers == [i * 10 for i in range(0, 40, 2)]
    assert len(ledger.groups) == 2  # the first request alone, then the 19 that queued behind it
    assert ledger.groups[0] == [0]
    assert ledger.groups[1] == list(range(2, 40, 2))


def test_an_item_error_answers_that_request_only() -> None:
    ledger = Ledger()

    async def scenario() -> list[object]:
        committer = GroupCommit(ledger.work)
        answers = await _submit_all(committer, range(6))
        await committer.close()
        return answers

    answers = asyncio.run(scenario())
    assert [a for a in answers if not isinstance(a, Exception)] == [0, 20, 40]
    assert [str(a) for a in answers if isinstance(a, Exception)] == ["odd 1", "odd 3", "odd 5"]


def test_a_request_that_breaks_the_transaction_fails_alone() -> None:
    ledger = Ledger()

    async def scenario() -> list[object]:
        committer = GroupCommit(ledger.work)
        ledger.gate.clear()
        tasks = asyncio.ensure_future(_submit_all(committer, range(10, 20)))
        await asyncio.sleep(0.05)
        ledger.gate.set()
        answers = await tasks
        await committer.close()
        return answers

    answers = asyncio.run(scenario())
    broken = answers[3]
    assert isinstance(broken, RuntimeError)
    assert str(broken) == "constraint failed"
    assert [a for a in answers if isinstance(a, int)] == [100, 120, 140, 160, 180]
    # The group holding 13 committed nothing; its other items were retried one by one.
    assert sorted(ledger.committed) == [10, 12, 14, 16, 18]


def test_a_wrong_number_of_answers_fails_the_group_instead_of_hanging() -> None:
    async def scenario() -> None:
        committer: GroupCommit[int, int] = GroupCommit(lambda items: [1])
        answers = await _submit_all(committer, range(3))
        assert [str(a) for a in answers] == ["work answered 1 results for 3 items"] * 3
        await committer.close()

    asyncio.run(asyncio.wait_for(scenario(), 5))


def test_close_finishes_what_was_submitted() -> None:
    ledger = Ledger()

    async def scenario() -> None:
        committer = GroupCommit(ledger.work)
        ledger.gate.clear()
        pending = [asyncio.ensure_future(committer.submit(i)) for i in (2, 4, 6)]
        await asyncio.sleep(0.01)
        threading.Timer(0.05, ledger.gate.set).start()
        await committer.close()
        assert all(p.done() for p in pending)
        assert [p.result() for p in pending] == [20, 40, 60]

    asyncio.run(scenario())
    assert ledger.committed == [2, 4, 6]


@pytest.mark.parametrize("limit", [1, 3])
def test_groups_never_exceed_the_limit(limit: int) -> None:
    ledger = Ledger()

    async def scenario() -> None:
        committer = GroupCommit(ledger.work, limit=limit)
        ledger.gate.clear()
        tasks = asyncio.ensure_future(_submit_all(committer, range(0, 20, 2)))
        await asyncio.sleep(0.02)
        ledger.gate.set()
        await tasks
        await committer.close()

    asyncio.run(scenario())
    assert max(len(g) for g in ledger.groups) <= limit
    assert sorted(ledger.committed) == list(range(0, 20, 2))
