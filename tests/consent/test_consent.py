"""Consents are recorded against the notice version shown, and withdrawn, never before given."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from databorder.consent.models import Consent
from databorder.consent.schemas import ConsentIn
from databorder.consent.services import ConsentService
from databorder.errors import Conflict, InvalidInput, NotFound
from databorder.runtime import Runtime
from factories import add_buyer, add_consent, add_notice


@pytest.fixture
def buyer(runtime: Runtime) -> Runtime:
    with runtime.sessions.begin() as s:
        add_buyer(s, runtime)
        add_notice(s, runtime)
    return runtime


def test_consent_records_the_notice_version(buyer: Runtime) -> None:
    with buyer.sessions.begin() as s:
        add_consent(s)
    with buyer.sessions() as s:
        row = s.get(Consent, ("b-1", "c-1"))
        assert row is not None
        assert row.notice_version == "2026-10-01"
        assert row.items == ["name", "phone", "address", "postal_code", "order_items"]


def test_consent_withdrawn_before_given_is_rejected() -> None:
    with pytest.raises(ValidationError, match="before it was given"):
        ConsentIn(
            subject_id="b-1",
            kind="overseas_transfer",
            notice_version="v",
            countries=["CN"],
            items=["name"],
            purposes=["shipping"],
            given_at=datetime(2026, 10, 2, tzinfo=UTC),
            withdrawn_at=datetime(2026, 10, 1, tzinfo=UTC),
        )


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValidationError, match="UTC offset"):
        ConsentIn(
            subject_id="b-1",
            kind="overseas_transfer",
            notice_version="v",
            countries=["CN"],
            items=["name"],
            purposes=["shipping"],
            given_at=datetime(2026, 10, 2),  # noqa: DTZ001 (the point of the test)
        )


def test_unknown_notice_and_unknown_buyer(buyer: Runtime) -> None:
    with pytest.raises(InvalidInput, match="unknown notice version"), buyer.sessions.begin() as s:
        add_consent(s, notice_version="1999-01-01")
    with pytest.raises(NotFound, match="buyer 'b-9'"), buyer.sessions.begin() as s:
        add_consent(s, buyer="b-9")


def test_consent_cannot_predate_its_notice(buyer: Runtime) -> None:
    with pytest.raises(InvalidInput, match="before notice"), buyer.sessions.begin() as s:
        add_consent(s, given_at=datetime(2026, 9, 1, tzinfo=UTC))


def test_withdrawal_stamps_time_once_and_not_before_given(buyer: Runtime) -> None:
    with buyer.sessions.begin() as s:
        add_consent(s)
    given = datetime(2026, 10, 15, tzinfo=UTC)
    with (
        pytest.raises(InvalidInput, match="before the consent was given"),
        buyer.sessions.begin() as s,
    ):
        ConsentService(s).withdraw("c-1", given - timedelta(seconds=1))
    with buyer.sessions.begin() as s:
        ConsentService(s).withdraw("c-1", given + timedelta(days=1))
    with pytest.raises(Conflict, match="already withdrawn"), buyer.sessions.begin() as s:
        ConsentService(s).withdraw("c-1", given + timedelta(days=2))
    with buyer.sessions() as s:
        row = s.get(Consent, ("b-1", "c-1"))
        assert row is not None
        assert row.withdrawn_at == given + timedelta(days=1)
