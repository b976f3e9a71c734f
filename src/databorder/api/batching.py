"""Group commit: concurrent requests share one database transaction, each keeping its answer.

A disclosure costs a dozen statements and a commit; a thousand of them in one transaction
cost about as much as ten alone (see docs/benchmarks.md). So write requests are not run one
transaction each: they queue here, and one worker thread takes everything that queued while
the previous transaction was committing and runs it as the next one. Under light load a batch
is a single request and nothing waits; under heavy load batches grow and the commit cost is
shared. No timer is involved, so batching never adds latency of its own.

Each request still gets its own answer: the work function (gateway/batch.py) returns a
result or an error per item. If the transaction as a whole fails (a constraint, a lost
connection), each item is retried alone, so one request that breaks a transaction fails
without its neighbours. A response is only sent after its transaction committed.
"""

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Work = Callable[[Sequence[T]], Sequence[R | Exception]]


class GroupCommit(Generic[T, R]):
    """Runs `work` on batches of submitted items in one dedicated thread, in arrival order."""

    def __init__(
        self,
        work: Work[T, R],
        limit: int = 500,
        name: str = "group-commit",
        observe: Callable[[int, float], None] | None = None,
    ) -> None:
        self._work = work
        self._limit = limit
        self._observe = observe  # (group size, seconds) of each transaction, for metrics
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.batches = 0  # how many transactions ran, for tests and metrics
        self.items = 0

    async def submit(self, item: T) -> R:
        """The item's result once its transaction committed; raises the item's error."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch = self._pending[: self._limit]
                del self._pending[: self._limit]
                items = [item for item, _ in batch]
                started = time.perf_counter()
                try:
                    results = await loop.run_in_executor(self._executor, self._run, items)
                except Exception as exc:  # a bug in the work itself: fail the batch, go on
                    results = [exc] * len(items)
                self.batches += 1
                self.items += len(items)
                if self._observe is not None:
                    self._observe(len(items), time.perf_counter() - started)
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():  # the client went away; its work committed regardless
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._drainer = None

    def _run(self, items: Sequence[T]) -> Sequence[R | Exception]:
        try:
            results = self._work(items)
        except Exception as exc:
            if len(items) == 1:
                return [exc]
            return [self._run([item])[0] for item in items]  # isolate the one that broke it
        if len(results) != len(items):
            raise RuntimeError(f"work answered {len(results)} results for {len(items)} items")
        return results

    async def close(self) -> None:
        """Finish what was submitted, then stop the thread (graceful shutdown)."""
        while self._drainer is not None:
            await asyncio.shield(self._drainer)
        self._executor.shutdown(wait=True)
