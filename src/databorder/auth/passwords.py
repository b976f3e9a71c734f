"""Password hashing with scrypt (hashlib, OpenSSL): memory-hard, salted, parameters stored.

The parameters travel with each hash, so they can be raised later and old hashes still verify.
"""

import base64
import hashlib
import hmac
import os

N, R, P = 2**14, 8, 1  # RFC 7914's interactive-login parameters: about 16 MiB, ~50 ms
MIN_LENGTH = 12


class WeakPasswordError(ValueError):
    """The password is too short or too plain to protect a privacy officer's account."""


def check_strength(password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"a password needs at least {MIN_LENGTH} characters")
    if username.lower() in password.lower():
        raise WeakPasswordError("a password may not contain the username")
    if len(set(password)) < 6:
        raise WeakPasswordError("a password needs at least 6 different characters")


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return "$".join(
        [
            "scrypt",
            str(N),
            str(R),
            str(P),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        ]
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)
