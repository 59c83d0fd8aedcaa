from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from fitroom.server.core.crypto import MediaCipher, derive_media_key
from fitroom.server.storage import FileSystemStorage

CIPHER = MediaCipher(derive_media_key("k" * 40))


def test_filesystem_storage_round_trip(tmp_path: Path) -> None:
    storage = FileSystemStorage(tmp_path)
    storage.put("users/1/looks/a.bin", b"abc")
    assert storage.exists("users/1/looks/a.bin")
    assert storage.get("users/1/looks/a.bin") == b"abc"
    storage.delete_prefix("users/1")
    assert not storage.exists("users/1/looks/a.bin")
    assert not (tmp_path / "users" / "1").exists()


@pytest.mark.parametrize("key", ["../escape", "/etc/passwd", "a/../../b", ""])
def test_storage_refuses_keys_leaving_root(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="invalid media key"):
        FileSystemStorage(tmp_path).put(key, b"x")


@given(st.binary(max_size=2048), st.binary(max_size=32))
def test_cipher_round_trip(data: bytes, associated: bytes) -> None:
    blob = CIPHER.encrypt(data, associated)
    assert CIPHER.decrypt(blob, associated) == data
    assert len(blob) == len(data) + 4 + 12 + 16


def test_cipher_detects_tampering_and_wrong_key() -> None:
    blob = bytearray(CIPHER.encrypt(b"look", b"users/1/a"))
    with pytest.raises(InvalidTag):
        CIPHER.decrypt(bytes(blob), b"users/2/a")  # moved to another key
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        CIPHER.decrypt(bytes(blob), b"users/1/a")
    other = MediaCipher(derive_media_key("z" * 40))
    with pytest.raises(InvalidTag):
        other.decrypt(CIPHER.encrypt(b"look"))
