"""The drawn demo garments: product-photo looks, and they still ingest as what was drawn."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fitroom.errors import InputError
from fitroom.garments import ingest_garment
from fitroom.garments.synth import DEMO_CATALOG, synth_garment


@pytest.mark.parametrize(("name", "kind", "pattern", "seed"), DEMO_CATALOG)
def test_demo_garment_ingests_as_drawn(name: str, kind: str, pattern: str, seed: int) -> None:
    drawn = synth_garment(kind, seed=seed, pattern=pattern)  # type: ignore[arg-type]
    garment = ingest_garment(drawn.image, name=name)
    truth = drawn.alpha >= 0.5
    mask = garment.alpha >= 0.5
    assert float((mask & truth).sum() / (mask | truth).sum()) >= 0.98
    assert garment.category == drawn.category
    if drawn.category != "lower":
        assert garment.sleeve == drawn.sleeve_length
    else:
        assert garment.subcategory == drawn.subcategory


def test_fabric_has_texture_and_folds() -> None:
    """A plain tee is not flat colour: a fine texture (pixel-scale variation well above the
    sensor noise) and broad shading (folds and light) inside the garment."""
    drawn = synth_garment("t-shirt", seed=2, pattern="solid")
    inside = cv2.erode((drawn.alpha >= 0.99).astype(np.uint8), np.ones((25, 25), np.uint8)) > 0
    grey = cv2.cvtColor(drawn.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    fine = grey - cv2.GaussianBlur(grey, (0, 0), 2.0)
    broad = cv2.GaussianBlur(grey, (0, 0), 6.0)
    assert float(fine[inside].std()) > 2.0
    assert float(np.percentile(broad[inside], 95) - np.percentile(broad[inside], 5)) > 8.0


def test_backdrop_is_near_white_with_a_soft_drop_shadow() -> None:
    drawn = synth_garment("trousers", seed=9, pattern="solid")
    grey = cv2.cvtColor(drawn.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    outside = drawn.alpha <= 0.0
    assert float(np.median(grey[outside])) >= 225
    ys, xs = np.nonzero(drawn.alpha >= 0.5)
    below = grey[ys.max() + 12 : ys.max() + 20, xs.min() + 40 : xs.max() - 40]
    above = grey[ys.min() - 20 : ys.min() - 12, xs.min() + 40 : xs.max() - 40]
    assert float(below.mean()) <= float(above.mean()) - 3.0  # the lamp is above: shadow below


def test_same_seed_same_picture_and_bad_kind_refused() -> None:
    a = synth_garment("dress", seed=7, pattern="print").image
    np.testing.assert_array_equal(a, synth_garment("dress", seed=7, pattern="print").image)
    with pytest.raises(InputError):
        synth_garment("cape", seed=1)
