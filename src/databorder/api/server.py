"""How the service is served: the factory for `uvicorn --factory databorder.api.server:app`
(several workers), and `serve` for `databorder serve` and the demo (one worker).

Each worker process builds its own runtime from the environment (and fails closed without keys).
Both ways log JSON lines only (`observability.log_config`), without uvicorn's access log (it
prints raw paths: relay numbers, order and buyer ids) and without its `Server` banner; the
uvicorn command's flags for that are in docs/deploy.md.
"""

import uvicorn
from fastapi import FastAPI

from databorder.api.app import create_app
from databorder.api.observability import configure_logging, log_config
from databorder.runtime import build
from databorder.settings import load_settings


def app() -> FastAPI:
    # uvicorn has configured logging by now (its defaults unless `--log-config` was given):
    # this makes the worker's logs JSON and its access log silent whatever the command said.
    configure_logging()
    return create_app(build(load_settings()))


def serve(application: FastAPI, host: str, port: int, level: str = "INFO") -> None:
    """Serve `application` in this process until interrupted, logging JSON lines at `level`."""
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_config=log_config(level),
        access_log=False,
        server_header=False,
    )


__all__ = ["app", "serve"]
