from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from fitroom.server.crud import SIZE_ORDER, size_key, slugify


@given(st.text(max_size=200))
def test_slug_is_url_safe(text: str) -> None:
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= 80


@given(st.permutations(SIZE_ORDER))
def test_letter_sizes_sort_in_wearing_order(sizes: list[str]) -> None:
    assert tuple(sorted(sizes, key=size_key)) == SIZE_ORDER
    assert sorted([*sizes, "42"], key=size_key)[-1] == "42"


def test_truncated_slug_has_no_trailing_dash() -> None:
    assert slugify("a" * 79 + " bb") == "a" * 79
    assert slugify("¡¡¡") == "garment"
