"""The audit's pure parts: the check registry, the pack's parameters, statement assembly, the
values a report is made of. No database here."""

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from databorder.audit import CHECKS, REGISTRY, Severity, Window, params_from_pack
from databorder.audit.checks import LOG_DEFECTS, SHARED, CheckRegistry
from databorder.audit.params import Relation
from databorder.audit.relations import LINKS, TABLES, leaf_names
from databorder.audit.render import assemble, dollar_params, link_sql, params_used
from databorder.audit.report import CSV_COLUMNS, findings_csv
from databorder.audit.types import AuditReport, CheckResult, Finding, RecordRef
from databorder.ledger.verify import Defect
from databorder.policy import load_pack

DOCS = Path(__file__).parents[2] / "docs" / "audit.md"
AT = datetime(2026, 11, 1, 9, 5, tzinfo=UTC)


def test_check_ids_are_stable_and_name_their_article() -> None:
    assert len({c.id for c in CHECKS}) == len(CHECKS) >= 22
    for check in CHECKS:
        assert re.fullmatch(r"(A[0-9-]+|LOG)-[a-z0-9-]+", check.id), check.id
        if check.id.startswith("A"):
            article = check.id[1:].split("-")[0]
            assert check.article.startswith(f"PIPA {article}"), (check.id, check.article)
        else:
            assert check.article == "integrity"
        assert set(check.title) == {"ko", "en"}
        assert all(check.title.values())


def test_the_registry_refuses_a_reused_id_and_a_missing_language() -> None:
    registry = CheckRegistry()
    check = CHECKS[0]
    registry.add(check)
    with pytest.raises(ValueError, match="'A17-no-ground' is already registered"):
        registry.add(check)
    with pytest.raises(ValueError, match="needs ko and en titles"):
        registry.add(replace(check, id="A17-other", title={"en": "Other"}))
    assert REGISTRY.get("LOG-tree").severity is Severity.CRITICAL
    with pytest.raises(KeyError, match="no audit check 'A99-none'"):
        REGISTRY.get("A99-none")


def test_every_defect_the_ledger_finds_belongs_to_exactly_one_log_check() -> None:
    owned = [d for defects in LOG_DEFECTS.values() for d in defects]
    assert sorted(owned) == sorted(Defect)
    assert set(LOG_DEFECTS) <= {c.id for c in CHECKS}


def test_check_texts_use_nothing_only_one_engine_reads() -> None:
    # JSON functions, casts with ::, date arithmetic, dialect-only functions.
    forbidden = re.compile(
        r"json|::|interval|strftime|julianday|date_add|dateadd|now\(|ilike|\bunnest\b|->",
        re.IGNORECASE,
    )
    for text in [c.sql for c in CHECKS] + list(SHARED.values()):
        assert forbidden.search(text) is None, text


def test_the_pack_gives_the_forms_items_and_caps() -> None:
    params = params_from_pack(load_pack("pipa"))
    assert ("purpose", "shipping", "phone", "relay") in params.item_forms
    assert ("purpose", "shipping", "name", "plain") in params.item_forms
    assert ("mandate", "KR-CUSTOMS-ACT-241", "customs_code", "plain") in params.item_forms
    assert ("mandate", "KR-CUSTOMS-ACT-241", "phone", "relay") in params.item_forms
    assert params.prohibited_items == ("rrn",)
    assert ("customer_service", 90) in params.purpose_caps
    assert params.entrusted_roles == ("customs_broker", "payment_processor", "processor")
    assert params.scalars() == {"home": "KR", "agent_threshold": 1_000_000}


def test_a_parameter_that_is_not_a_plain_value_is_refused() -> None:
    params = params_from_pack(load_pack("pipa"))
    bad = replace(params, prohibited_items=("rrn') OR (1=1",))
    with pytest.raises(ValueError, match="is not a plain identifier"):
        [r.cte() for r in bad.relations()]
    with pytest.raises(ValueError, match="at least 1"):
        replace(params, domestic_agent_subjects=0)


def test_an_empty_parameter_relation_keeps_its_columns_and_types() -> None:
    relation = Relation("caps", (("purpose", "VARCHAR"), ("max_days", "BIGINT")), ())
    assert relation.cte() == (
        "caps(purpose, max_days) AS (SELECT CAST(NULL AS VARCHAR) AS purpose, "
        "CAST(NULL AS BIGINT) AS max_days WHERE 1 = 0)"
    )


def test_assemble_puts_each_needed_relation_before_its_users() -> None:
    definitions = {
        "c": "c AS (SELECT * FROM b)",
        "b": "b AS (SELECT * FROM a)",
        "a": "a AS (SELECT 1 AS x)",
        "unused": "unused AS (SELECT 2 AS y)",
    }
    assert assemble("SELECT * FROM c", definitions) == (
        "WITH a AS (SELECT 1 AS x),\nb AS (SELECT * FROM a),\nc AS (SELECT * FROM b)\n"
        "SELECT * FROM c"
    )
    assert assemble("SELECT 1", definitions) == "SELECT 1"
    # A name inside another word is not a mention.
    assert assemble("SELECT * FROM abc", definitions) == "SELECT * FROM abc"
    with pytest.raises(ValueError, match="'a' depends on itself"):
        assemble("SELECT * FROM a", {"a": "a AS (SELECT * FROM b)", "b": "b AS (SELECT * FROM a)"})


