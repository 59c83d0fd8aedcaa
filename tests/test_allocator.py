"""The C allocator keeps freed memory for the next render (fitroom._allocator)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Run in a child process: the tuning is process-wide and would stay on for every later test.
CHILD = textwrap.dedent(
    """
    import resource
    import numpy as np
    from fitroom._allocator import keep_freed_memory

    def render_like():
        # Twelve 4 MB arrays alive at once, then all freed (as a render's full-frame masks).
        arrays = [np.ones(2**20, np.float32) for _ in range(12)]
        return sum(float(a[::1024].sum()) for a in arrays)

    assert keep_freed_memory()
    assert keep_freed_memory()  # idempotent
    render_like()  # the first round's memory comes from the kernel
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        render_like()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_render_sized_arrays_reuse_freed_memory_instead_of_fresh_pages() -> None:
    """After the tuning, ten rounds of render-like allocations fault in (almost) no pages;
    with glibc's defaults the freed 48 MB went back to the kernel after each round and each
    round faulted in about half of its 12,288 pages again."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    faults = int(done.stdout.split()[-1])
    assert faults < 0.1 * 12 * 4 * 2**20 // 4096
