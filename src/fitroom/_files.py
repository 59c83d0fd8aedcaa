"""Reading a file the caller named: only a regular file, with a byte cap, never blocking.

A path may name a folder, a named pipe (reading it waits for a writer forever), a device
(``/dev/zero`` never ends) or a link to one of them. Such paths are refused by what they are,
checked on the opened descriptor (``fstat``; no race with a swap after a check), and the file is
opened non-blocking so that even a pipe put in its place cannot hang the reader. A regular file is
read to at most ``max_bytes + 1`` bytes, so a file that grows while read cannot exhaust memory.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from fitroom.errors import InputError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a ``st_mode`` describes, in words ("a regular file", "a folder", ...).

    >>> import stat
    >>> file_kind(stat.S_IFIFO | 0o644)
    'a named pipe (FIFO)'
    """
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def _refusal(path: Path, mode: int, what: str) -> str:
    return f"{path} is {file_kind(mode)}, not a file; give the path of {what}"


def _os_message(path: Path, exc: OSError, what: str) -> str:
    if exc.errno == errno.ENOENT:
        return f"{path}: no such file; give the path of {what}"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{path}: permission denied; give the path of {what} you can read"
    if exc.errno == errno.ENOTDIR:
        return f"{path}: a part of the path is a file, not a folder"
    if exc.errno == errno.ELOOP:
        return f"{path}: too many levels of symbolic links"
    return f"{path} cannot be read ({exc.strerror or exc})"


def check_input_file(
    path: str | os.PathLike[str], *, what: str, error: type[InputError] = InputError
) -> Path:
    """``path`` if it names (or links to) a regular file, for readers that open it themselves
    (video decoders); ``error`` naming what the path is otherwise.
    """
    src = Path(path)
    try:
        mode = os.stat(src).st_mode
    except OSError as exc:
        raise error(_os_message(src, exc, what)) from None
    except ValueError as exc:  # an embedded NUL byte
        raise error(f"{src!r} is not a usable path ({exc})") from None
    if not stat.S_ISREG(mode):
        raise error(_refusal(src, mode, what))
    return src


def read_input_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int,
    what: str,
    error: type[InputError] = InputError,
    too_large: type[InputError] | None = None,
) -> bytes:
    """The bytes of the regular file at ``path`` (symbolic links followed), at most ``max_bytes``.

    Args:
        path: the file to read.
        max_bytes: refuse files larger than this (checked on the size and while reading).
        what: what the caller expects, for messages ("a JPEG, PNG or WebP image").
        error: the error raised for anything that is not a readable regular file.
        too_large: the error raised for a file over ``max_bytes`` (default ``error``).

    Raises:
        InputError: ``error`` or ``too_large``, with a one-line message naming the path.
    """
    src = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO for reading does not wait for a writer; it is then
        # refused by fstat below without a single read.
        fd = os.open(src, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.EISDIR or (exc.errno == errno.ENXIO and src.exists()):
            mode = os.stat(src).st_mode
            raise error(_refusal(src, mode, what)) from None
        raise error(_os_message(src, exc, what)) from None
    except ValueError as exc:  # an embedded NUL byte
        raise error(f"{src!r} is not a usable path ({exc})") from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise error(_refusal(src, status.st_mode, what))
        big = too_large or error
        if status.st_size > max_bytes:
            raise big(
                f"{src}: {status.st_size} bytes is over the limit of {max_bytes} bytes for {what}"
            )
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise big(f"{src} grew over the limit of {max_bytes} bytes for {what} while read")
    except OSError as exc:
        raise error(_os_message(src, exc, what)) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


__all__ = ["check_input_file", "file_kind", "read_input_file"]
