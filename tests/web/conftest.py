"""Fixtures for the web pages: the real app with a small published registry, read at a fixed time."""

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
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
