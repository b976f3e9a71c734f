"""Envelope encryption, pure: AES-256-GCM under a per-buyer data key.

The associated data binds each ciphertext to its buyer and item, so a sealed phone number
copied into another buyer's row, or into the address slot, fails to open instead of leaking.
"""

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class SealError(ValueError):
    """A sealed value that does not open under this key and context (tampered or misplaced)."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """nonce || ciphertext || tag; a fresh random nonce per value (96 bits, NIST SP 800-38D)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def open_sealed(key: bytes, sealed: bytes, context: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise SealError(f"sealed value too short: expected at least 28 bytes, got {len(sealed)}")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except InvalidTag as exc:
        raise SealError("sealed value does not open under this key and context") from exc


def item_context(subject_id: str, item: str) -> bytes:
    return f"databorder/v1/item/{subject_id}/{item}".encode()


def key_context(subject_id: str) -> bytes:
    return f"databorder/v1/data-key/{subject_id}".encode()


def blind_digest(key: bytes, item: str, normalised: str) -> bytes:
    """HMAC-SHA256 of one normalised value; the item is bound in so equal strings differ."""
    return hmac.new(
        key, f"databorder/v1/blind/{item}/{normalised}".encode(), hashlib.sha256
    ).digest()
