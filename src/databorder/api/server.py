"""The application factory for running several workers: `uvicorn --factory databorder.api.server:app`.

Each worker process builds its own runtime from the environment (and fails closed without keys).
"""

from fastapi import FastAPI

from databorder.api.app import create_app
from databorder.api.observability import configure_logging
from databorder.runtime import build
from databorder.settings import load_settings


def app() -> FastAPI:
    configure_logging()
    return create_app(build(load_settings()))
