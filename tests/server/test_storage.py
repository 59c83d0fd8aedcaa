from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete

from fitroom.server.core.crypto import MediaCipher, derive_media_key
from fitroom.server.db import make_engine, make_session_factory
from fitroom.server.models import MediaBlob
from fitroom.server.storage import DatabaseStorage, FileSystemStorage

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


@pytest.fixture(scope="module")
def database_storage() -> Iterator[DatabaseStorage]:
    """Media in the real PostgreSQL of FITROOM_TEST_DATABASE_URL (skipped without it)."""
    url = os.environ.get("FITROOM_TEST_DATABASE_URL")
    if not url:
        pytest.skip("FITROOM_TEST_DATABASE_URL is not set")
    engine = make_engine(url)
    MediaBlob.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(delete(MediaBlob).where(MediaBlob.key.like("storage-test/%")))
    yield DatabaseStorage(make_session_factory(engine))
    engine.dispose()


def test_database_storage_round_trip_and_replace(database_storage: DatabaseStorage) -> None:
    storage = database_storage
    storage.put("storage-test/users/1/looks/a.bin", b"abc")
    storage.put("storage-test/users/1/looks/a.bin", b"abcd")  # a put replaces
    assert storage.exists("storage-test/users/1/looks/a.bin")
    assert storage.get("storage-test/users/1/looks/a.bin") == b"abcd"
    assert not storage.exists("storage-test/users/1/looks/b.bin")
    with pytest.raises(FileNotFoundError):
        storage.get("storage-test/users/1/looks/b.bin")


def test_database_storage_deletes_a_prefix_as_a_folder(database_storage: DatabaseStorage) -> None:
    storage = database_storage
    keys = ["storage-test/users/1/x.bin", "storage-test/users/1/sub/y.bin"]
    others = ["storage-test/users/10/z.bin", "storage-test/users_1/w.bin", "storage-test/u%/v"]
    for key in keys + others:
        storage.put(key, key.encode())
    storage.delete_prefix("storage-test/users/1")
    assert [k for k in keys if storage.exists(k)] == []
    assert [k for k in others if storage.exists(k)] == others  # "_" and "%" are not wildcards
    storage.delete("storage-test/users/10/z.bin")
    assert not storage.exists("storage-test/users/10/z.bin")


def test_database_storage_refuses_keys_leaving_root(database_storage: DatabaseStorage) -> None:
    with pytest.raises(ValueError, match="invalid media key"):
        database_storage.put("../escape", b"x")


def test_a_look_sealed_in_the_database_is_unreadable_there(
    database_storage: DatabaseStorage,
) -> None:
    # Looks are sealed before storage: the row holds ciphertext bound to its key.
    key = "storage-test/users/2/looks/l.bin"
    database_storage.put(key, CIPHER.encrypt(b"\xff\xd8 a JPEG", key.encode()))
    raw = database_storage.get(key)
    assert not raw.startswith(b"\xff\xd8")
    assert CIPHER.decrypt(raw, key.encode()) == b"\xff\xd8 a JPEG"
    with pytest.raises(InvalidTag):
        CIPHER.decrypt(raw, b"storage-test/users/3/looks/l.bin")
