"""Every check fires on a constructed violation and stays silent on a clean world, on SQLite,
PostgreSQL and DuckDB over a Parquet export (the `engine` fixture runs each test on all three).

Each test breaks one rule of the clean world (audit_world.py) and asserts exactly what the
audit finds: which check, which records, which log leaves, which way the rule was broken.
"""

import json
from dataclasses import replace
from datetime import timedelta

from audit_world import AS_OF, Audit, Clean, found
from sqlalchemy import text

from databorder.audit import CHECKS, Window, params_from_pack
from databorder.ledger import merkle
from databorder.ledger.canonical import canonical_json
from databorder.ledger.models import LogHead
from databorder.ledger.signing import sign_head
from factories import NOTICE, T0

DISPOSITIONS = {
    "name": "plain",
    "phone": "relay",
    "address": "plain",
    "postal_code": "plain",
    "order_items": "plain",
}


def released(clean: Clean, **changes: str) -> None:
    """Rewrite what the first disclosure released, as a faulty gateway would have."""
    clean.sql(
        "UPDATE disclosures SET dispositions = :d WHERE id = :id",
        d=json.dumps({**DISPOSITIONS, **changes}),
        id=clean.disclosure,
    )


def test_a_clean_world_has_nothing_to_find(clean: Clean, audit: Audit) -> None:
    report = audit()
    assert found(report) == set()
    assert report.clean
    assert [r.check.id for r in report.results] == [c.id for c in CHECKS]
    assert report.as_of == AS_OF


# --- lawful ground ------------------------------------------------------------------------------


def _basis(basis: str, article: str, consent: str) -> dict[str, str]:
    return {"basis": basis, "ground": "consent", "article": article, "consent_id": consent}


def test_disclosures_without_a_basis_have_no_lawful_ground(clean: Clean, audit: Audit) -> None:
    clean.sql("UPDATE disclosures SET bases = '[]' WHERE id = :id", id=clean.disclosure)
    provision_only = [_basis("provision", "PIPA 17(1)1", "c-2p")]
    clean.sql(
        "UPDATE disclosures SET bases = :b WHERE id = :id",
        b=json.dumps(provision_only),
        id=clean.other,
    )
    assert found(audit()) == {
        ("A17-no-ground", f"disclosure:{clean.disclosure}", (clean.leaf,), "no_basis"),
        ("A17-no-ground", f"disclosure:{clean.other}", (clean.other_leaf,), "no_transfer_basis"),
    }


def test_a_disclosure_with_a_transfer_basis_only_has_no_provision_basis(
    clean: Clean, audit: Audit
) -> None:
    transfer_only = json.dumps([_basis("transfer", "PIPA 28-8(1)1", "c-2")])
    clean.sql("UPDATE disclosures SET bases = :b WHERE id = :id", b=transfer_only, id=clean.other)
    assert found(audit()) == {
        ("A17-no-ground", f"disclosure:{clean.other}", (clean.other_leaf,), "no_provision_basis"),
    }


def test_a_consent_withdrawn_before_or_given_after_the_decision_does_not_hold(
    clean: Clean, audit: Audit
) -> None:
    clean.sql("UPDATE consents SET withdrawn_at = :at WHERE id = 'c-1'", at=T0)
    clean.sql("UPDATE consents SET given_at = :at WHERE id = 'c-p'", at=T0 + timedelta(minutes=6))
    record = f"disclosure:{clean.disclosure}"
    assert found(audit()) == {
        ("A17-consent-not-held", f"{record} consent:c-1", (clean.leaf,), "withdrawn_before"),
        ("A17-consent-not-held", f"{record} consent:c-p", (clean.leaf,), "given_after"),
    }


def test_a_transfer_to_a_recipient_without_safeguards_since_before_it(
    clean: Clean, audit: Audit
) -> None:
    # The registry entry is unchanged since its registration: it lacked them when decided.
    clean.sql("UPDATE recipients SET contract_safeguards = false WHERE id = 's-cn-1'")
    assert found(audit()) == {
        (
            "A28-8-safeguards-at-decision",
            f"disclosure:{clean.disclosure} recipient:s-cn-1",
            (clean.leaf,),
            "contract_safeguards_missing",
        ),
        ("A28-8-4-no-safeguards", "recipient:s-cn-1", (clean.leaf,), "no_contract_safeguards"),
    }


