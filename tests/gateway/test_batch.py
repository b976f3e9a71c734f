"""The group work without HTTP: one transaction for a group, one answer for each request."""

import functools
from datetime import timedelta

from databorder.api.ratelimit import RateLimiter
from databorder.auth.services import ServiceKeys
from databorder.errors import Forbidden, NotFound, TooManyRequests, Unauthorized
from databorder.gateway.batch import (
    PendingDisclosure,
    PendingRead,
    RecordedDisclosure,
    disclose_group,
    once_each,
    read_group,
)
from databorder.gateway.seller import OrderView
from databorder.gateway.types import DisclosureAsk
from databorder.model import DataItem, Purpose
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from factories import T0, add_buyer, add_consent, add_order

AT = T0 + timedelta(minutes=5)


def _ask(order: str) -> DisclosureAsk:
    return DisclosureAsk(order, "s-cn-1", Purpose.SHIPPING, (DataItem.NAME,))


def test_once_each_checks_each_distinct_key_once_and_keeps_its_error() -> None:
    calls: list[str] = []

    def check(key: str) -> int:
        calls.append(key)
        if key == "bad":
            raise Unauthorized("unknown or revoked service key")
        return len(key)

    found = once_each(["ab", "bad", "ab", "abc", "bad"], check)
    assert calls == ["ab", "bad", "abc"]
    assert found["ab"] == 2
    assert found["abc"] == 3
    refused = found["bad"]
    assert isinstance(refused, Unauthorized)
    assert refused.message == "unknown or revoked service key"


def test_a_disclosure_group_answers_each_request_with_its_outcome_or_refusal(
    world: Runtime,
) -> None:
    with world.sessions.begin() as s:
        add_order(s, world, "o-2")
        keys = ServiceKeys(s)
        platform = keys.issue("checkout", ["platform"], T0)
        telephony = keys.issue("phones", ["telephony"], T0)
    work = functools.partial(
        disclose_group,
        sessions=world.sessions,
        gateway=world.gateway,
        log=world.log,
        clock=lambda: AT,
    )
    answers = work(
        [
            PendingDisclosure(platform, _ask("o-1"), AT),
            PendingDisclosure("dbs_unknown", _ask("o-1"), AT),
            PendingDisclosure(telephony, _ask("o-1"), AT),
            PendingDisclosure(platform, _ask("o-404"), AT),
            PendingDisclosure(platform, _ask("o-2"), AT),
        ]
    )
    first, unknown, wrong_scope, missing, second = answers
    assert isinstance(first, RecordedDisclosure)
    assert isinstance(second, RecordedDisclosure)
    assert [first.outcome.leaf_index, second.outcome.leaf_index] == [0, 1]
    assert first.tree_size == second.tree_size == 2  # both leaves are in the size answered
    assert isinstance(unknown, Unauthorized)
    assert isinstance(wrong_scope, Forbidden)
    assert isinstance(missing, NotFound)
    assert missing.message == "order 'o-404' not found"


def test_a_read_group_spends_the_rate_limit_only_of_known_callers(world: Runtime) -> None:
    with world.sessions.begin() as s:
        outcome = world.gateway.disclose(s, _ask("o-1"), AT)
        key = RegistryService(s).issue_api_key("s-cn-1", AT)
    assert outcome.grant_token is not None
    limiter = RateLimiter(per_second=0.001, burst=1, clock=lambda: 0.0)
    reads = [
        PendingRead("dbk_unknown", "o-1", outcome.grant_token, AT),
        PendingRead(key, "o-1", outcome.grant_token, AT),
        PendingRead(key, "o-1", outcome.grant_token, AT),
    ]
    unknown, read, limited = read_group(
        reads, sessions=world.sessions, seller=world.seller, take=limiter.take
    )
    assert isinstance(unknown, Unauthorized)
    assert isinstance(read, OrderView)
    assert read.items["name"] == {"disposition": "plain", "value": "김민수"}
    assert isinstance(limited, TooManyRequests)
    assert limited.retry_after == 1000


def test_a_group_of_many_buyers_is_decided_in_one_transaction(world: Runtime) -> None:
    """Twelve buyers: on Citus (four shards in the tests) they sit on every shard, where one
    `FOR UPDATE` naming them all is refused; the group locks them a shard at a time."""
    buyers = [f"b-{n}" for n in range(2, 14)]
    with world.sessions.begin() as s:
        for buyer in buyers:
            add_buyer(s, world, buyer)
            add_consent(s, f"c-{buyer}", buyer)
            add_consent(s, f"c-p-{buyer}", buyer, kind="third_party_provision")
            add_order(s, world, f"o-{buyer}", buyer)
        platform = ServiceKeys(s).issue("checkout", ["platform"], T0)
    answers = disclose_group(
        [
            PendingDisclosure(platform, _ask(order), AT)
            for order in ["o-1", *map("o-{}".format, buyers)]
        ],
        sessions=world.sessions,
        gateway=world.gateway,
        log=world.log,
        clock=lambda: AT,
    )
    recorded = [a for a in answers if isinstance(a, RecordedDisclosure)]
    assert len(recorded) == 13, answers
    assert all(r.outcome.decision.allowed and r.outcome.grant_token for r in recorded)
    assert sorted(r.outcome.leaf_index for r in recorded) == list(range(13))
