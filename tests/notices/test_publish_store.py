"""Publishing and reading notice versions in the database: every registered recipient named,
versions immutable and ordered, the directory searchable, the batch schedule honest."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from databorder.consent.models import Consent, NoticeDocument, NoticeRecipient, NoticeVersion
from databorder.errors import InvalidInput, NotFound
from databorder.model import RecipientRole
from databorder.notices import Section
from databorder.notices.store import NoticeStore, notice_in_force, versions_naming
from databorder.registry.schemas import RecipientIn
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from factories import REGISTERED, add_buyer, add_consent, add_recipient

AT = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Publishing writes through executemany on SQLite and COPY on PostgreSQL: test both."""
    return str(request.param)


COUNTRIES = ("CN", "US", "JP", "DE", "KR", "VN", "SG")
ROLES = ("seller", "processor", "customs_broker", "payment_processor")


def random_registry(runtime: Runtime, seed: int, size: int) -> set[str]:
    rng = random.Random(seed)
    ids = set()
    with runtime.sessions.begin() as s:
        service = RegistryService(s)
        for n in range(size):
            rid = f"r-{seed}-{n}"
            country = rng.choice(COUNTRIES)
            others = rng.sample([c for c in COUNTRIES if c != country], rng.randint(0, 2))
            service.create(
                RecipientIn.model_validate(
                    {
                        "id": rid,
                        "legal_name": f"{rng.choice(['Acme', '한빛', 'Zeta', 'Öko'])} Trading {n} Co.",
                        "country": country,
                        "role": rng.choice(ROLES),
                        "privacy_email": f"privacy{n}@example.com",
                        "contract_safeguards": rng.random() < 0.8,
                        "retention_days": rng.randint(1, 400),
                        "data_countries": others,
                    }
                ),
                REGISTERED,
            )
            ids.add(rid)
    return ids


@pytest.mark.parametrize("seed", range(4))
def test_every_registered_recipient_is_named_in_the_published_version(
    runtime: Runtime, seed: int
) -> None:
    ids = random_registry(runtime, seed, 40)
    with runtime.sessions.begin() as s:
        published = runtime.publisher.publish(s, AT)
    assert published.recipient_count == len(ids)
    with runtime.sessions() as s:
        store = NoticeStore(s)
        snapshot = store.snapshot(published.version)
        assert {e.recipient_id for e in snapshot.entries} == ids
        csv = store.document(published.version, "csv", None).decode("utf-8-sig")
        assert all(rid in csv for rid in ids)
        for entry in snapshot.entries:
            abroad = any(c != "KR" for c in entry.data_countries)
            assert (entry.section is Section.OVERSEAS_TRANSFER) == abroad
        formats = set(s.execute(select(NoticeDocument.format, NoticeDocument.language)))
        assert formats >= {("html", "ko"), ("html", "en"), ("csv", ""), ("jsonld", "")}


def test_a_version_is_the_registry_as_it_stood_when_published(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s)
        add_recipient(s, "s-late", at=AT + timedelta(days=1), legal_name="Late Seller Co.")
        v1 = runtime.publisher.publish(s, AT)
        v2 = runtime.publisher.publish(s, AT + timedelta(days=2))
    assert (v1.version, v2.version) == ("2026-11-01", "2026-11-03")
    assert (v1.recipient_count, v2.recipient_count) == (1, 2)
    with runtime.sessions() as s:
        assert versions_naming(s, ["s-cn-1", "s-late", "nobody"]) == {
            "s-cn-1": frozenset({v1.version, v2.version}),
            "s-late": frozenset({v2.version}),
            "nobody": frozenset(),
        }
        assert notice_in_force(s, AT - timedelta(seconds=1)) is None
        assert notice_in_force(s, AT) == v1.version
        assert notice_in_force(s, AT + timedelta(days=5)) == v2.version


def test_versions_are_immutable_and_published_in_order(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s)
        first = runtime.publisher.publish(s, AT)
        second = runtime.publisher.publish(s, AT + timedelta(hours=1))
    assert second.version == "2026-11-01.2"  # the same day gets a suffix
    assert first.content_sha256 != second.content_sha256  # the version and date are content
    with pytest.raises(InvalidInput, match="before the latest"), runtime.sessions.begin() as s:
        runtime.publisher.publish(s, AT - timedelta(days=1))
    with pytest.raises(InvalidInput, match="exists already"), runtime.sessions.begin() as s:
        runtime.publisher.publish(s, AT + timedelta(days=1), first.version)
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(NoticeVersion)) == 2


def test_a_consent_keeps_the_hash_of_the_version_it_was_given_against(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s)
        add_buyer(s, runtime)
        published = runtime.publisher.publish(s, datetime(2026, 10, 1, tzinfo=UTC), "2026-10-01")
        add_consent(s, method="web_form")
    with runtime.sessions() as s:
        row = s.scalars(select(Consent)).one()
        assert row.notice_sha256 == published.content_sha256
        assert row.method == "web_form"


def test_the_directory_searches_by_name_prefix_country_and_role(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s, "s-1", legal_name="Acme Trading Co.")
        add_recipient(s, "s-2", legal_name="ACME Logistics Ltd.", country="JP", role="processor")
        add_recipient(s, "s-3", legal_name="Zeta Goods Co.")
        add_recipient(s, "s-4", legal_name="한빛상사", country="KR")
        version = runtime.publisher.publish(s, AT).version
    with runtime.sessions() as s:
        store = NoticeStore(s)
        assert [e.name for e in store.directory(version, q="acme").entries] == [
            "ACME Logistics Ltd.",
            "Acme Trading Co.",
        ]
        assert store.directory(version, q="한").total == 1
        jp = store.directory(version, country="JP")
        assert [e.recipient_id for e in jp.entries] == ["s-2"]
        assert store.directory(version, role=RecipientRole.SELLER).total == 3
        assert store.directory(version, section=Section.PROVISION).total == 1
        paged = store.directory(version, page=2, per_page=3)
        assert (paged.total, len(paged.entries)) == (4, 1)
        assert store.directory(version, q="nothing-like-it").total == 0
        with pytest.raises(InvalidInput):
            store.directory(version, page=0)
        with pytest.raises(NotFound):
            store.directory("1999-01-01")
        with pytest.raises(InvalidInput):
            store.document(version, "exe", None)


def test_the_batch_schedule_publishes_only_pending_changes_after_its_interval(
    runtime: Runtime,
) -> None:
    with runtime.sessions.begin() as s:
        assert not runtime.publisher.due(s, AT, 28)  # an empty registry has nothing to publish
        add_recipient(s)
        assert runtime.publisher.due(s, AT, 28)  # never published: due at once
        runtime.publisher.publish(s, AT)
        assert not runtime.publisher.due(s, AT + timedelta(days=40), 28)  # nothing changed
        add_recipient(s, "s-new", at=AT + timedelta(days=3), legal_name="New Seller Co.")
        assert not runtime.publisher.due(s, AT + timedelta(days=27), 28)  # too soon
        assert runtime.publisher.due(s, AT + timedelta(days=28), 28)
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(NoticeRecipient)) == 1
