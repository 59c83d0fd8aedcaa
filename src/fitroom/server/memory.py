"""Giving memory freed after large uploads back to the system (glibc malloc).

Nothing of an upload is meant to outlive its request — the bytes, the decoded pixels and the
try-on's intermediate arrays are freed — but glibc's allocator may keep freed memory resident:

* every thread that allocates gets an arena of its own (up to 8 per core), and the requests run
  on a pool of up to 40 threads, so freed photo-sized blocks lie in many heaps;
* after a large mmapped block is freed glibc raises its mmap threshold (up to 32 MB), so the
  next photo-sized arrays come from those heaps, where a freed block below a live one can never
  be returned.

:func:`bound_allocator` (called once as the app starts) caps the arenas and fixes the mmap
threshold, so image-sized arrays are mmapped and go back to the system when freed;
:func:`trim_heap` (after each request that carried an upload) hands back the free tops of the
heaps. On a C library other than glibc both do nothing. This bounds the allocator's share only:
memory still referenced (see ``benchmarks/hostile_uploads.py``) is not touched.
"""

from __future__ import annotations

import logging
import threading

from fitroom._allocator import M_ARENA_MAX, M_MMAP_THRESHOLD, glibc

log = logging.getLogger(__name__)

#: Arenas kept: two cores, two threads doing heavy work at a time.
ARENA_MAX = 2
#: Blocks from this size on are mmapped (a 640x480 RGB photo is 900 KB); fixing it also stops
#: glibc from raising it after each large free.
MMAP_THRESHOLD_BYTES = 256 * 1024

_trimming = threading.Lock()


def bound_allocator() -> bool:
    """Cap glibc's arenas and fix its mmap threshold for this process; whether it applied."""
    libc = glibc()
    if libc is None:
        return False
    applied = bool(libc.mallopt(M_ARENA_MAX, ARENA_MAX)) and bool(
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    )
    if not applied:
        log.warning("could not tune glibc malloc; memory may grow under large uploads")
    return applied


def trim_heap() -> None:
    """Return the free memory at the top of every malloc heap to the system (``malloc_trim``).

    Takes some milliseconds; a trim already running makes this one unnecessary, so it returns.
    """
    libc = glibc()
    if libc is None or not _trimming.acquire(blocking=False):
        return
    try:
        libc.malloc_trim(0)
    finally:
        _trimming.release()
