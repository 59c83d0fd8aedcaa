"""Encryption at rest for saved looks and photos (AES-256-GCM), and EXIF-free JPEG encoding."""

from __future__ import annotations

import io
import os

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from PIL import Image

NONCE_BYTES = 12
#: Marks the format so a later key rotation can tell blobs apart.
MAGIC = b"FRG1"


def derive_media_key(secret_key: str) -> bytes:
    """The 32-byte AES key for media, derived from the server secret with HKDF-SHA256."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"fitroom media at rest v1")
    return hkdf.derive(secret_key.encode())


def derive_csrf_key(secret_key: str) -> bytes:
    """The 32-byte key signing CSRF tokens (independent of the media key), HKDF-SHA256."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"fitroom csrf tokens v1")
    return hkdf.derive(secret_key.encode())


class MediaCipher:
    """AES-GCM sealing of media blobs; ``associated`` binds a blob to its storage key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError(f"the media key must be 32 bytes, got {len(key)}")
        self._aead = AESGCM(key)

    def encrypt(self, data: bytes, associated: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return MAGIC + nonce + self._aead.encrypt(nonce, data, associated)

    def decrypt(self, blob: bytes, associated: bytes = b"") -> bytes:
        if not blob.startswith(MAGIC):
            raise ValueError("not an encrypted fitroom media blob")
        nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
        return self._aead.decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], associated)


def encode_jpeg(rgb: npt.NDArray[np.uint8], quality: int = 90) -> bytes:
    """JPEG bytes of an RGB uint8 (H, W, 3) image.

    Encoding from pixels writes no EXIF (no GPS, camera or time), which is how uploads lose theirs.
    """
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb), "RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()
