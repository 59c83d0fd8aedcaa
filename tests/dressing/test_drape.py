"""The new garment carried out to the old garment's outline where the two nearly meet."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from fitroom.dressing.core import REGULAR_EASE
from fitroom.dressing.drape import (
    DRAPE_REACH,
    GAP_WIDTH,
    bridge_gaps,
    drape_band,
    enclosed_gaps,
    extend_fabric,
    own_neck_openings,
    sleeve_drape_allowed,
)
from fitroom.dressing.fit import PreparedGarments, fit_garment
from fitroom.fitting.anchors import body_anchors
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.garments import ingest_garment
from fitroom.imaging import decode_image
from fitroom.tryon import TryOn
from fitroom.vision.core import BodyPart, BodyParts


def _masks() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    union = np.zeros((300, 300), np.float32)
    union[50:200, 100:200] = 1.0  # the new top
    old = np.zeros((300, 300), np.float32)
    old[45:230, 95:205] = 1.0  # the old top: 5 px wider each side, 30 px longer
    old[100:120, 240:260] = 1.0  # an island of old fabric well away from the new top
    exposed = old * (1.0 - union)
    return union, old, exposed


class TestDrapeBand:
    def test_rim_beside_the_new_garment_is_covered(self) -> None:
        union, _, exposed = _masks()
        band = drape_band(exposed, union, np.ones_like(union), side=300)
        assert band[120, 97] > 0.9 and band[120, 202] > 0.9  # the sides
        assert band[47, 150] > 0.9  # above the shoulders

    def test_hem_and_islands_stay(self) -> None:
        union, _, exposed = _masks()
        band = drape_band(exposed, union, np.ones_like(union), side=300)
        assert band[215, 150] == 0.0  # below the new hem: the hem stays where it is
        assert band[110, 250] == 0.0  # an island of old fabric far from the new top
        reach = DRAPE_REACH * 300
        assert not (band[120, : round(100 - reach - 2)] > 0).any()

    def test_not_allowed_is_not_covered(self) -> None:
        union, _, exposed = _masks()
        allowed = np.ones_like(union)
        allowed[:, :150] = 0.0
        band = drape_band(exposed, union, allowed, side=300)
        assert band[120, 97] == 0.0 and band[120, 202] > 0.9


def test_a_wider_old_sleeve_beside_a_new_one_is_carried_out() -> None:
    """An arm in a new long sleeve 20 px wide, the old sleeve 6 px wider on each side: the old
    sleeve's rim beside the new one is sleeve fabric (carried out); below the new sleeve's end
    the arm is bare, and the old sleeve there is not."""
    labels = np.zeros((300, 300), np.uint8)
    labels[50:250, 134:166] = BodyPart.LEFT_UPPER_ARM
    parts = BodyParts(labels, np.zeros((300, 300), np.float32))
    union = np.zeros((300, 300), np.float32)
    union[50:180, 140:160] = 1.0  # the new sleeve, ending at row 180
    old = np.zeros((300, 300), np.float32)
    old[50:250, 134:166] = 1.0
    bare = np.zeros((300, 300), np.float32)
    bare[180:250, 130:170] = 1.0  # the bare stretch of the arm below the new sleeve
    allowed = sleeve_drape_allowed(parts, bare)
    band = drape_band(old * (1.0 - union), union, allowed, side=300)
    assert band[120, 136] > 0.9 and band[120, 163] > 0.9
    assert not (band[200:, :] > 0.5).any()
    # Off the arms nothing is allowed by it.
    assert allowed[120, 100] == 0.0


def test_extend_fabric_paints_the_garment_colour() -> None:
    union, _, exposed = _masks()
    base = np.full((300, 300, 3), 200.0, np.float32)
    base[union > 0.5] = (30.0, 60.0, 150.0)
    band = drape_band(exposed, union, np.ones_like(union), side=300)
    extend_fabric(base, band, union, np.ones_like(union))
    assert np.allclose(base[120, 97], (30.0, 60.0, 150.0), atol=2.0)
    assert np.allclose(base[215, 150], 200.0)  # untouched below the hem


class TestEnclosedGaps:
    @staticmethod
    def _sleeve_and_body() -> tuple[np.ndarray, np.ndarray]:
        union = np.zeros((300, 300), np.float32)
        union[50:250, 100:200] = 1.0  # the body panel
        union[60:250, 60:80] = 1.0  # a long sleeve 20 px beside it
        union[60:250, 270:290] = 1.0  # the other sleeve, 70 px away (an arm held out)
        old = np.zeros((300, 300), np.float32)
        old[50:260, 55:295] = 1.0  # the old top: loose, all of it
        return union, old * (1.0 - union)

    def test_a_narrow_gap_between_sleeve_and_body_is_closed(self) -> None:
        union, exposed = self._sleeve_and_body()
        gaps = enclosed_gaps(exposed, union, None, side=1000)  # GAP_WIDTH × 1000 = 50 px
        assert gaps[150, 90] > 0.9
        assert gaps[150, 235] == 0.0  # the wide gap shows what is behind
        assert gaps[150, 57] == 0.0  # outside the sleeve: nothing on the other side
        assert gaps[255, 90] == 0.0  # below both pieces

    def test_not_below_the_tuck_line(self) -> None:
        union, exposed = self._sleeve_and_body()
        gaps = enclosed_gaps(exposed, union, np.full(300, 120.0, np.float32), side=1000)
        assert gaps[100, 90] > 0.9 and gaps[150, 90] == 0.0

    def test_width_follows_the_photo(self) -> None:
        union, exposed = self._sleeve_and_body()
        assert GAP_WIDTH * 300 < 20  # on a small photo the same 20 px gap is wide
        assert not enclosed_gaps(exposed, union, None, side=300).any()


def test_sleeves_and_body_close_up_on_a_true_pair(shared_data: Path) -> None:
    """A person photographed in a black long-sleeved top, dressed in that top's product photo:
    no strip of painted skin or backdrop between the sleeves and the body (the gaps there were
    repainted, leaving 12 % of the photo's top uncovered)."""
    pairs = shared_data / "pairs"
    photo = decode_image(pairs / "image" / "00002_00.jpg")
    with TryOn(num_threads=1) as tryon:
        result = tryon.render(photo, [ingest_garment(pairs / "cloth" / "00002_00.jpg")])
    # VITON-HD's label 5 is the upper garment.
    region = np.array(Image.open(pairs / "image-parse" / "00002_00.png")) == 5
    assert float((result.visible_masks[0] > 0.5)[region].mean()) > 0.9


def test_bridged_gaps_carry_a_stripe_across() -> None:
    """A striped top: across the gap between sleeve and body each row takes the colours of
    its own two ends (an average would paint the gap flat grey)."""
    union = np.zeros((60, 100), np.float32)
    union[:, 10:30] = 1.0  # the sleeve
    union[:, 50:90] = 1.0  # the body
    base = np.full((60, 100, 3), 128.0, np.float32)  # the photo's grey in the gap
    dark = (np.arange(60) // 6) % 2 == 0  # stripes six rows high
    base[dark[:, None] & (union[..., None] > 0.5)[..., 0]] = 20.0
    base[~dark[:, None] & (union[..., None] > 0.5)[..., 0]] = 235.0
    gaps = np.zeros((60, 100), np.float32)
    gaps[:, 30:50] = 1.0
    bridge_gaps(base, gaps, union)
    assert np.allclose(base[3, 40], 20.0) and np.allclose(base[9, 40], 235.0)
    assert np.allclose(base[3, 5], 128.0)  # outside the gap: untouched


def test_opencv_numbers_nearest_pixel_labels_in_row_major_order() -> None:
    """drape_band and extend_fabric (and fold shading) look up each pixel's nearest source
    pixel by OpenCV's label, taking label k as the k-th source pixel in row-major order (as
    boolean indexing lists them): this checks that numbering."""
    rng = np.random.default_rng(3)
    source = rng.random((90, 70)) < 0.2
    for mask_size in (3, 5):
        _, labels = cv2.distanceTransformWithLabels(
            (~source).view(np.uint8), cv2.DIST_L2, mask_size, labelType=cv2.DIST_LABEL_PIXEL
        )
        assert np.array_equal(labels[source], np.arange(1, int(source.sum()) + 1))


def test_the_garments_own_v_neck_is_its_opening_not_a_rim() -> None:
    """A dress's panel that leaves out its own V-neck: the V between the neck points (down to
    the panel's first opaque pixel) is the opening; the panel below, beside and above the neck
    points is not; a panel without its own opening, or a top's, has none."""
    rgba = np.ones((200, 200, 4), np.float32)
    xs = np.arange(200)
    depth = np.clip(60 - 2 * np.abs(xs - 100), 0, None)  # a V 60 px deep between x 70 and 130
    rows = np.arange(200)[:, None]
    rgba[..., 3] = ~((rows >= 40) & (rows < 40 + depth[None, :]))
    panel = FittedLayer("torso", (0, 0, 200, 200), rgba)
    targets = {"neck_left": (130.0, 40.0), "neck_right": (70.0, 40.0)}
    own = FittedGarment(
        layers=(panel,), targets=targets, scale=1.0, region="full", own_neck_opening=True
    )
    opening = own_neck_openings([own], (200, 200))
    hole = rgba[..., 3] < 0.5
    assert opening[hole].min() == 1.0
    assert opening[~hole].max() == 0.0
    plain = FittedGarment(layers=(panel,), targets=targets, scale=1.0, region="full")
    assert not own_neck_openings([plain], (200, 200)).any()
    top = FittedGarment(layers=(panel,), targets=targets, scale=1.0, own_neck_opening=True)
    assert not own_neck_openings([top], (200, 200)).any()


def test_the_coat_dress_v_neck_is_not_filled_with_fabric(shared_data: Path) -> None:
    """The black coat dress on the person photographed in it, whose own V is narrower: the new
    V shows the neck and chest, not new fabric carried into it up to the old V's edge."""
    base = shared_data / "pairs"
    photo = decode_image(base / "image" / "020723_0.jpg")
    garment = ingest_garment(base / "cloth" / "020723_1.jpg")
    with TryOn() as tryon:
        result = tryon.render(photo, [garment])
    person = result.perception.single()
    assert person.parts is not None
    anchors = body_anchors(person.pose, person.parts, (photo.shape[1], photo.shape[0]))
    fitted = fit_garment(garment, anchors, REGULAR_EASE, PreparedGarments())
    opening = own_neck_openings([fitted], photo.shape[:2]) > 0.5
    assert opening.sum() > 500
    # (Skin is light here, the coat black: carried into the V, it blacked out 39 % of it.)
    luminance = cv2.cvtColor(result.image, cv2.COLOR_RGB2GRAY)
    assert (luminance[opening] < 60).mean() < 0.15
