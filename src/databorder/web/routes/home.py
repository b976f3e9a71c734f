"""The site's first screen: one click from here to the privacy policy (the guideline asks that
the policy be reachable without signing in from the first screen)."""

from fastapi import APIRouter, Request, Response

from databorder.api.deps import RuntimeDep
from databorder.notices.store import NoticeStore
from databorder.web.render import page
from databorder.web.routing import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/")
def home(request: Request, rt: RuntimeDep) -> Response:
    with rt.reads() as session:
        current = NoticeStore(session).in_force(rt.now())
    return page(request, "home.html", {"current": current})
