"""`make demo SERVE=0` on a small world: it runs end to end, its summary matches the database,
and the v2 outcomes (every reason code, basis and ground) occur even in a world this small."""

import json
import stat
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from databorder.audit.pack import verify_pack
from databorder.consent.models import Consent, NoticeRecipient, NoticeVersion
from databorder.gateway.models import AccessGrant, Disclosure
from databorder.marketplace.models import Order
from databorder.model import Ground, ReasonCode
from databorder.registry.models import SuspensionOrder
from databorder.registry.suspensions import REVOKE_REASON
from databorder.sim.demo import basis_keys
from databorder.store.db import make_engine, make_sessionmaker

ROOT = Path(__file__).parents[2]


def assert_owner_only(demo_dir: Path, *names: str) -> None:
    """The summary holds a live recipient key and grant token, the database every buyer's data."""
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in demo_dir.glob("*") if p.is_file()}
    assert set(names) <= set(files), files
    assert {name: mode for name, mode in files.items() if mode != 0o600} == {}


@pytest.mark.slow
def test_make_demo_summary_matches_the_database(tmp_path: Path) -> None:
    demo_dir = tmp_path / "demo"
    result = subprocess.run(
        [
            "make",
            "-s",
            "demo",
            "SERVE=0",
            "BUYERS=60",
            "SELLERS=12",
            "ORDERS=150",
            "SEED=11",
            f"DEMO_DIR={demo_dir}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "decisions:" in result.stdout
    assert_owner_only(demo_dir, "summary.json", "demo.db", "demo.db-writer.lock")
    # After the nightly sweep, the engine's own decisions pass the audit; the pack is private.
    assert "compliance audit: 0 findings in 0 of 22 checks" in result.stdout, result.stdout
    (pack,) = (demo_dir / "audit").glob("aud-*.tar.gz")
    assert stat.S_IMODE((demo_dir / "audit").stat().st_mode) == 0o700
    assert stat.S_IMODE(pack.stat().st_mode) == 0o600
    assert verify_pack(pack.read_bytes()).ok
    summary = json.loads((demo_dir / "summary.json").read_text("utf-8"))

    engine = make_engine(f"sqlite:///{demo_dir / 'demo.db'}")
    with make_sessionmaker(engine)() as s:
        disclosures = s.scalars(select(Disclosure)).all()
        assert_owner_only(demo_dir, "demo.db-wal", "demo.db-shm")  # open: SQLite made them
        assert summary["decisions"] == len(disclosures)
        assert summary["allowed"] == sum(d.allowed for d in disclosures)
        assert summary["refused"] == sum(not d.allowed for d in disclosures)
        for key, rows in (
            ("cross_border", [d for d in disclosures if d.cross_border]),
            ("domestic", [d for d in disclosures if not d.cross_border]),
        ):
            allowed = sum(d.allowed for d in rows)
            assert summary[key] == {
                "decisions": len(rows),
                "allowed": allowed,
                "refused": len(rows) - allowed,
            }
        by_basis: Counter[str] = Counter()
        by_basis_ground: Counter[str] = Counter()
        for d in disclosures:
            bases, keys = basis_keys([(b["basis"], b["ground"], b["article"]) for b in d.bases])
            by_basis.update(bases)
            by_basis_ground.update(keys)
            assert d.allowed == bool(d.bases)
            assert d.notice_version is not None
        assert summary["by_basis"] == dict(by_basis)
        assert summary["by_basis_ground"] == dict(by_basis_ground)
        assert summary["by_ground"] == dict(
            Counter(d.ground.value if d.ground else "refused" for d in disclosures)
        )
        assert summary["reason_codes"] == dict(Counter(c for d in disclosures for c in d.reasons))
        grants = s.scalars(select(AccessGrant)).all()
        assert summary["grants_created"] == len(grants)
        assert summary["grants_revoked_by_withdrawal"] == sum(
            g.revoke_reason == "consent_withdrawn" for g in grants
        )
        assert summary["grants_ended_by_suspension_order"] == sum(
            g.revoke_reason == REVOKE_REASON for g in grants
        )
        versions = s.scalars(select(NoticeVersion).order_by(NoticeVersion.published_at)).all()
        named = Counter(s.scalars(select(NoticeRecipient.version)))
        assert [(v["version"], v["recipients"]) for v in summary["notice_versions"]] == [
            (v.version, named[v.version]) for v in versions
        ]
        assert [v.recipient_count for v in versions] == [named[v.version] for v in versions]
        assert summary["consents_by_kind"] == dict(
            Counter(c.kind.value for c in s.scalars(select(Consent)))
        )
        orders = s.scalars(select(SuspensionOrder)).all()
        assert [(o["id"], o["recipient_id"]) for o in summary["suspension_orders"]] == [
            (o.id, o.recipient_id) for o in orders
        ]
        refused_by_order = sum(
            ReasonCode.TRANSFER_ORDER_SUSPENDED.value in d.reasons for d in disclosures
        )
        assert sum(o["decisions_refused"] for o in summary["suspension_orders"]) == refused_by_order
        delivered = s.scalar(
            select(func.count()).select_from(Order).where(Order.delivered_at.is_not(None))
        )
        assert summary["deliveries"] == delivered
        if summary["log_leaves"] is not None:
            assert summary["log_leaves"] == s.scalar(
                select(func.count())
                .select_from(Disclosure)
                .where(Disclosure.leaf_index.is_not(None))
            )
    engine.dispose()
    # Every reason code and every ground the contract names occurs even in a world this small,
    # and every basis with each of its grounds.
    for code in ReasonCode:
        assert summary["reason_codes"].get(code.value, 0) > 0, code
    for ground in Ground:
        assert summary["by_ground"].get(ground.value, 0) > 0, ground
    for key in (
        "provision / consent / PIPA 17(1)1",
        "entrustment / entrusted_contract / PIPA 26",
        "entrustment / consent / PIPA 15(1)1",
        "marketing / consent / PIPA 22(1)7",
        "transfer / consent / PIPA 28-8(1)1",
        "transfer / entrusted_contract / PIPA 28-8(1)3",
        "transfer / certification / PIPA 28-8(1)4",
        "transfer / adequacy / PIPA 28-8(1)5",
        "mandate / legal_mandate / PIPA 17(1)2 (Customs Act Art. 241)",
    ):
        assert summary["by_basis_ground"].get(key, 0) > 0, key
    assert summary["suspension_orders"][0]["decisions_refused"] > 0
    assert summary["world"]["recipients_registered_after_last_version"] > 0
    assert "by basis" in result.stdout
    assert "notice versions published" in result.stdout
