"""`sim` and `demo` need the optional `sim` extra (Faker); nothing else does."""

import os
import subprocess
import sys

import pytest

from databorder.settings import Settings

# Runs the CLI as if Faker were not installed: importing it fails like a missing package.
WITHOUT_FAKER = "import sys; sys.modules['faker'] = None; from databorder.cli import main; main()"


def without_faker(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABORDER_DATABASE_URL": settings.database_url,
        "DATABORDER_KEY_DIR": str(settings.key_dir),
    }
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_FAKER, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", ["sim", "demo"])
def test_sim_and_demo_without_faker_name_the_extra(settings: Settings, command: str) -> None:
    result = without_faker(settings, command, "--buyers", "1")
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {command}: faker is not installed; it comes with the optional extra: "
        "pip install 'databorder[sim]'\n"
    )


@pytest.mark.parametrize("args", [["--help"], ["sweep"], ["log", "verify"]])
def test_other_commands_run_without_faker(settings: Settings, args: list[str]) -> None:
    result = without_faker(settings, *args)
    assert result.returncode == 0, result.stderr
