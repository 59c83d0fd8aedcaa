"""The neck opening read from real product photos (fitroom.garments.neck_opening)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from fitroom.garments import Garment, GarmentPart, ingest_garment
from fitroom.garments.neck_opening import collar_at_neck, neck_opening
from fitroom.garments.synth import synth_garment

_INGESTED: dict[Path, Garment] = {}


def _garment(path: Path) -> Garment:
    if not path.is_file():
        pytest.skip(f"{path.name} not in the shared data")
    if path not in _INGESTED:
        _INGESTED[path] = ingest_garment(path)
    return _INGESTED[path]


def _neck(garment: Garment) -> tuple[int, int, int, float]:
    """(left x, right x, centre x, the top edge's row at the centre) of the neck opening."""
    lm = garment.landmarks
    x0, x1 = sorted((round(float(lm["neck_left"][0])), round(float(lm["neck_right"][0]))))
    cx = (x0 + x1) // 2
    top = float(np.argmax(garment.cutout[:, cx, 3] > 127))
    return x0, x1, cx, top


def _depth_at_centre(opening: npt.NDArray[np.bool_], cx: int, top: float) -> float:
    rows = np.flatnonzero(opening[:, cx])
    return float(rows.max()) - top if rows.size else 0.0


def test_a_tees_opening_covers_its_labels_and_stops_at_the_front_neckline(
    shared_data: Path,
) -> None:
    """A black crew-neck tee (the inside of its back a little darker, two white labels): the
    opening takes the labels in and stops above the front neckline; the chest below it and
    the shoulders beside it stay garment; ingestion stores it in the part map."""
    tee = _garment(shared_data / "pairs" / "cloth" / "00001_00.jpg")
    opening = neck_opening(tee.cutout, tee.landmarks)
    assert opening is not None
    x0, x1, cx, top = _neck(tee)
    span = x1 - x0
    # The labels: bright patches just below the back collar in the middle of a black tee.
    grey = cv2.cvtColor(tee.cutout[..., :3], cv2.COLOR_RGB2GRAY)
    window = np.zeros(grey.shape, bool)
    window[
        round(top) : round(top + 0.4 * span), round(cx - 0.3 * span) : round(cx + 0.3 * span)
    ] = True
    labels = window & (grey > 150) & (tee.cutout[..., 3] > 127)
    assert labels.sum() > 100
    assert opening[labels].mean() > 0.9
    # The front neckline of a crew neck lies about half the opening's width below the collar.
    assert 0.2 * span < _depth_at_centre(opening, cx, top) < 0.7 * span
    assert not opening[round(top + 0.9 * span) :].any()
    assert not opening[:, : x0 - 1].any() and not opening[:, x1 + 2 :].any()
    assert (tee.parts == int(GarmentPart.NECK_INSIDE)).sum() == (opening & (tee.parts > 0)).sum()


def test_a_white_tees_opening_is_the_shaded_inside(shared_data: Path) -> None:
    """A white tee: the inside of the back is in shadow (grey); the opening is that grey
    region, clearly darker than the front fabric just below it."""
    tee = _garment(shared_data / "pairs" / "cloth" / "00005_00.jpg")
    opening = neck_opening(tee.cutout, tee.landmarks)
    assert opening is not None
    x0, x1, cx, top = _neck(tee)
    span = x1 - x0
    depth = _depth_at_centre(opening, cx, top)
    assert 0.2 * span < depth < 0.9 * span
    grey = cv2.cvtColor(tee.cutout[..., :3], cv2.COLOR_RGB2GRAY).astype(np.float32)
    below = grey[
        round(top + depth + 0.03 * span) : round(top + depth + 0.12 * span), cx - 10 : cx + 10
    ]
    assert float(np.median(grey[opening])) < float(np.median(below)) - 20


@pytest.mark.parametrize(
    "relpath", ["garments/vitonhd_04469_00.jpg", "pairs/cloth/020723_1.jpg"], ids=["top", "dress"]
)
def test_a_v_necks_opening_reaches_down_into_the_v(shared_data: Path, relpath: str) -> None:
    """A V-neck top and a V-neck dress: the opening goes down into the V (more than half its
    width below the collar) and narrows to it (a V, not a wide scoop)."""
    garment = _garment(shared_data / relpath)
    opening = neck_opening(garment.cutout, garment.landmarks)
    assert opening is not None
    x0, x1, cx, top = _neck(garment)
    span = x1 - x0
    depth = _depth_at_centre(opening, cx, top)
    assert depth > 0.6 * span
    low = round(top + 0.8 * depth)
    assert opening[low].sum() < 0.5 * span


@pytest.mark.parametrize(
    "relpath",
    ["pairs/cloth/000009_1.jpg", "pairs/cloth/020714_1.jpg"],
    ids=["buttoned-shirt", "one-shoulder"],
)
def test_no_opening_is_read_where_the_photo_shows_none(shared_data: Path, relpath: str) -> None:
    """A shirt buttoned up to its collar shows no inside; a one-shoulder dress has no
    symmetric neckline: no opening is read (the dressing falls back to its fixed one), and
    ingestion stores none."""
    garment = _garment(shared_data / relpath)
    assert neck_opening(garment.cutout, garment.landmarks) is None
    assert not (garment.parts == int(GarmentPart.NECK_INSIDE)).any()


@pytest.mark.parametrize(
    ("kind", "seed", "pattern"),
    [("t-shirt", 1, "stripes"), ("shirt", 4, "checks"), ("dress", 2, "solid")],
)
def test_drawn_garments_have_no_inside_to_read(kind: str, seed: int, pattern: str) -> None:
    """fitroom's own drawings have no inside of the back in their neck (the outline there is
    the front neckline, its drawn band is fabric): nothing is read, nothing stored."""
    garment = ingest_garment(synth_garment(kind, seed=seed, pattern=pattern).image)  # type: ignore[arg-type]
    assert neck_opening(garment.cutout, garment.landmarks) is None
    assert not (garment.parts == int(GarmentPart.NECK_INSIDE)).any()


@pytest.mark.parametrize(
    ("relpath", "round_the_neck"),
    [
        ("pairs/cloth/020714_1.jpg", False),
        ("garments/catvton_overall_21744571_51588794.jpg", False),
        ("pairs/cloth/020716_1.jpg", True),
        ("pairs/cloth/020723_1.jpg", True),
        ("pairs/cloth/000009_1.jpg", True),
        ("pairs/cloth/00069_00.jpg", True),
    ],
    ids=["one-shoulder", "halter-straps", "tank-dress", "v-neck-coat", "shirt", "tank"],
)
def test_a_one_shoulder_top_edge_does_not_go_round_the_neck(
    shared_data: Path, relpath: str, round_the_neck: bool
) -> None:
    """The one-shoulder dress has its neck points far apart in height: no collar goes round
    the neck, so the dressing hides no opening below its top edge (it cut a hole into the
    bodice). So has the crochet dress with two thin halter straps, read with one neck point
    at a strap's end and the other on the bodice's straight top edge: that edge is the
    bodice's front, with no inside to hide (an opening was cut into it too). Straps, tanks,
    V-necks and collars keep theirs."""
    garment = _garment(shared_data / relpath)
    assert collar_at_neck(garment.landmarks) is round_the_neck
