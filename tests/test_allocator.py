"""The C allocator keeps freed memory for the next render (fitroom._allocator)."""

from __future__ import annotations

import resource
import sys

import numpy as np
import pytest


def _render_like() -> float:
    """Twelve 4 MB arrays alive at once, then all freed (as a render's full-frame masks)."""
    arrays = [np.ones(2**20, np.float32) for _ in range(12)]
    return sum(float(a[::1024].sum()) for a in arrays)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_render_sized_arrays_reuse_freed_memory_instead_of_fresh_pages() -> None:
    """After the tuning, ten rounds of render-like allocations fault in (almost) no pages;
    with glibc's defaults the freed 48 MB went back to the kernel after each round and each
    round faulted in about half of its 12,288 pages again."""
    from fitroom._allocator import keep_freed_memory

    assert keep_freed_memory()
    assert keep_freed_memory()  # idempotent
    _render_like()  # the first round's memory comes from the kernel
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        _render_like()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults < 0.1 * 12 * 4 * 2**20 // resource.getpagesize()
