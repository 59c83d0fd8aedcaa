"""Garment-measurement charts (garment minus ease) and the picture fit of a size, hand-computed."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitroom.errors import InputError
from fitroom.garments.core import SizeChart, SizeRange
from fitroom.measure import BodyMeasurements, garment_size_chart, picture_fit, recommend_size
from fitroom.measure.size import LENGTH_EXPONENT, PICTURE_LENGTH_RANGE, PICTURE_WIDTH_RANGE

# Finished garment chest circumferences (cm) of a shirt; with an ease of 6–10 cm the body ranges
# are S 86–90, M 94–98, L 102–106.
GARMENT = {"S": {"chest": 96.0}, "M": {"chest": 104.0}, "L": {"chest": 112.0}}
EASE = {"chest": (6.0, 10.0)}


class TestGarmentSizeChart:
    def test_body_range_is_garment_minus_ease(self) -> None:
        chart = garment_size_chart(GARMENT, EASE)
        assert chart.sizes == ("S", "M", "L")
        # 96 − 10 … 96 − 6, 104 − 10 … 104 − 6, 112 − 10 … 112 − 6.
        assert chart.measurements["S"]["chest"] == SizeRange(86.0, 90.0)
        assert chart.measurements["M"]["chest"] == SizeRange(94.0, 98.0)
        assert chart.measurements["L"]["chest"] == SizeRange(102.0, 106.0)

    def test_default_ease_and_aliases(self) -> None:
        # hips → hip, default ease 4–10; sleeve → arm_length, default −2…2; _cm dropped.
        chart = garment_size_chart({"M": {"Hips_cm": 110.0, "sleeve": 62.0}})
        assert chart.measurements["M"] == {
            "hips": SizeRange(100.0, 106.0),
            "sleeve": SizeRange(60.0, 64.0),
        }

    def test_boundary_sizes_through_the_advice(self) -> None:
        chart = garment_size_chart(GARMENT, EASE)

        def size_for(chest: float) -> str | None:
            return recommend_size(BodyMeasurements.typed({"chest": chest}), chart).recommended

        # Inclusive bounds: 98 is still M (104 − 6), 94 is M (104 − 10), 90 is S.
        assert size_for(98.0) == "M"
        assert size_for(94.0) == "M"
        assert size_for(90.0) == "S"
        # 99: M 1 cm too small (1.5 × 1/4 = 0.375), L 3 cm too large (3/4 = 0.75) → M.
        assert size_for(99.0) == "M"
        # 101: M 3 cm over (1.125), L 1 cm under (0.25) → L.
        assert size_for(101.0) == "L"

    def test_fit_preference_changes_the_answer(self) -> None:
        chart = garment_size_chart(GARMENT, EASE)
        body = BodyMeasurements.typed({"chest": 96.0})
        # 96 → slim 93 (between S 86–90 and M 94–98: S 3 over = 1.125, M 1 under = 0.25 → M);
        # loose 99 → M (see above); a body of 93: slim 90 → S, regular → M, loose 96 → M.
        assert recommend_size(body, chart, preference="slim").recommended == "M"
        small = BodyMeasurements.typed({"chest": 93.0})
        assert recommend_size(small, chart, preference="slim").recommended == "S"
        assert recommend_size(small, chart).recommended == "M"

    def test_missing_chart_gives_no_size(self) -> None:
        advice = recommend_size(BodyMeasurements.typed({"chest": 96.0}), None)
        assert advice.recommended is None
        assert "no size chart" in advice.message

    @pytest.mark.parametrize(
        ("garment", "ease", "message"),
        [
            ({"M": {"collar": 40.0}}, None, "collar"),
            ({"M": {"chest": -1.0}}, None, "positive"),
            ({"M": {"chest": 100.0}}, {"chest": (8.0, 4.0)}, "least"),
            ({"M": {"height": 170.0}}, None, "height"),
        ],
    )
    def test_refuses_what_it_cannot_convert(
        self,
        garment: dict[str, dict[str, float]],
        ease: dict[str, tuple[float, float]] | None,
        message: str,
    ) -> None:
        with pytest.raises(InputError, match=message):
            garment_size_chart(garment, ease)


BODY_CHART = SizeChart(
    ("S", "M", "L"),
    {
        "S": {"chest": SizeRange(86, 92)},
        "M": {"chest": SizeRange(92, 100)},
        "L": {"chest": SizeRange(100, 108), "torso_length": SizeRange(52, 56)},
    },
)


class TestPictureFit:
    def test_hand_computed(self) -> None:
        body = BodyMeasurements.typed({"chest": 96.0, "torso_length": 50.0})
        fit_m = picture_fit(BODY_CHART, "M", body)
        fit_s = picture_fit(BODY_CHART, "S", body)
        fit_l = picture_fit(BODY_CHART, "L", body)
        assert fit_m is not None and fit_s is not None and fit_l is not None
        # M: middle 96 = body → a regular fit (1.04), length 1.
        assert (fit_m.width_ease, fit_m.length_scale) == (1.04, 1.0)
        # S: 89/96 × 1.04 = 0.9642; length (89/96)^0.6.
        assert fit_s.width_ease == pytest.approx(0.9642, abs=1e-4)
        assert fit_s.length_scale == pytest.approx((89 / 96) ** LENGTH_EXPONENT, abs=1e-4)
        # L has a torso length column: 54 / 50 = 1.08; width 104/96 × 1.04 = 1.1267.
        assert fit_l.width_ease == pytest.approx(1.1267, abs=1e-4)
        assert fit_l.length_scale == pytest.approx(1.08)
        assert fit_l.basis == ("chest", "torso_length")

    def test_no_chart_or_nothing_shared_gives_none(self) -> None:
        assert picture_fit(None, "M", BodyMeasurements.typed({"chest": 96.0})) is None
        assert picture_fit(BODY_CHART, "M", BodyMeasurements.typed({"waist": 80.0})) is None

    def test_unknown_size_is_refused(self) -> None:
        with pytest.raises(InputError, match="XXL"):
            picture_fit(BODY_CHART, "XXL", BodyMeasurements.typed({"chest": 96.0}))

    @given(st.floats(60.0, 160.0))
    def test_larger_sizes_are_never_tighter_or_shorter(self, chest: float) -> None:
        body = BodyMeasurements.typed({"chest": chest})
        fits = [picture_fit(BODY_CHART, s, body) for s in ("S", "M")]
        assert fits[0] is not None and fits[1] is not None
        assert fits[0].width_ease <= fits[1].width_ease
        assert fits[0].length_scale <= fits[1].length_scale
        for fit in fits:
            assert PICTURE_WIDTH_RANGE[0] <= fit.width_ease <= PICTURE_WIDTH_RANGE[1]
            assert PICTURE_LENGTH_RANGE[0] <= fit.length_scale <= PICTURE_LENGTH_RANGE[1]


def test_two_sizes_give_different_garment_areas(astronaut: npt.NDArray[np.uint8]) -> None:
    from fitroom.garments import ingest_garment
    from fitroom.garments.synth import synth_garment
    from fitroom.tryon import TryOn, TryOnOptions

    drawn = synth_garment("t-shirt", seed=2, pattern="solid")
    rgba = np.dstack([drawn.image, np.round(drawn.alpha * 255).astype(np.uint8)])
    garment = ingest_garment(rgba, name="plain tee", category_hint="t-shirt")
    body = BodyMeasurements.typed({"chest": 96.0})
    # The demo shop's grading at the ends: XS for chests 80–86, XL for 108–116.
    chart = SizeChart(
        ("XS", "XL"), {"XS": {"chest": SizeRange(80, 86)}, "XL": {"chest": SizeRange(108, 116)}}
    )
    areas = {}
    with TryOn(num_threads=1) as tryon:
        for size in ("XS", "XL"):
            fit = picture_fit(chart, size, body)
            assert fit is not None
            options = TryOnOptions(width_ease=fit.width_ease, length_scale=fit.length_scale)
            result = tryon.render(astronaut, [garment], options)
            areas[size] = float(result.visible_masks[0].mean())
    # XS is drawn at 0.90 of the body, XL at 1.21: the larger one covers visibly more (seen:
    # 6 % more garment pixels on the astronaut).
    assert areas["XL"] > 1.04 * areas["XS"], areas