def test_a_transfer_while_a_suspension_order_was_in_force(clean: Clean, audit: Audit) -> None:
    insert = (
        "INSERT INTO suspension_orders (id, recipient_id, country, starts_at, ends_at, "
        "reference, created_at) VALUES (:id, :recipient, :country, :starts, :ends, 'PIPC', :starts)"
    )
    clean.sql(insert, id="so-1", recipient="s-cn-1", country=None, starts=T0, ends=None)
    # A country-wide order in force only around the second disclosure (T0 + 30 minutes).
    clean.sql(
        insert,
        id="so-2",
        recipient=None,
        country="CN",
        starts=T0 + timedelta(minutes=20),
        ends=T0 + timedelta(minutes=40),
    )
    assert found(audit()) == {
        (
            "A28-9-suspended",
            f"disclosure:{clean.disclosure} suspension_order:so-1",
            (clean.leaf,),
            "order_names_recipient",
        ),
        (
            "A28-9-suspended",
            f"disclosure:{clean.other} suspension_order:so-2",
            (clean.other_leaf,),
            "order_names_country",
        ),
    }


# --- what the notice in force said ------------------------------------------------------------


def test_a_transfer_to_a_recipient_the_notice_did_not_name(clean: Clean, audit: Audit) -> None:
    clean.sql("DELETE FROM notice_recipients WHERE recipient_id = 's-cn-1'")
    assert found(audit()) == {
        (
            "A28-8-2-not-in-notice",
            f"disclosure:{clean.disclosure} notice_version:2026-10-01",
            (clean.leaf,),
            "recipient_not_named",
        )
    }


def test_a_transfer_before_any_notice_was_in_force(clean: Clean, audit: Audit) -> None:
    clean.sql("UPDATE notice_versions SET published_at = :at", at=AS_OF)
    assert found(audit()) == {
        (
            "A28-8-2-not-in-notice",
            f"disclosure:{d}",
            (leaf,),
            "no_version_in_force",
        )
        for d, leaf in ((clean.disclosure, clean.leaf), (clean.other, clean.other_leaf))
    }


def _later_version(clean: Clean) -> None:
    """Version 2026-11-01, published between the two disclosures, naming no one yet."""
    with clean.rt.sessions.begin() as s:
        s.execute(
            text(
                "INSERT INTO notice_versions (version, published_at, summary, recipient_count, "
                "controller, home_country, counts) VALUES ('2026-11-01', :at, '', 0, '{}', 'KR', '{}')"
            ).bindparams(at=T0 + timedelta(minutes=20)),
        )


def test_the_version_in_force_is_the_latest_published_before_the_decision(
    clean: Clean, audit: Audit
) -> None:
    # A later version that does not name s-cn-1 was in force for the second disclosure only.
    _later_version(clean)
    assert found(audit()) == {
        (
            "A28-8-2-not-in-notice",
            f"disclosure:{clean.other} notice_version:2026-11-01",
            (clean.other_leaf,),
            "recipient_not_named",
        )
    }


def test_a_transfer_to_a_country_the_notice_did_not_name(clean: Clean, audit: Audit) -> None:
    # A notice's data_countries list every country the data goes to, the seat first.
    clean.sql(
        "UPDATE notice_recipients SET country = 'JP', data_countries = '[\"JP\"]' "
        "WHERE recipient_id = 's-cn-1'"
    )
    assert found(audit()) == {
        (
            "A28-8-2-country-not-in-notice",
            f"disclosure:{clean.disclosure} notice_version:2026-10-01",
            (clean.leaf,),
            "country_not_named",
        )
    }


def test_a_country_among_the_named_data_countries_was_told(clean: Clean, audit: Audit) -> None:
    clean.sql(
        "UPDATE notice_recipients SET country = 'JP', data_countries = '[\"JP\", \"CN\"]' "
        "WHERE recipient_id = 's-cn-1'"
    )
    assert found(audit()) == set()


def test_an_item_the_notice_did_not_list(clean: Clean, audit: Audit) -> None:
    listed = ["name", "address", "postal_code", "order_items"]
    clean.sql(
        "UPDATE notice_recipients SET items = :i WHERE recipient_id = 's-cn-1'",
        i=json.dumps(listed),
    )
    assert found(audit()) == {
        (
            "A28-8-2-item-not-in-notice",
            f"disclosure:{clean.disclosure} item:phone",
            (clean.leaf,),
            "item_not_listed",
        )
    }


_NOTICE_RECIPIENT_COLUMNS = (
    "recipient_id, name, name_key, country, data_countries, role, email, phone, section, "
    "ground, article, items, purposes, retention_days"
)


