"""One dressing for photo and live (fitroom.dressing.core): the same function, the same pixels."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

import fitroom.dressing.core as dressing_core
from fitroom.dressing.core import Dressed, DressOptions, dress
from fitroom.dressing.fit import PreparedGarments
from fitroom.fitting.anchors import BodyAnchors
from fitroom.garments import Garment
from fitroom.imaging import decode_image
from fitroom.live import LiveOptions, LiveSession
from fitroom.tryon import TryOn, TryOnOptions, TryOnResult

FloatArray = npt.NDArray[np.float32]


@pytest.fixture(scope="module")
def tryon() -> Iterator[TryOn]:
    with TryOn(num_threads=1) as model:
        yield model


def _live_render(
    garment: Garment, photo: np.ndarray, result: TryOnResult, options: LiveOptions
) -> np.ndarray:
    """The frame a live session dresses from the photo's own perception, at the photo's size
    (no working copy: ``work_long_side=None``), as the first frame of a stream."""
    with LiveSession([garment], options, work_long_side=None) as live:
        frame = live.render(photo, result.perception, timestamp_ms=0)
    assert frame.garment_visible
    return frame.image


class TestLiveEqualsPhoto:
    """A frame dressed by live equals the photo path's render at the same size and pose."""

    @pytest.mark.parametrize("size", ["M", "XL"])
    def test_astronaut(
        self, tryon: TryOn, astronaut: np.ndarray, tee: Garment, shirt: Garment, size: str
    ) -> None:
        garment = tee if size == "M" else shirt
        photo = tryon.render(astronaut, [garment], TryOnOptions(size=size))
        live = _live_render(garment, astronaut, photo, LiveOptions(size=size))
        assert not np.array_equal(photo.image, astronaut)
        assert np.array_equal(live, photo.image)

    @pytest.mark.parametrize("tuck", [None, True])
    def test_full_body_photo_with_own_trousers(
        self, tryon: TryOn, shared_data: Path, tee: Garment, tuck: bool | None
    ) -> None:
        """On a research photo of a person in trousers (old top removed, the waistband found
        or the tuck above the hips): the same pixels too."""
        picture = decode_image(shared_data / "persons" / "dresscode_049205_0.jpg")
        photo = tryon.render(picture, [tee], TryOnOptions(tuck=tuck))
        live = _live_render(tee, picture, photo, LiveOptions(tuck=tuck))
        assert np.array_equal(live, photo.image)


_POINTS = ("shoulders", "shoulder_joints", "elbows", "wrists", "hips", "knees", "ankles")


class _Recorder:
    """A stream that smooths nothing (or moves the anchors by ``lag`` pixels, as a smoothing
    lagging a moving person does) and records what the dressing asked of it."""

    def __init__(self, keep_old: bool = False, lag: float = 0.0) -> None:
        self.keep_old = keep_old
        self.lag = lag
        self.calls: list[str] = []

    def keep_old_garment(self, unreliable_pose: bool) -> bool:
        self.calls.append(f"keep_old({unreliable_pose})")
        return self.keep_old

    def smooth_anchors(self, anchors: BodyAnchors) -> BodyAnchors:
        self.calls.append("anchors")
        if not self.lag:
            return anchors
        shift = np.array([self.lag, 0.0], np.float32)
        moved = {name: getattr(anchors, name) + shift for name in _POINTS}
        edges = anchors.torso_edges + np.array([0.0, self.lag, self.lag], np.float32)
        return replace(anchors, torso_edges=edges, **moved)

    def smooth_waistband(self, line: FloatArray | None) -> FloatArray | None:
        self.calls.append("waistband")
        return line

    def waistband_unused(self) -> None:
        self.calls.append("waistband_unused")


def _dress(
    photo: TryOnResult,
    picture: np.ndarray,
    garment: Garment,
    options: DressOptions,
    stream: _Recorder,
) -> Dressed:
    """:func:`dress` on the photo path's own perception, with ``stream``."""
    person = photo.perception.single()
    assert person.parts is not None
    return dress(
        picture,
        person.pose,
        person.parts,
        photo.perception.mask.mask,
        [garment],
        options,
        PreparedGarments(),
        stream=stream,
    )


