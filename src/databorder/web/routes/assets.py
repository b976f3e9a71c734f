"""The notice's own stylesheet, served from the notices package so the pages and the archived
documents style the policy's tables with the same rules (wide tables scroll in their own box on
a phone, print on A4), with no copy to drift."""

from fastapi import APIRouter, Response

from databorder.web.assets import NOTICE_CSS_PATH, notice_css
from databorder.web.routing import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get(NOTICE_CSS_PATH)
def notice_stylesheet() -> Response:
    # Versioned by its hash in every link (see assets.notice_css_url), so it may be kept long.
    return Response(
        notice_css(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
