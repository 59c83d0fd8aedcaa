"""Garment category from the silhouette (fitroom.garments.category): shorts, skirts, trousers."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitroom.garments import ingest_garment
from fitroom.garments.category import HEM_STEP_OF_LEGS, hem_step
from fitroom.garments.cutout import cut_out
from fitroom.garments.silhouette import silhouette
from fitroom.garments.synth import synth_garment

#: The true pairs' lower garments: all four are shorts (Dress Code "lower" pairs).
PAIR_SHORTS = ("013563_1.jpg", "013568_1.jpg", "013569_1.jpg", "013571_1.jpg")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_skirt_hem_runs_smoothly_and_shorts_step(seed: int) -> None:
    """A drawn skirt's hem has no step in its middle; drawn shorts step where the legs part."""
    skirt = silhouette(cut_out(synth_garment("skirt", seed=seed).image).mask)
    shorts = silhouette(cut_out(synth_garment("shorts", seed=seed).image).mask)
    assert hem_step(skirt) < HEM_STEP_OF_LEGS
    assert hem_step(shorts) >= HEM_STEP_OF_LEGS


@pytest.mark.parametrize("seed", [0, 5])
def test_drawn_skirts_stay_skirts(seed: int) -> None:
    garment = ingest_garment(synth_garment("skirt", seed=seed).image)
    assert (garment.category, garment.subcategory) == ("lower", "skirt")


@pytest.mark.shared
@pytest.mark.parametrize("name", PAIR_SHORTS)
def test_pair_shorts_are_read_as_shorts(shared_data: Path, name: str) -> None:
    """Including 013563: white wide-leg shorts whose legs hang together under a tie belt (no
    gap between the legs shows); read as a skirt, they were drawn down to the ankles."""
    garment = ingest_garment(shared_data / "pairs" / "cloth" / name)
    assert (garment.category, garment.subcategory) == ("lower", "shorts")
    lm = garment.landmarks
    # A crotch a fitted garment can pin (a skirt has none), above the hem on both sides.
    assert float(lm["crotch"][2]) >= 0.5
    for side in ("left", "right"):
        assert lm["crotch"][1] < lm[f"hem_{side}_inner"][1]
