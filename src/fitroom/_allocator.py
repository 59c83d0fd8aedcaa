"""Keep freed memory for the next render: the C allocator told not to give it back at once.

A photo render allocates and frees about a hundred full-frame arrays (float32 masks of a
megapixel are 3-4 MB each). With glibc's defaults the freed memory at the top of the heap is
handed back to the kernel once it passes the (adaptive) trim threshold, and the next arrays
come from fresh pages that the kernel must map and zero one 4 KB page at a time on first touch:
on one core that was about 30 ms of the ~190 ms the dressing took for one top on a 768×1024
photo (CPU time, ``benchmarks/tryon_speed.py``'s photo), for no change in any pixel. Large
arrays (up to glibc's 32 MB limit) are then taken from the heap, and up to
:data:`TRIM_THRESHOLD` of free memory stays with the process between renders: its resident
size stays near its peak instead of falling back after each render.

Process-wide (the allocator is shared), so it is the process's owner that calls it, not the
library's classes: ``benchmarks/tryon_speed.py --keep-freed-memory`` does; the web app and the
job worker bound the allocator the other way on purpose (:mod:`fitroom.server.memory`:
photo-sized blocks mapped and given back after each upload). A no-op on other C libraries and
systems.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

#: Arrays up to this size come from the heap (glibc refuses more than 32 MB on 64-bit).
MMAP_THRESHOLD = 32 * 2**20
#: Free memory at the heap's top kept for reuse before any is given back to the kernel.
TRIM_THRESHOLD = 256 * 2**20

#: ``mallopt`` parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

_applied = False


@cache
def glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``mallopt`` and ``malloc_trim``), else None.

    Shared with :mod:`fitroom.server.memory`, which tunes the same allocator the other way.
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if libc is None or not hasattr(libc, "mallopt") or not hasattr(libc, "malloc_trim"):
        return None
    libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    libc.mallopt.restype = ctypes.c_int
    return libc


def keep_freed_memory() -> bool:
    """Tune the C allocator (see the module docstring); True when it took the settings.

    Idempotent. Both thresholds are set together: setting either one fixes the other at its
    current value (glibc stops adapting them), and a small fixed mmap threshold alone would
    map, and fault in, every large array afresh.
    """
    global _applied
    if _applied:
        return True
    libc = glibc()
    if libc is None:
        return False
    ok = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    _applied = ok
    return ok
