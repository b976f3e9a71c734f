"""Cross-site request forgery protection for the web forms: signed double-submit tokens.

A page with a form sets a token in a cookie and puts the same token in a hidden field; a POST is
accepted only when both arrive, are equal, and carry a valid HMAC-SHA256 made with the server's
key over the session binding and a random nonce. Equality alone (a plain double submit) would let
someone who can plant a cookie, from a sibling subdomain for instance, choose both halves; the
signature means they cannot mint a token this server accepts, and the binding (the signed-in
session's id, once the privacy center has sessions) keeps one person's token from working in
another person's session. This is OWASP's "signed double-submit cookie" pattern.

The check is a pure function of its inputs and returns a verdict that says why, never a bare bool.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

COOKIE = "csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_NONCE_BYTES = 16
_MIN_KEY_BYTES = 32


class CsrfVerdict(StrEnum):
    ACCEPTED = "accepted"
    MISSING = "missing"  # the cookie or the submitted token is absent
    MISMATCH = "mismatch"  # both present but different: the form came from another page or site
    FORGED = "forged"  # malformed, or signed with another key or for another session


@dataclass(frozen=True, slots=True)
class CsrfCheck:
    verdict: CsrfVerdict
    reason: str

    @property
    def accepted(self) -> bool:
        return self.verdict is CsrfVerdict.ACCEPTED


class CsrfTokens:
    """Issues and checks tokens with one key; `binding` ties a token to a session."""

    def __init__(self, key: bytes) -> None:
        # A short key would make the signature guessable; refuse rather than sign weakly.
        if len(key) < _MIN_KEY_BYTES:
            raise ValueError(
                f"CSRF key too short: expected at least {_MIN_KEY_BYTES} bytes, got {len(key)}"
            )
        self._key = key

    def _mac(self, nonce: str, binding: str) -> str:
        message = f"{len(binding)}:{binding}:{nonce}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def issue(self, binding: str = "") -> str:
        nonce = secrets.token_urlsafe(_NONCE_BYTES)
        return f"{nonce}.{self._mac(nonce, binding)}"

    def valid(self, token: str | None, binding: str = "") -> bool:
        """Whether `token` is one this key signed for `binding` (to reuse a cookie's token)."""
        if not token or token.count(".") != 1:
            return False
        nonce, mac = token.split(".")
        return hmac.compare_digest(mac, self._mac(nonce, binding))

    def check(self, cookie: str | None, submitted: str | None, binding: str = "") -> CsrfCheck:
        if not cookie:
            return CsrfCheck(CsrfVerdict.MISSING, f"no {COOKIE!r} cookie came with the request")
        if not submitted:
            return CsrfCheck(
                CsrfVerdict.MISSING, f"no {FIELD!r} form field or {HEADER} header was submitted"
            )
        if not hmac.compare_digest(cookie.encode(), submitted.encode()):
            return CsrfCheck(
                CsrfVerdict.MISMATCH, "the submitted token differs from the cookie's token"
            )
        if not self.valid(submitted, binding):
            return CsrfCheck(
                CsrfVerdict.FORGED, "the token was not signed by this server for this session"
            )
        return CsrfCheck(CsrfVerdict.ACCEPTED, "token present in cookie and form, equal and signed")


__all__ = ["COOKIE", "FIELD", "HEADER", "CsrfCheck", "CsrfTokens", "CsrfVerdict"]
