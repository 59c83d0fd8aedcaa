from __future__ import annotations

import platform

import numpy as np
import pytest

from fitroom.server.memory import bound_allocator, trim_heap


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="tunes glibc's malloc only")
def test_allocator_is_bounded_and_trims_on_glibc() -> None:
    assert bound_allocator()
    photo = np.ones((2000, 3000, 3), np.uint8)  # a freed 18 MB array, as after an upload
    del photo
    trim_heap()  # returns what is free; must not fail or block
