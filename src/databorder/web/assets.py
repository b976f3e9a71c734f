"""Where the pages' stylesheets and icons are, with a content hash in every link.

A hash in the URL means a changed file is never served stale from a cache, and an unchanged
one never needs asking for again.
"""

import hashlib
from functools import cache
from importlib import resources

STATIC_URL = "/static"
NOTICE_CSS_PATH = "/privacy/notice.css"


@cache
def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


@cache
def static_url(name: str) -> str:
    data = resources.files("databorder.web").joinpath(f"static/{name}").read_bytes()
    return f"{STATIC_URL}/{name}?v={_digest(data)}"


@cache
def notice_css() -> bytes:
    """The notices package's stylesheet, the one its archived documents embed."""
    return resources.files("databorder.notices").joinpath("templates/notice.css").read_bytes()


def notice_css_url() -> str:
    return f"{NOTICE_CSS_PATH}?v={_digest(notice_css())}"


__all__ = ["NOTICE_CSS_PATH", "STATIC_URL", "notice_css", "notice_css_url", "static_url"]
