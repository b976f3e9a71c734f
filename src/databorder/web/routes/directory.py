"""The recipient directory (search, one page of 50) and the full list as CSV and JSON.

The guideline lets a long list of recipients live on a separate screen and as a downloadable
list: these are that screen and those downloads, for the version in force or any earlier one.
"""

import re

from fastapi import APIRouter, Request, Response

from databorder.api.deps import RuntimeDep
from databorder.notices.links import DIRECTORY_PATH
from databorder.notices.store import NoticeStore
from databorder.runtime import Runtime
from databorder.web import language, views
from databorder.web.errors import NothingPublished
from databorder.web.params import directory_query, download_query
from databorder.web.render import page
from databorder.web.routing import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PER_PAGE = 50
_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


@router.get(DIRECTORY_PATH)  # the path the published notices link to
def recipients(request: Request, rt: RuntimeDep) -> Response:
    query = directory_query(request.query_params)
    with rt.reads() as session:
        view = views.directory(NoticeStore(session), rt.now(), query, PER_PAGE)
    if view is None:
        return page(request, "privacy/unpublished.html", {})
    lang = language.choose(request)
    return page(
        request, "privacy/recipients.html", {"view": view, "countries": views.countries(lang)}
    )


def _download(request: Request, rt: Runtime, fmt: str) -> Response:
    version = download_query(request.query_params)
    with rt.reads() as session:
        store = NoticeStore(session)
        shown = views.download_version(store, rt.now(), version)
        if shown is None:
            raise NothingPublished
        body = store.document(shown.version, fmt, None)
    filename = _UNSAFE_IN_FILENAME.sub("_", f"recipients-{shown.version}.{fmt}")
    return Response(
        body,
        media_type=_MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(f"{DIRECTORY_PATH}.csv")
def recipients_csv(request: Request, rt: RuntimeDep) -> Response:
    return _download(request, rt, "csv")


@router.get(f"{DIRECTORY_PATH}.json")
def recipients_json(request: Request, rt: RuntimeDep) -> Response:
    return _download(request, rt, "json")
