"""Media storage: a small interface, a folder (one machine) and the database (every machine).

Keys are relative POSIX paths such as ``looks/12/ab.bin``; another backend (an S3-compatible
store) only needs the same five methods. With PostgreSQL the shop keeps media in the
``media_blobs`` table, so every web process and job worker of a cluster sees the same bytes and
a deletion is gone everywhere at once; with SQLite (one machine) they stay files under a folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, sessionmaker

from fitroom.server.models import MediaBlob


class MediaStorage(Protocol):
    """Where media bytes live."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def delete_prefix(self, prefix: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class FileSystemStorage:
    """Media as files under ``root``; writes are atomic (temporary file + rename)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The file of ``key``; refuses keys that would leave the root."""
        return self.root.joinpath(*PurePosixPath(_valid_key(key)).parts)

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        target = self.path(prefix)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()


def _valid_key(key: str) -> str:
    rel = PurePosixPath(key)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"invalid media key {key!r}")
    return rel.as_posix()


class DatabaseStorage:
    """Media as rows of ``media_blobs`` (PostgreSQL); a put replaces the key's bytes atomically."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def put(self, key: str, data: bytes) -> None:
        statement = pg_insert(MediaBlob).values(key=_valid_key(key), data=data)
        statement = statement.on_conflict_do_update(
            index_elements=[MediaBlob.key], set_={"data": statement.excluded.data}
        )
        with self.sessions.begin() as session:
            session.execute(statement)

    def get(self, key: str) -> bytes:
        with self.sessions() as session:
            data = session.scalar(select(MediaBlob.data).where(MediaBlob.key == _valid_key(key)))
        if data is None:
            raise FileNotFoundError(key)
        return bytes(data)

    def delete(self, key: str) -> None:
        with self.sessions.begin() as session:
            session.execute(delete(MediaBlob).where(MediaBlob.key == _valid_key(key)))

    def delete_prefix(self, prefix: str) -> None:
        folder = _valid_key(prefix)
        # The key itself and everything under it as a folder; LIKE wildcards are escaped.
        pattern = folder.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"
        with self.sessions.begin() as session:
            session.execute(
                delete(MediaBlob).where(
                    (MediaBlob.key == folder) | MediaBlob.key.like(pattern, escape="\\")
                )
            )

    def exists(self, key: str) -> bool:
        with self.sessions() as session:
            found = session.scalar(select(MediaBlob.key).where(MediaBlob.key == _valid_key(key)))
        return found is not None
