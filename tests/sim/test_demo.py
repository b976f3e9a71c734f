"""`make demo SERVE=0` on a small world: it runs end to end and its summary matches the database."""

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from databorder.gateway.models import AccessGrant, Disclosure
from databorder.marketplace.models import Order
from databorder.store.db import make_engine, make_sessionmaker

ROOT = Path(__file__).parents[2]


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
    summary = json.loads((demo_dir / "summary.json").read_text("utf-8"))

    engine = make_engine(f"sqlite:///{demo_dir / 'demo.db'}")
    with make_sessionmaker(engine)() as s:
        disclosures = s.scalars(select(Disclosure)).all()
        assert summary["decisions"] == len(disclosures)
        assert summary["allowed"] == sum(d.allowed for d in disclosures)
        assert summary["refused"] == sum(not d.allowed for d in disclosures)
        assert summary["cross_border"] == sum(d.cross_border for d in disclosures)
        assert summary["by_ground"] == dict(
            Counter(d.ground.value if d.ground else "refused" for d in disclosures)
        )
        assert summary["reason_codes"] == dict(Counter(c for d in disclosures for c in d.reasons))
        grants = s.scalars(select(AccessGrant)).all()
        assert summary["grants_created"] == len(grants)
        assert summary["grants_revoked_by_withdrawal"] == sum(
            g.revoke_reason == "consent_withdrawn" for g in grants
        )
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
    # Every refusal reason the contract names occurs even in a world this small.
    for code in (
        "NO_LAWFUL_GROUND",
        "CONSENT_WITHDRAWN",
        "CONSENT_DOES_NOT_COVER",
        "NOT_DISCLOSED",
        "CONTRACT_SAFEGUARDS_MISSING",
        "TRANSFER_SUSPENDED",
        "ITEM_NOT_NEEDED",
        "ITEM_PROHIBITED",
    ):
        assert summary["reason_codes"].get(code, 0) > 0, code
