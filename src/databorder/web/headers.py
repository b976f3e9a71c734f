"""The security headers every web response carries.

The policy allows scripts, styles and images from this origin only and no inline script at all,
so text that slipped past escaping still could not run; forms may post only back here, and no
other site may frame the pages (clickjacking a "delete my account" button is the risk the privacy
center's forms will carry). Referrers are not sent: a URL with a search for a seller's name is
nobody else's business.
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

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def secure(headers: MutableHeaders) -> None:
    """Set the security headers, keeping any a handler chose more strictly itself."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "secure"]
