"""The security headers every web response carries, and the part of them every answer carries.

The policy allows scripts, styles and images from this origin only and no inline script at all,
so text that slipped past escaping still could not run; forms may post only back here, and no
other site may frame the pages (clickjacking a "delete my account" button is the risk the privacy
center's forms will carry). Referrers are not sent: a URL with a search for a seller's name is
nobody else's business.

The API's answers (api/headers.py) take `EVERY_ANSWER` from here, and `NO_STORE` where they may
carry personal data, so the pages and the API cannot drift apart on what they share.
"""

from starlette.datastructures import MutableHeaders

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)

# On every answer, API and pages alike: a browser must never take a JSON answer that echoes a
# caller's text for HTML or script.
EVERY_ANSWER: dict[str, str] = {"X-Content-Type-Options": "nosniff"}

# An answer that may carry personal data (the API's, the privacy center's) is kept by no cache,
# the browser's included, unless its route chose a policy of its own.
NO_STORE = "no-store"

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    **EVERY_ANSWER,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def secure(headers: MutableHeaders) -> None:
    """Set the security headers, keeping any a handler chose more strictly itself."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


__all__ = ["CONTENT_SECURITY_POLICY", "EVERY_ANSWER", "NO_STORE", "SECURITY_HEADERS", "secure"]
