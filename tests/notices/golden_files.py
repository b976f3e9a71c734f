"""Golden files: outputs pinned byte for byte under tests/notices/golden/.

Run with DATABORDER_UPDATE_GOLDEN=1 to write them from the current code, then read the diff
before committing: a golden that changed is a notice that changed.
"""

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DATABORDER_UPDATE_GOLDEN") == "1"


def assert_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"golden {name} is missing: run with DATABORDER_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    assert data == expected, (
        f"{name} differs from its golden ({len(data)} bytes, expected {len(expected)}); "
        "if the change is intended, run with DATABORDER_UPDATE_GOLDEN=1 and review the diff"
    )
