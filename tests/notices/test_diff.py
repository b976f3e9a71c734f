"""Which changes between versions need buyers' fresh consent, and which only the notice."""

from dataclasses import replace

import pytest
from golden_files import assert_golden
from notice_factories import SMALL_ENTRIES, entry, snapshot, with_entry

from databorder.i18n import gettext
from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices import ChangeKind, InvalidSnapshotError, diff, render_diff_html
from databorder.notices.diff import (
    WHY_ADDED_ON_ENTRUSTMENT,
    WHY_NARROWER_OR_CONTACT,
    WHY_NEW_COUNTRY_ON_CONSENT,
    WHY_NEW_ITEM_ON_CONSENT,
    WHY_NEW_PROCESSOR,
    WHY_NEW_RECIPIENT_ON_CONSENT,
    WHY_REMOVED,
)

BASE = snapshot()


def _replaced(rid: str, **changes: object) -> tuple:  # type: ignore[type-arg]
    return tuple(replace(e, **changes) if e.recipient_id == rid else e for e in SMALL_ENTRIES)


def test_a_new_seller_abroad_needs_fresh_consent() -> None:
    new = with_entry(
        BASE, entry("s-vn-1", name="Hanoi Goods JSC", country="VN", email="p@hanoi.example")
    )
    d = diff(BASE, new)
    assert d.needs_fresh_consent
    [added] = d.recipients_added
    assert (added.kind, added.subject, added.name, added.country) == (
        ChangeKind.RECIPIENT_ADDED,
        "s-vn-1",
        "Hanoi Goods JSC",
        "VN",
    )
    assert added.needs_consent
    assert added.why == WHY_NEW_RECIPIENT_ON_CONSENT
    [country] = d.countries_added
    assert (country.subject, country.needs_consent, country.why) == (
        "VN",
        True,
        WHY_NEW_COUNTRY_ON_CONSENT,
    )


def test_a_new_seller_in_a_country_already_named_still_needs_consent() -> None:
    new = with_entry(BASE, entry("s-cn-2", name="Guangzhou Seller Ltd.", email="p@gz.example"))
    d = diff(BASE, new)
    assert d.needs_fresh_consent
    assert d.countries_added == ()
    assert [c.subject for c in d.recipients_added] == ["s-cn-2"]


def test_a_new_processor_only_needs_the_notice_updated() -> None:
    processor = entry(
        "p-sg-1",
        name="Straits Fulfilment Pte. Ltd.",
        country="SG",
        role=RecipientRole.PROCESSOR,
        ground=Ground.ENTRUSTED_CONTRACT,
        email="dpo@straits.example",
    )
    d = diff(BASE, with_entry(BASE, processor))
    assert not d.needs_fresh_consent
    [added] = d.recipients_added
    assert (added.needs_consent, added.why) == (False, WHY_NEW_PROCESSOR)
    [country] = d.countries_added
    assert (country.subject, country.needs_consent, country.why) == (
        "SG",
        False,
        WHY_ADDED_ON_ENTRUSTMENT,
    )


def test_a_country_known_for_processors_is_new_to_consent() -> None:
    # Japan is named for the cloud processor; a seller in Japan is still a new country to the
    # buyers' consent.
    seller = entry("s-jp-1", name="Osaka Shop K.K.", country="JP", email="p@osaka.example")
    d = diff(BASE, with_entry(BASE, seller))
    assert [(c.subject, c.ground, c.needs_consent) for c in d.countries_added] == [
        ("JP", Ground.CONSENT, True)
    ]


def test_a_new_item_under_consent_needs_fresh_consent() -> None:
    items = (*SMALL_ENTRIES[0].items, DataItem.EMAIL)
    d = diff(BASE, snapshot(_replaced("s-cn-1", items=items), version="2026-12-29"))
    assert d.needs_fresh_consent
    [changed] = d.recipients_changed
    assert changed.changed == ("items",)
    assert changed.why == WHY_NEW_ITEM_ON_CONSENT
    [item] = d.items_added
    assert (item.subject, item.needs_consent) == ("email", True)


def test_a_new_purpose_under_consent_needs_fresh_consent() -> None:
    purposes = (Purpose.SHIPPING, Purpose.MARKETING)
    d = diff(BASE, snapshot(_replaced("s-cn-1", purposes=purposes), version="2026-12-29"))
    assert d.needs_fresh_consent
    assert [(p.subject, p.needs_consent) for p in d.purposes_added] == [("marketing", True)]


def test_a_new_item_for_a_processor_only_needs_the_notice() -> None:
    items = (*SMALL_ENTRIES[2].items, DataItem.BIRTH_DATE)
    d = diff(BASE, snapshot(_replaced("p-cn-1", items=items), version="2026-12-29"))
    assert not d.needs_fresh_consent
    assert [(i.subject, i.needs_consent) for i in d.items_added] == [("birth_date", False)]