def test_what_a_later_version_no_longer_names_was_not_told(clean: Clean, audit: Audit) -> None:
    # A version published between the two disclosures names both sellers again, but for
    # s-cn-2 neither its country nor the phone: the later disclosure is judged by it (the
    # checks set aside only what every version naming a recipient names), the earlier by the
    # first version.
    _later_version(clean)
    clean.sql(
        f"INSERT INTO notice_recipients (version, {_NOTICE_RECIPIENT_COLUMNS}) "  # noqa: S608 (constant)
        f"SELECT '2026-11-01', {_NOTICE_RECIPIENT_COLUMNS} FROM notice_recipients "
        "WHERE version = '2026-10-01'"
    )
    clean.sql(
        "UPDATE notice_recipients SET country = 'JP', data_countries = '[\"JP\"]', items = :i "
        "WHERE version = '2026-11-01' AND recipient_id = 's-cn-2'",
        i=json.dumps(["name", "address", "postal_code", "order_items"]),
    )
    record = f"disclosure:{clean.other}"
    assert found(audit()) == {
        (
            "A28-8-2-country-not-in-notice",
            f"{record} notice_version:2026-11-01",
            (clean.other_leaf,),
            "country_not_named",
        ),
        (
            "A28-8-2-item-not-in-notice",
            f"{record} item:phone",
            (clean.other_leaf,),
            "item_not_listed",
        ),
    }


# --- only what the purpose needs ------------------------------------------------------------------


def test_a_prohibited_item_released(clean: Clean, audit: Audit) -> None:
    released(clean, rrn="plain")
    record = f"disclosure:{clean.disclosure} item:rrn"
    assert found(audit()) == {
        ("A24-2-prohibited-item", record, (clean.leaf,), "plain"),
        # The notice never lists a prohibited item, so it was not told either.
        ("A28-8-2-item-not-in-notice", record, (clean.leaf,), "item_not_listed"),
    }


def test_an_item_the_purpose_does_not_need(clean: Clean, audit: Audit) -> None:
    released(clean, birth_date="masked")
    record = f"disclosure:{clean.disclosure} item:birth_date"
    assert found(audit()) == {
        ("A3-item-not-needed", record, (clean.leaf,), "not_needed"),
        ("A28-8-2-item-not-in-notice", record, (clean.leaf,), "item_not_listed"),
    }


def test_an_item_released_in_a_more_revealing_form(clean: Clean, audit: Audit) -> None:
    released(clean, phone="plain")  # shipping relays the phone
    assert found(audit()) == {
        ("A3-item-form", f"disclosure:{clean.disclosure} item:phone", (clean.leaf,), "plain")
    }


# --- retention and withdrawal ------------------------------------------------------------------------


def test_grants_alive_past_their_retention(clean: Clean, audit: Audit) -> None:
    # Expired at noon and never swept; and one granted for 99 days, past shipping's 30.
    clean.sql(
        "UPDATE access_grants SET expires_at = :at WHERE id = :id",
        at=T0 + timedelta(hours=12),
        id=clean.grant,
    )
    clean.sql("UPDATE access_grants SET access_days = 99 WHERE id = :id", id=clean.other_grant)
    assert found(audit()) == {
        (
            "A21-grant-past-retention",
            f"access_grant:{clean.grant} disclosure:{clean.disclosure}",
            (clean.leaf,),
            "not_ended",
        ),
        (
            "A21-grant-past-retention",
            f"access_grant:{clean.other_grant} disclosure:{clean.other}",
            (clean.other_leaf,),
            "longer_than_purpose",
        ),
    }
    # Before noon the first grant was still running.
    assert {f[3] for f in found(audit(as_of=T0 + timedelta(hours=11)))} == {"longer_than_purpose"}


def test_data_read_after_its_grant_ended(clean: Clean, audit: Audit) -> None:
    clean.sql(
        "UPDATE seller_reads SET read_at = :at WHERE id = :id",
        at=T0 + timedelta(days=61),  # the grant ran 60 days from the order
        id=clean.read,
    )
    assert found(audit()) == {
        (
            "A21-read-after-end",
            f"seller_read:{clean.read} access_grant:{clean.grant}",
            (clean.read_leaf,),
            "after_expiry",
        )
    }


