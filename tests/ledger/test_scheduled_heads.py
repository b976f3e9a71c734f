"""The service publishes a signed tree head on its own schedule when the log has grown."""

import time
from dataclasses import replace

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from databorder.api.app import create_app
from databorder.ledger.models import LogHead
from databorder.runtime import Runtime


def test_heads_are_signed_on_a_schedule(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        runtime.log.append_many(s, [b'{"n":1}', b'{"n":2}', b'{"n":3}'])
    fast = replace(
        runtime,
        settings=runtime.settings.model_copy(
            update={"head_interval_seconds": 0.05, "sweep_interval_seconds": 0}
        ),
    )
    with TestClient(create_app(fast)):  # the lifespan starts the periodic jobs
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with runtime.sessions() as s:
                heads = s.scalars(select(LogHead)).all()
            if heads:
                break
            time.sleep(0.05)
    assert [h.tree_size for h in heads][:1] == [3]
    with runtime.sessions() as s:  # the head is only re-signed when the log grew
        assert s.scalar(select(func.count()).select_from(LogHead)) == 1