class TestDress:
    def test_a_stream_is_asked_for_its_smoothing_in_order(
        self, tryon: TryOn, astronaut: np.ndarray, tee: Garment
    ) -> None:
        photo = tryon.render(astronaut, [tee])
        stream = _Recorder()
        dressed = _dress(photo, astronaut, tee, DressOptions(), stream)
        assert stream.calls == ["keep_old(False)", "anchors", "waistband"]
        assert np.array_equal(dressed.image, photo.image)
        tucked = _Recorder()
        _dress(photo, astronaut, tee, DressOptions(tuck=True), tucked)
        assert tucked.calls == ["keep_old(False)", "anchors", "waistband_unused"]

    def test_a_streams_smoothed_anchors_place_the_garment_not_the_limbs(
        self, tryon: TryOn, astronaut: np.ndarray, tee: Garment, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Smoothing lags a moving person: the garment goes where the smoothed anchors say, but
        the old garment is removed around the limbs where this picture shows them (limbs from
        the lagging anchors painted the wall over a walking person's real arm)."""
        photo = tryon.render(astronaut, [tee])
        seen: list[np.ndarray] = []
        render = dressing_core.render_fitted

        def recording(*args: object, **kwargs: object) -> object:
            limbs = kwargs["limbs"]
            seen.append(np.asarray(limbs.left_arm.bones))  # type: ignore[attr-defined]
            return render(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(dressing_core, "render_fitted", recording)
        still = _dress(photo, astronaut, tee, DressOptions(), _Recorder())
        lagging = _dress(photo, astronaut, tee, DressOptions(), _Recorder(lag=12.0))
        assert np.array_equal(seen[0], seen[1])
        moved = [np.asarray(d.fitted[0].targets["shoulder_left"]) for d in (still, lagging)]
        assert abs(float(moved[1][0] - moved[0][0]) - 12.0) < 1.0

    def test_keeping_the_old_garment_draws_the_same_garment(
        self, tryon: TryOn, astronaut: np.ndarray, shirt: Garment
    ) -> None:
        photo = tryon.render(astronaut, [shirt])
        kept = _dress(photo, astronaut, shirt, DressOptions(), _Recorder(keep_old=True))
        # The same garment, less the rim carried out to the old outline (the old garment stays
        # there instead: see fitroom.dressing.drape).
        assert np.all(kept.visible_masks[0] <= photo.visible_masks[0] + 1e-6)
        drawn = photo.visible_masks[0] > 0.5
        same = np.abs(kept.visible_masks[0] - photo.visible_masks[0]) < 1e-6
        assert float(same[drawn].mean()) > 0.85
        # The garment looks the same (only its soft edges let what lies under them show).
        shows = (photo.visible_masks[0] > 0.99) & (kept.visible_masks[0] > 0.99)
        diff = np.abs(kept.image[shows].astype(int) - photo.image[shows])
        assert float(diff.mean()) < 1.0
        # Beside the new garment the old one stays as the photo has it.
        outside = photo.visible_masks[0] < 0.01
        assert (
            np.abs(kept.image[outside].astype(int) - astronaut[outside]).mean()
            < np.abs(photo.image[outside].astype(int) - astronaut[outside]).mean()
        )


@pytest.mark.shared
@pytest.mark.slow
def test_an_open_jacket_stays_in_front_of_new_shorts(tryon: TryOn, shared_data: Path) -> None:
    """Only shorts tried on, on a photo whose waistband is not found (a dark jacket hanging
    open over dark shorts): the jacket and the shirt stay as they were down to the regular
    waist row (drawn over, they were cut off at the new waistband), and the shorts are drawn
    over most of the old ones."""
    from PIL import Image

    from fitroom.dressing.old_garment import analyse_old_garment
    from fitroom.dressing.waistband import waistband_line
    from fitroom.fitting.anchors import body_anchors
    from fitroom.fitting.lower_fit import regular_waist_row
    from fitroom.garments import ingest_garment

    pairs = shared_data / "pairs"
    photo = decode_image(pairs / "image" / "013569_0.jpg")
    labels = np.array(Image.open(pairs / "image-parse" / "013569_4.png"))
    shorts = ingest_garment(pairs / "cloth" / "013569_1.jpg")
    result = tryon.render(photo, [shorts])
    person = result.perception.single()
    assert person.parts is not None
    mask = result.perception.mask.mask
    old = analyse_old_garment(person.parts, mask, photo)
    assert waistband_line(person.parts, mask, photo, old=old) is None
    anchors = body_anchors(person.pose, person.parts, (photo.shape[1], photo.shape[0]))
    row = round(regular_waist_row(anchors))
    # (Dress Code parse labels: 4 the top, 5 and 6 trousers, shorts or a skirt.)
    # Just above the regular row: where the shorts' own rise puts their waistband.
    hip = anchors.hips.mean(axis=0)
    thigh = float(np.hypot(*(anchors.knees.mean(axis=0) - hip)))
    top = labels == 4
    top[row:] = False
    top[: row - round(0.15 * thigh)] = False
    assert top.sum() > 500
    diff = np.abs(result.image.astype(np.int16) - photo.astype(np.int16)).max(axis=2)
    assert float((diff[top] <= 12).mean()) > 0.9
    worn = np.isin(labels, (5, 6))
    assert float((result.garment_mask[worn] > 0.5).mean()) > 0.8


@pytest.mark.shared
@pytest.mark.slow
def test_trousers_leave_the_shirt_hanging_over_them(tryon: TryOn, shared_data: Path) -> None:
    """A man in a navy shirt hanging over black trousers (no waistband of another colour to
    find) tries on jeans: the shirt's lower part, below the regular waist row (the parse map's
    upper-clothes rows from 380 down), stays as it was on more than 70 % of its pixels (the
    jeans were drawn over 63 % of it, cutting the shirt short: see top_edge_row)."""
    from PIL import Image

    from fitroom.garments import ingest_garment

    photo = decode_image(shared_data / "pairs" / "image" / "000001_0.jpg")
    parse = np.array(Image.open(shared_data / "pairs" / "image-parse" / "000001_4.png"))
    jeans = ingest_garment(shared_data / "garments" / "dresscode_051827_1.jpg")
    assert jeans.category == "lower"
    out = tryon.render(photo, [jeans]).image
    rows = np.arange(parse.shape[0])[:, None]
    shirt_hem = (parse == 4) & (rows >= 380)
    assert int(shirt_hem.sum()) > 5000
    change = np.abs(out.astype(np.int16) - photo.astype(np.int16)).max(axis=2)
    assert float((change[shirt_hem] > 12).mean()) < 0.3
    # The jeans are drawn below it.
    assert float((change[parse == 6] > 12).mean()) > 0.5


@pytest.mark.shared
@pytest.mark.slow
def test_no_old_waistband_left_between_the_top_and_new_trousers(
    tryon: TryOn, shared_data: Path
) -> None:
    """A man in a grey sweatshirt over light blue jeans tries on cream trousers. The jeans are
    too close to the sweatshirt's grey at the waist for their waistband to be found there; it
    was found at mid-thigh, where they turn darker, and the sweatshirt was kept in front of
    the new trousers down to there: the torso's rows between its hem and the new trousers,
    the old jeans' waistband, stayed blue across the body. No waistband lies that low (see
    lowest_waistband_row): the sweatshirt's own hem is taken, and the cream trousers go up to
    it."""
    import cv2

    from fitroom.fitting.anchors import body_anchors
    from fitroom.fitting.lower_fit import lowest_waistband_row
    from fitroom.garments import ingest_garment

    photo = decode_image(shared_data / "persons" / "dresscode_051962_0.jpg")
    trousers = ingest_garment(shared_data / "garments" / "dresscode_051988_1.jpg")
    assert trousers.category == "lower"
    result = tryon.render(photo, [trousers])
    person = result.perception.single()
    assert person.parts is not None
    anchors = body_anchors(person.pose, person.parts, (photo.shape[1], photo.shape[0]))
    lab = cv2.cvtColor(photo.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    out_lab = cv2.cvtColor(result.image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    # The old jeans' blue (b* well below 0) on the body's middle, above the hips.
    hips = anchors.hips.mean(axis=0)
    half = 0.5 * abs(float(anchors.hips[0, 0] - anchors.hips[1, 0]))
    box = (
        slice(0, round(lowest_waistband_row(anchors))),
        slice(round(hips[0] - half), round(hips[0] + half)),
    )
    assert int((lab[box][..., 2] < -12).sum()) > 1000  # (the jeans are there in the photo)
    # No band of it across the body (17 rows were blue across more than half of it), and
    # most of it gone (2827 pixels were left; the rest lies round the hands in the pockets).
    blue = out_lab[box][..., 2] < -12
    assert int((blue.mean(axis=1) > 0.5).sum()) == 0
    assert int(blue.sum()) < 1200