def test_parameters_are_found_and_spelled_for_duckdb() -> None:
    sql = "SELECT CAST(x AS TEXT) FROM t WHERE a >= :window_start AND b < :as_of"
    assert params_used(sql) == {"window_start", "as_of"}
    assert dollar_params(sql) == (
        "SELECT CAST(x AS TEXT) FROM t WHERE a >= $window_start AND b < $as_of"
    )
    assert params_used("SELECT x::text") == set()


def test_links_render_for_both_live_dialects_and_nothing_else() -> None:
    items = next(link for link in LINKS if link.name == "disclosure_items")
    assert link_sql(items, "sqlite") == (
        "disclosure_items AS (SELECT t.id AS dkey, t.allowed AS allowed, "
        "t.cross_border AS cross_border, t.purpose AS purpose, t.legal_mandate AS legal_mandate, "
        "t.recipient_id AS recipient_id, CASE WHEN length(t.decided_at) = 19 "
        "THEN t.decided_at || '.000000' ELSE t.decided_at END AS decided_at, "
        "t.leaf_index AS leaf_index, "
        "j.key AS item, j.value AS form FROM main.disclosures AS t, json_each(t.dispositions) AS j)"
    )
    assert link_sql(items, "postgresql") == (
        "disclosure_items AS (SELECT t.id AS dkey, t.allowed AS allowed, "
        "t.cross_border AS cross_border, t.purpose AS purpose, t.legal_mandate AS legal_mandate, "
        "t.recipient_id AS recipient_id, t.decided_at AS decided_at, t.leaf_index AS leaf_index, "
        "j.key AS item, j.value AS form FROM disclosures AS t "
        "CROSS JOIN LATERAL json_each_text(t.dispositions) AS j(key, value))"
    )
    with pytest.raises(ValueError, match="not 'mysql'"):
        link_sql(items, "mysql")
    assert {link.table for link in LINKS} <= {t.name for t in TABLES}


def test_a_leaf_names_its_record_or_nothing() -> None:
    assert leaf_names(b'{"type":"disclosure","id":"d-1","x":1}') == ("disclosure", "d-1")
    assert leaf_names(b"not json") == (None, None)
    assert leaf_names(b"\xff\xfe") == (None, None)
    assert leaf_names(b"[1, 2]") == (None, None)
    assert leaf_names(b'{"type": 3}') == (None, None)


def test_a_window_must_be_aware_and_forward() -> None:
    with pytest.raises(ValueError, match="must carry a UTC offset"):
        Window(datetime(2026, 11, 1))  # noqa: DTZ001 (the mistake under test)
    with pytest.raises(ValueError, match="must be after its start"):
        Window(AT, AT)
    assert Window(None, AT).to_json() == {"from": None, "to": "2026-11-01T09:05:00+00:00"}


def _report() -> AuditReport:
    check = REGISTRY.get("A3-item-form")
    finding = Finding(
        check=check.id,
        records=(RecordRef("disclosure", "d-1"), RecordRef("item", "phone")),
        leaf_indexes=(7,),
        at=AT,
        note="plain",
    )
    return AuditReport(
        engine="sqlite",
        as_of=AT,
        window=Window(),
        pack="pipa",
        pack_version="2026-12-01",
        results=(CheckResult(check, (finding,)), CheckResult(REGISTRY.get("LOG-tree"), ())),
    )


def test_a_report_is_plain_json() -> None:
    report = _report()
    assert not report.clean
    data = report.to_json()
    assert data["clean"] is False
    assert data["checks"][0] == {
        "id": "A3-item-form",
        "article": "PIPA 3(1)",
        "severity": "medium",
        "title": {
            "ko": "목적에 필요한 것보다 노출된 형태로 제공",
            "en": "Item released in a more revealing form than the purpose needs",
        },
        "count": 1,
        "first_leaf_index": 7,
        "findings": [
            {
                "check": "A3-item-form",
                "records": [{"kind": "disclosure", "id": "d-1"}, {"kind": "item", "id": "phone"}],
                "leaf_indexes": [7],
                "at": "2026-11-01T09:05:00+00:00",
                "note": "plain",
            }
        ],
    }
    assert data["checks"][1]["count"] == 0


def test_findings_as_csv() -> None:
    assert findings_csv(_report()).splitlines() == [
        ",".join(CSV_COLUMNS),
        "A3-item-form,PIPA 3(1),medium,disclosure,d-1,item,phone,7,2026-11-01T09:05:00+00:00,plain",
    ]


def test_docs_list_every_check_with_its_article() -> None:
    text = DOCS.read_text("utf-8")
    for check in CHECKS:
        assert f"| `{check.id}` | {check.article} |" in text, check.id
