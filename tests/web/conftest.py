"""Fixtures for the web pages: the real app with a small published registry, read at a fixed time."""

import dataclasses
from collections.abc import Iterator

import pytest
from console_factories import ConsoleWorld, build_console_world
from console_factories import sign_in as console_sign_in
from fastapi.testclient import TestClient
from me_factories import NOW as CENTER_NOW
from me_factories import A, CenterWorld, Clock, build_world, link, with_clock
from web_factories import NOW, publish_two_versions

from databorder.api.app import create_app
from databorder.runtime import Runtime


@pytest.fixture
def fixed_runtime(runtime: Runtime) -> Runtime:
    """The runtime with its clock at NOW, after both test versions were published."""
    return dataclasses.replace(runtime, clock=lambda: NOW)


@pytest.fixture
def versions(fixed_runtime: Runtime) -> tuple[str, str]:
    return publish_two_versions(fixed_runtime)


@pytest.fixture
def pages(fixed_runtime: Runtime) -> Iterator[TestClient]:
    """A browser-like client: no credentials, cookies kept, redirects not followed."""
    with TestClient(create_app(fixed_runtime), follow_redirects=False) as client:
        yield client


# --- the privacy center (/me) ------------------------------------------------------------------


@pytest.fixture
def center_clock() -> Clock:
    return Clock(CENTER_NOW)


@pytest.fixture
def center_runtime(runtime: Runtime, center_clock: Clock) -> Runtime:
    """The runtime reading a clock the test moves (sessions idle, links expire)."""
    return with_clock(runtime, center_clock)


@pytest.fixture
def center_world(center_runtime: Runtime) -> CenterWorld:
    return build_world(center_runtime)


@pytest.fixture
def center(center_runtime: Runtime, center_world: CenterWorld) -> Iterator[TestClient]:
    """A browser-like client on the app with two buyers' data; nobody signed in yet."""
    with TestClient(create_app(center_runtime), follow_redirects=False) as client:
        yield client


@pytest.fixture
def buyer_a(center: TestClient, center_runtime: Runtime) -> TestClient:
    """The same client, signed in as buyer A through the marketplace's link."""
    answer = center.get(link(center_runtime, A))
    assert answer.status_code == 303, answer.text
    return center


# --- the privacy officer's console (/console) ----------------------------------------------------


@pytest.fixture
def console_world(center_runtime: Runtime) -> ConsoleWorld:
    return build_console_world(center_runtime)


@pytest.fixture
def console(center_runtime: Runtime, console_world: ConsoleWorld) -> Iterator[TestClient]:
    """A browser-like client on the app with the console's world; nobody signed in yet."""
    with TestClient(create_app(center_runtime), follow_redirects=False) as client:
        yield client


@pytest.fixture
def officer(console: TestClient) -> TestClient:
    """The same client, signed in as the officer through the sign-in page."""
    console_sign_in(console)
    return console
