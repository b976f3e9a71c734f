"""A friendly 404 page for any other address under /privacy (the API's own 404 is JSON).

Included last, so it only catches what no other route matched.
"""

from fastapi import APIRouter

from databorder.errors import NotFound
from databorder.web.routing import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/privacy/{rest:path}")
def unknown_privacy_page(rest: str) -> None:
    raise NotFound("page", f"/privacy/{rest}")
