"""The synthetic marketplace is an optional extra (`databorder[sim]`): the service runs without
Faker, so neither the API, the composition root nor the command's entry point may import it."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["databorder.api.app", "databorder.runtime", "databorder.cli"])
def test_the_service_loads_no_faker_and_no_sim(module: str) -> None:
    # A fresh interpreter: this test process has imported the sim (and Faker) already.
    probe = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'faker'"
        " or m.startswith('databorder.sim'))\n"
        "print(','.join(loaded))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert run.stdout.strip() == "", f"importing {module} loaded {run.stdout.strip()}"