def test_a_read_after_revocation(clean: Clean, audit: Audit) -> None:
    clean.sql(
        "UPDATE access_grants SET revoked_at = :at, revoke_reason = 'withdrawn' WHERE id = :id",
        at=T0 + timedelta(minutes=8),
        id=clean.grant,
    )
    assert found(audit()) == {
        (
            "A21-read-after-end",
            f"seller_read:{clean.read} access_grant:{clean.grant}",
            (clean.read_leaf,),
            "after_revocation",
        )
    }


def test_a_grant_kept_after_its_consent_was_withdrawn(clean: Clean, audit: Audit) -> None:
    # Withdrawn after the grant began, but the grant was never revoked.
    clean.sql("UPDATE consents SET withdrawn_at = :at WHERE id = 'c-1'", at=T0 + timedelta(hours=6))
    assert found(audit()) == {
        (
            "A37-grant-outlives-withdrawal",
            f"access_grant:{clean.grant} consent:c-1",
            (clean.leaf,),
            "not_revoked",
        )
    }


# --- the registry ---------------------------------------------------------------------------------------


def test_a_recipient_that_lost_its_safeguards_after_receiving_data(
    clean: Clean, audit: Audit
) -> None:
    # Changed after the disclosure: the registry check finds the recipient, not the decision.
    clean.sql(
        "UPDATE recipients SET contract_safeguards = false, updated_at = :at WHERE id = 's-cn-1'",
        at=AS_OF,
    )
    assert found(audit()) == {
        ("A28-8-4-no-safeguards", "recipient:s-cn-1", (clean.leaf,), "no_contract_safeguards")
    }


def test_an_overseas_business_over_the_threshold_without_a_domestic_agent(
    clean: Clean, audit: Audit
) -> None:
    # One buyer each; with the threshold at one, s-cn-1 (no agent) must name one, s-cn-2 has.
    params = replace(params_from_pack(clean.rt.engine.pack), domestic_agent_subjects=1)
    assert found(audit(params=params)) == {
        ("A31-2-no-domestic-agent", "recipient:s-cn-1", (clean.leaf,), "no_domestic_agent")
    }


# --- the buyer's rights ------------------------------------------------------------------------------------


def test_rights_requests_past_their_deadline(clean: Clean, audit: Audit) -> None:
    # The withdrawal completed at T0 + 3 hours; say it was due a second after it was made.
    clean.sql(
        "UPDATE rights_requests SET deadline = :at WHERE id = :id",
        at=T0 + timedelta(hours=1, seconds=1),
        id=clean.withdrawal,
    )
    # Eleven days on, the complaint filed at T0 + 2 hours is still open.
    assert found(audit(as_of=T0 + timedelta(days=11))) == {
        (
            "A35-request-overdue",
            f"rights_request:{clean.complaint} request_kind:complaint",
            (),
            "open_past_deadline",
        ),
        (
            "A35-request-overdue",
            f"rights_request:{clean.withdrawal} request_kind:withdrawal",
            (),
            "closed_late",
        ),
    }


def test_an_erasure_a_recipient_was_never_told_of(clean: Clean, audit: Audit) -> None:
    clean.sql("DELETE FROM rights_tasks WHERE request_id = :id", id=clean.erasure)
    assert found(audit()) == {
        (
            "A36-erasure-unacknowledged",
            f"rights_request:{clean.erasure} recipient:s-cn-2",
            (clean.other_leaf,),
            "recipient_not_told",
        )
    }


def test_an_erasure_not_acknowledged_by_its_deadline(clean: Clean, audit: Audit) -> None:
    clean.sql(
        "UPDATE rights_tasks SET state = 'notified', acknowledged_at = NULL WHERE request_id = :id",
        id=clean.erasure,
    )
    assert found(audit()) == set()  # not yet due
    finding = (
        "A36-erasure-unacknowledged",
        f"rights_request:{clean.erasure} recipient:s-cn-2",
        (clean.other_leaf,),
        "not_acknowledged",
    )
    assert finding in found(audit(as_of=T0 + timedelta(days=11)))


# --- the log itself ------------------------------------------------------------------------------------------


def test_records_without_their_leaves(clean: Clean, audit: Audit) -> None:
    clean.sql("UPDATE seller_reads SET leaf_index = NULL WHERE id = :id", id=clean.read)
    # The first disclosure points at the refused one's leaf: each leaf names another record.
    clean.sql(
        "UPDATE disclosures SET leaf_index = :leaf WHERE id = :id",
        leaf=clean.refused_leaf,
        id=clean.disclosure,
    )
    assert found(audit()) == {
        ("LOG-record-without-leaf", f"seller_read:{clean.read}", (), "not_logged"),
        (
            "LOG-record-without-leaf",
            f"disclosure:{clean.disclosure}",
            (clean.refused_leaf,),
            "leaf_records_another",
        ),
        (
            "LOG-leaf-without-record",
            f"disclosure:{clean.disclosure}",
            (clean.leaf,),
            "record_names_another_leaf",
        ),
    }


