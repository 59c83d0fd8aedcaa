"""Palette, pattern and the similarity vector."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.garments.features import body_crop, classify_pattern, colour_name, palette
from fitroom.garments.ingest import ingest_garment
from fitroom.garments.synth import synth_garment


@pytest.mark.parametrize("pattern", ["solid", "stripes", "checks", "dots", "print"])
def test_pattern_of_drawn_fabrics(pattern: str) -> None:
    hits = 0
    for seed in range(4):
        drawn = synth_garment("t-shirt", seed=seed, pattern=pattern)  # type: ignore[arg-type]
        grey, valid = body_crop(drawn.image, drawn.alpha >= 0.5)
        hits += classify_pattern(grey, valid) == pattern
    assert hits >= 3


@settings(max_examples=15, deadline=None)
@given(rgb=st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)))
def test_palette_of_a_solid_colour(rgb: tuple[int, int, int]) -> None:
    image = np.empty((40, 40, 3), np.uint8)
    image[:] = rgb
    colours = palette(image, np.ones((40, 40), bool))
    assert len(colours) == 1
    assert colours[0].share == pytest.approx(1.0)
    assert max(abs(a - b) for a, b in zip(colours[0].rgb, rgb, strict=True)) <= 2


def test_palette_shares_and_names() -> None:
    image = np.zeros((60, 60, 3), np.uint8)
    image[:, :45] = (200, 30, 40)
    image[:, 45:] = (25, 35, 75)
    colours = palette(image, np.ones((60, 60), bool))
    assert [c.name for c in colours] == ["red", "navy"]
    assert colours[0].share == pytest.approx(0.75, abs=0.02)
    assert sum(c.share for c in colours) == pytest.approx(1.0)
    assert colour_name(np.array([100.0, 0.0, 0.0])) == "white"


def test_similarity_vector_prefers_the_same_kind() -> None:
    a = ingest_garment(synth_garment("t-shirt", seed=1, pattern="stripes").image)
    b = ingest_garment(synth_garment("t-shirt", seed=2, pattern="stripes").image)
    c = ingest_garment(synth_garment("trousers", seed=3, pattern="print").image)
    for g in (a, b, c):
        assert g.features.vector.dtype == np.float32
        assert float(np.linalg.norm(g.features.vector)) == pytest.approx(1.0, abs=1e-5)
    assert float(a.features.vector @ b.features.vector) > float(
        a.features.vector @ c.features.vector
    )
