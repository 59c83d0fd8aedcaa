"""The fitted-layer helpers (fitroom.fitting.fitted)."""

from __future__ import annotations

import cv2
import numpy as np

from fitroom.fitting.fitted import without_slivers


class TestWithoutSlivers:
    def test_a_strand_round_a_sleeve_is_dropped(self) -> None:
        """A panel with a two-pixel strand drawn out of its shoulder: the strand goes, the
        panel and its soft rim stay as they were."""
        layer = np.zeros((80, 80, 4), np.float32)
        cv2.circle(layer, (40, 50), 20, (90.0, 60.0, 30.0, 1.0), -1, cv2.LINE_AA)
        cv2.line(layer, (25, 35), (5, 5), (90.0, 60.0, 30.0, 1.0), 2)
        out = without_slivers(layer, 5)
        assert float(out[5:15, 3:14, 3].max()) == 0.0
        disc = np.zeros((80, 80), np.uint8)
        cv2.circle(disc, (40, 50), 17, 1, -1)
        assert np.array_equal(out[disc > 0], layer[disc > 0])

    def test_a_layer_without_strands_is_returned_as_it_is(self) -> None:
        layer = np.zeros((40, 40, 4), np.float32)
        layer[5:35, 5:35] = 1.0
        out = without_slivers(layer, 5)
        assert np.array_equal(out, layer)