def test_a_leaf_whose_record_was_deleted(clean: Clean, audit: Audit) -> None:
    clean.sql("DELETE FROM disclosures WHERE id = :id", id=clean.refused)
    assert found(audit()) == {
        (
            "LOG-leaf-without-record",
            f"disclosure:{clean.refused}",
            (clean.refused_leaf,),
            "record_missing",
        )
    }


def test_a_rewritten_leaf_is_found_at_its_index(clean: Clean, audit: Audit) -> None:
    with clean.rt.sessions.begin() as s:
        data = s.execute(
            text('SELECT data FROM log_leaves WHERE "index" = :i'), {"i": clean.refused_leaf}
        ).scalar_one()
        leaf = json.loads(bytes(data))  # a private leaf: {type, id, commitment}
        digit = leaf["commitment"][0]
        leaf["commitment"] = ("1" if digit == "0" else "0") + leaf["commitment"][1:]
        forged = canonical_json(leaf)
        assert forged != bytes(data)
        s.execute(
            text('UPDATE log_leaves SET data = :d WHERE "index" = :i'),
            {"d": forged, "i": clean.refused_leaf},
        )
    i = clean.refused_leaf
    assert found(audit()) == {
        (
            "LOG-tree",
            "log:leaf_changed",
            (i,),
            f"leaf {i} does not hash to the tree's leaf hash: its data changed",
        )
    }


def test_a_leaf_that_is_no_longer_json_names_no_record(clean: Clean, audit: Audit) -> None:
    clean.sql(
        'UPDATE log_leaves SET data = :d WHERE "index" = :i', d=b"\xff not json", i=clean.leaf
    )
    i = clean.leaf
    assert found(audit()) == {
        (
            "LOG-tree",
            "log:leaf_changed",
            (i,),
            f"leaf {i} does not hash to the tree's leaf hash: its data changed",
        ),
        ("LOG-record-without-leaf", f"disclosure:{clean.disclosure}", (i,), "leaf_records_another"),
    }


def test_a_head_whose_signature_fails(clean: Clean, audit: Audit) -> None:
    clean.sql("UPDATE log_heads SET signature = :sig", sig=bytes(64))
    (finding,) = audit().findings
    assert (finding.check, str(finding.records[0]), finding.leaf_indexes) == (
        "LOG-head",
        "log:head_signature",
        (),
    )
    assert finding.note is not None
    assert finding.note.startswith("head #1 (tree size 4): ")


def test_an_earlier_head_over_another_history_breaks_consistency(
    clean: Clean, audit: Audit
) -> None:
    other = [merkle.leaf_hash(b"other %d" % i) for i in range(2)]
    with clean.rt.sessions.begin() as s:
        latest = clean.rt.signer.latest(s)
        assert latest is not None
        forked = sign_head(clean.rt.keys.signing, 2, merkle.root_hash(other), latest.timestamp)
        s.execute(text("DELETE FROM log_heads"))
        for head in (forked, latest):
            s.add(
                LogHead(
                    tree_size=head.tree_size,
                    root_hash=head.root_hash,
                    timestamp=head.timestamp,
                    key_id=head.key_id,
                    signature=head.signature,
                )
            )
    (finding,) = audit().findings
    assert (finding.check, str(finding.records[0]), finding.leaf_indexes) == (
        "LOG-consistency",
        "log:head_inconsistent",
        (0,),
    )


# --- the window -----------------------------------------------------------------------------------------------


def test_the_window_limits_the_events_audited(clean: Clean, audit: Audit) -> None:
    clean.sql("UPDATE disclosures SET bases = '[]'")  # both allowed disclosures
    first = (clean.disclosure, clean.leaf)
    second = (clean.other, clean.other_leaf)
    windows = {
        Window(T0, T0 + timedelta(minutes=20)): {first},
        Window(T0 + timedelta(minutes=20), None): {second},
        Window(None, T0 + timedelta(minutes=5)): set(),  # the end is exclusive
        Window(NOTICE, None): {first, second},
    }
    for window, expected in windows.items():
        report = audit(window=window)
        assert report.window == window
        assert {(f.records[0].id, f.leaf_indexes[0]) for f in report.findings} == expected
