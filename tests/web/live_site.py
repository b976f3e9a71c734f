"""The real site for the browser tests: the app served by uvicorn on a free loopback port, a
temporary SQLite database holding a small published registry, and Debian's Chromium.

`scripts/ensure-browser` installs Chromium, fonts-noto-cjk and the pinned axe-core (quick when
they are there) and says where they are; Playwright's own browser download cannot reach its
servers from here, so Playwright drives Debian's build through `executable_path`.
"""

import dataclasses
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from me_factories import NOW as CENTER_NOW
from me_factories import CenterWorld, build_world
from me_factories import link as center_link
from web_factories import NOW, publish_two_versions

from databorder.api.app import create_app
from databorder.runtime import Runtime, build, init_keys
from databorder.settings import Settings

ROOT = Path(__file__).parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium tries to reach Google's services and, on this network, its
    # connections are refused.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclasses.dataclass(frozen=True)
class BrowserParts:
    chromium: str
    axe_source: str


def ensure_browser() -> BrowserParts:
    """Run the project's installer and read where it put Chromium and axe-core."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "ensure-browser")],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scripts/ensure-browser failed ({done.returncode}):\n{done.stderr}")
    found = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return BrowserParts(found["chromium"], Path(found["axe"]).read_text(encoding="utf-8"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclasses.dataclass(frozen=True)
class Site:
    base_url: str
    versions: tuple[str, str]


@contextmanager
def _served(app: FastAPI) -> Iterator[str]:
    """`app` on a free loopback port until the block ends; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-site", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the site did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _runtime(workdir: Path, template_db: Path, clock: Callable[[], datetime]) -> Runtime:
    database = workdir / "site.db"
    shutil.copyfile(template_db, database)
    settings = Settings(database_url=f"sqlite:///{database}", key_dir=workdir / "keys")
    init_keys(settings)
    return dataclasses.replace(build(settings), clock=clock)


@contextmanager
def serve(workdir: Path, template_db: Path) -> Iterator[Site]:
    """The app on a loopback port, with two published versions, its clock at NOW."""
    runtime = _runtime(workdir, template_db, lambda: NOW)
    versions = publish_two_versions(runtime)
    try:
        with _served(create_app(runtime)) as base_url:
            yield Site(base_url, versions)
    finally:
        runtime.db.dispose()


@dataclasses.dataclass(frozen=True)
class CenterSite:
    """The privacy center's live site: buyers with data, and the marketplace's sign-in link."""

    base_url: str
    runtime: Runtime
    world: CenterWorld

    def login_link(self, buyer: str) -> str:
        return center_link(self.runtime, buyer, self.base_url)


@contextmanager
def serve_center(workdir: Path, template_db: Path, buyers: Sequence[str]) -> Iterator[CenterSite]:
    """The app with the privacy center's world (me_factories) plus `buyers`, each of whose
    data went to the same four companies; its clock stands at the world's NOW."""
    runtime = _runtime(workdir, template_db, lambda: CENTER_NOW)
    world = build_world(runtime, buyers)
    try:
        # Made before serving: the app creates the privacy center's keys when missing, and
        # the test's sign-in links must be signed with the same login key.
        app = create_app(runtime)
        with _served(app) as base_url:
            yield CenterSite(base_url, runtime, world)
    finally:
        runtime.db.dispose()
