"""The log and its head signer read the runtime's one clock, not the wall clock."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from databorder.ledger.models import LogLeaf
from databorder.runtime import Runtime, build
from databorder.settings import Settings

AT = datetime(2031, 2, 3, 4, 5, 6, 789000, tzinfo=UTC)


@pytest.fixture
def fixed(settings: Settings) -> Iterator[Runtime]:
    rt = build(settings, clock=lambda: AT)
    yield rt
    rt.db.dispose()


def test_leaves_and_heads_are_stamped_by_the_runtime_clock(fixed: Runtime) -> None:
    with fixed.sessions.begin() as s:
        index = fixed.log.append(s, b'{"n":1}')
        head = fixed.signer.sign(s)
    with fixed.sessions() as s:
        leaf = s.get(LogLeaf, index)
        assert leaf is not None
        assert leaf.created_at == AT
    assert head.timestamp == AT
    assert fixed.now() == AT
