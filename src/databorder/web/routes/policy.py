"""The privacy policy's transfer sections: the version in force, earlier versions, and diffs."""

from fastapi import APIRouter, Request, Response

from databorder.api.deps import RuntimeDep
from databorder.notices.store import NoticeStore
from databorder.web import language, views
from databorder.web.params import diff_query, stored_name
from databorder.web.render import page
from databorder.web.routing import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/privacy")
def current_policy(request: Request, rt: RuntimeDep) -> Response:
    with rt.reads() as session:
        view = views.policy(NoticeStore(session), rt.now(), language.choose(request))
    if view is None:
        return page(request, "privacy/unpublished.html", {})
    return page(request, "privacy/policy.html", {"view": view})


@router.get("/privacy/versions")
def versions(request: Request, rt: RuntimeDep) -> Response:
    with rt.reads() as session:
        store = NoticeStore(session)
        published, in_force = store.versions(), store.in_force(rt.now())
    return page(request, "privacy/versions.html", {"versions": published, "in_force": in_force})


@router.get("/privacy/versions/{version}")
def one_version(request: Request, rt: RuntimeDep, version: str) -> Response:
    stored_name("notice version", version)
    with rt.reads() as session:
        view = views.policy(NoticeStore(session), rt.now(), language.choose(request), version)
    # A named version either exists or the store raised NotFound: never None here.
    return page(request, "privacy/policy.html", {"view": view})


@router.get("/privacy/diff")
def version_diff(request: Request, rt: RuntimeDep) -> Response:
    query = diff_query(request.query_params)
    with rt.reads() as session:
        view = views.version_diff(NoticeStore(session), query, language.choose(request))
    return page(request, "privacy/diff.html", {"view": view})
