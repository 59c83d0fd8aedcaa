"""A garment's pieces ready to warp (fitroom.fitting.garment_layers): rims in the fabric colour."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fitroom.fitting.garment_layers import SOLID_ALPHA, decontaminated, premultiplied_parts
from fitroom.garments import ingest_garment


class TestDecontaminated:
    def test_a_black_tops_rim_is_black_not_the_backdrop(self, shared_data: Path) -> None:
        """A black long-sleeved top photographed on white: its cutout's soft rim is mostly
        backdrop; the parts drawn on a person carry the fabric's colour out to the rim (a
        light outline round every piece otherwise)."""
        garment = ingest_garment(shared_data / "pairs" / "cloth" / "00002_00.jpg")
        alpha = garment.cutout[..., 3].astype(np.float32) / 255.0
        rim = (alpha > 0.05) & (alpha < SOLID_ALPHA)
        assert int(rim.sum()) > 1000
        raw = garment.cutout[..., :3].astype(np.float32)
        assert float(np.median(raw[rim].mean(axis=1))) > 120.0  # the backdrop shows in it
        clean = decontaminated(raw, alpha)
        assert float(np.median(clean[rim].mean(axis=1))) < 60.0
        solid = alpha >= SOLID_ALPHA
        assert np.array_equal(clean[solid], raw[solid])  # the fabric itself is untouched
        parts = premultiplied_parts(garment.cutout, garment.parts)
        torso = parts["torso"]
        edge = (torso[..., 3] > 0.05) & (torso[..., 3] < 0.5)
        colour = torso[..., :3][edge] / torso[..., 3][edge][:, None]
        assert float(np.median(colour.mean(axis=1))) < 60.0

    def test_nothing_to_do_without_a_rim(self) -> None:
        rgb = np.full((8, 8, 3), 40.0, np.float32)
        assert decontaminated(rgb, np.ones((8, 8), np.float32)) is rgb