def test_removals_never_need_consent() -> None:
    fewer = snapshot(SMALL_ENTRIES[1:], version="2026-12-29")
    d = diff(BASE, fewer)
    assert not d.needs_fresh_consent
    [removed] = d.recipients_removed
    assert (removed.subject, removed.needs_consent, removed.why) == ("s-cn-1", False, WHY_REMOVED)
    # The US seller is still there: China goes from the consent table, not from the notice.
    assert [(c.subject, c.ground) for c in d.countries_removed] == [("CN", Ground.CONSENT)]
    assert all(not c.needs_consent for c in d.changes)


def test_a_new_contact_only_needs_the_notice() -> None:
    d = diff(BASE, snapshot(_replaced("s-cn-1", email="new@example.cn"), version="2026-12-29"))
    [changed] = d.recipients_changed
    assert (changed.changed, changed.needs_consent, changed.why) == (
        ("email",),
        False,
        WHY_NARROWER_OR_CONTACT,
    )


@pytest.mark.parametrize(
    ("changes", "needs"),
    [
        ({"name": "Renamed Trading Ltd."}, True),
        ({"retention_days": 60}, True),
        ({"retention_days": 10}, False),
        ({"items": (DataItem.NAME,)}, False),
        ({"data_countries": ("CN", "HK")}, True),
    ],
)
def test_what_widens_a_consent_needs_it_again_and_what_narrows_it_does_not(
    changes: dict[str, object], needs: bool
) -> None:
    d = diff(BASE, snapshot(_replaced("s-cn-1", **changes), version="2026-12-29"))
    assert d.needs_fresh_consent is needs


def test_moving_a_recipient_onto_consent_needs_consent() -> None:
    moved = _replaced("pay-us-1", ground=Ground.CONSENT, article="PIPA 28-8(1)1")
    d = diff(BASE, snapshot(moved, version="2026-12-29"))
    [changed] = d.recipients_changed
    assert set(changed.changed) == {"ground", "article"}
    assert changed.needs_consent


def test_the_first_version_is_all_additions() -> None:
    d = diff(None, BASE)
    assert d.old_version is None
    assert len(d.recipients_added) == len(SMALL_ENTRIES)
    assert d.needs_fresh_consent  # it names sellers on consent
    assert {c.subject for c in d.recipients_added if c.needs_consent} == {
        "s-cn-1",
        "s-us-1",
        "s-kr-1",
    }


def test_the_same_registry_has_no_changes() -> None:
    d = diff(BASE, replace(BASE, version="2026-12-29", entries=tuple(reversed(BASE.entries))))
    assert d.changes == ()
    assert not d.needs_fresh_consent


def test_every_why_has_a_korean_text() -> None:
    d = diff(None, BASE)
    ko = gettext("ko", "notices")
    for change in d.changes:
        assert ko(change.why) != change.why


def test_a_diff_of_snapshots_naming_a_recipient_twice_is_refused() -> None:
    with pytest.raises(InvalidSnapshotError):
        diff(BASE, snapshot((*SMALL_ENTRIES, SMALL_ENTRIES[0])))


def _example_diff():  # type: ignore[no-untyped-def]
    entries = _replaced("s-cn-1", items=(*SMALL_ENTRIES[0].items, DataItem.EMAIL))
    entries = tuple(e for e in entries if e.recipient_id != "cb-kr-1")
    entries = (
        *entries,
        entry("s-vn-1", name="Hanoi Goods JSC", country="VN", email="p@hanoi.example"),
        entry(
            "p-sg-1",
            name="Straits Fulfilment Pte. Ltd.",
            country="SG",
            role=RecipientRole.PROCESSOR,
            ground=Ground.ENTRUSTED_CONTRACT,
            email="dpo@straits.example",
        ),
    )
    return diff(BASE, snapshot(entries, version="2026-12-29"))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_diff_page_matches_golden(lang: str) -> None:
    assert_golden(f"small.diff.{lang}.html", render_diff_html(_example_diff(), lang).encode())


def test_the_diff_page_marks_each_change() -> None:
    html = render_diff_html(_example_diff(), "ko")
    assert 'data-needs-fresh-consent="true"' in html
    assert (
        '<tr data-kind="recipient_added" data-subject="s-vn-1" data-needs-consent="true">' in html
    )
    assert (
        '<tr data-kind="recipient_added" data-subject="p-sg-1" data-needs-consent="false">' in html
    )
    assert "Hanoi Goods JSC(베트남)" in html
