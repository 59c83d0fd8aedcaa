"""Size advice on hand-computed cases: boundaries, fit preference, missing chart, zones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitroom.errors import InputError
from fitroom.garments import parse_size_chart
from fitroom.garments.core import SizeChart
from fitroom.measure import BodyMeasurements, Scale, recommend_size

# S: chest 86–91, waist 71–76; M: 92–97, 77–82; L: 98–103, 83–88 (cm of body).
CHART = parse_size_chart(
    "size,chest_cm,waist_cm,inseam\nS,86-91,71-76,76-79\nM,92-97,77-82,79-82\nL,98-103,83-88,82-85\n"
)


def body(chest: float, waist: float, inseam: float = 80.5, sigma: float = 1.0) -> BodyMeasurements:
    values = {"chest": chest, "waist": waist, "inseam": inseam}
    return BodyMeasurements(
        measurements_cm=values,
        uncertainty_cm=dict.fromkeys(values, sigma),
        warnings=(),
        views="front",
        scale=Scale(0.2, 0.01, "given"),
    )


class TestRecommendSize:
    def test_inside_one_size(self) -> None:
        advice = recommend_size(body(94, 79), CHART)
        assert advice.recommended == "M"
        # S: both 3 cm over → 2 × 1.5 × 3/4 = 2.25; L: both 4 cm under → 2 × 4/4 = 2 → L second.
        assert advice.runner_up == "L"
        assert [z.fit for z in advice.zones] == ["good", "good", "good"]
        assert [z.zone for z in advice.zones] == ["chest", "waist", "length"]

    def test_range_bounds_are_inclusive(self) -> None:
        assert recommend_size(body(97, 82, 82), CHART).recommended == "M"
        assert recommend_size(body(92, 77, 79), CHART).recommended == "M"
        assert recommend_size(body(91, 76, 79), CHART).recommended == "S"

    def test_just_over_the_top_prefers_the_larger_size(self) -> None:
        # 97.5 / 82.5 (inseam 82 fits both): M is 0.5 cm too small twice (1.5 × 0.5/4 each
        # = 0.375), L 0.5 cm too large twice (0.5/4 each = 0.25): too tight weighs more → L.
        assert recommend_size(body(97.5, 82.5, inseam=82), CHART).recommended == "L"
        # With an inseam of 80.5 (M only; L 1.5 cm too long: 0.5 × 1.5/4) M wins again.
        assert recommend_size(body(97.5, 82.5, inseam=80.5), CHART).recommended == "M"

    def test_fit_preference_changes_the_answer(self) -> None:
        # Shift ±3 cm: 96/81 → slim 93/78 (M), regular M, loose 99/84 (L).
        assert recommend_size(body(96, 81), CHART, preference="slim").recommended == "M"
        assert recommend_size(body(96, 81), CHART).recommended == "M"
        assert recommend_size(body(96, 81), CHART, preference="loose").recommended == "L"
        # 93/78 → slim 90/75 (S).
        assert recommend_size(body(93, 78), CHART, preference="slim").recommended == "S"
        assert recommend_size(body(93, 78), CHART).recommended == "M"

    def test_zone_fit_labels(self) -> None:
        # Chest 99 (M 2 cm too small: 0.75), waist 80 (L 3 cm too large: 0.75): a tie on the
        # penalties; the tie-break (distance to the range middle) keeps M, whose chest is tight.
        advice = recommend_size(body(99, 80), CHART)
        assert advice.recommended == "M"
        chest, waist = advice.zone("chest"), advice.zone("waist")
        assert chest is not None and chest.fit == "tight" and chest.range_cm == (92.0, 97.0)
        assert waist is not None and waist.fit == "good"
        assert advice.zone("shoulders") is None

    def test_length_zone_is_short_or_long(self) -> None:
        short = recommend_size(body(94, 79, inseam=86), CHART).zone("length")
        long = recommend_size(body(94, 79, inseam=76), CHART).zone("length")
        assert short is not None and short.fit == "short"
        assert long is not None and long.fit == "long"

    def test_confidence_is_lower_at_a_boundary(self) -> None:
        middle = recommend_size(body(94.5, 79.5, sigma=1.0), CHART)
        edge = recommend_size(body(97.5, 79.5, sigma=1.0), CHART)
        assert middle.recommended == edge.recommended == "M"
        # Ranges widened halfway to the neighbours: chest 91.5–97.5 (at 97.5: p = ½), waist
        # 76.5–82.5 (79.5 ± 3σ: p = 0.9973), inseam 79–82 (80.5 ± 1.5σ: p = 0.8664).
        assert edge.confidence == pytest.approx((0.5 * 0.9973 * 0.8664) ** (1 / 3), abs=0.002)
        assert middle.confidence > edge.confidence

    def test_missing_chart_never_guesses(self) -> None:
        advice = recommend_size(body(94, 79), None)
        assert advice.recommended is None and advice.runner_up is None
        assert advice.confidence == 0.0 and advice.zones == ()
        assert "no size chart" in advice.message

    def test_chart_with_nothing_measured(self) -> None:
        chart = parse_size_chart("size,neck,wrist\nS,36-38,15-16\nM,39-41,16-17\n")
        advice = recommend_size(body(94, 79), chart)
        assert advice.recommended is None
        assert advice.ignored == ("neck", "wrist")
        assert "neck" in advice.message

    def test_aliases(self) -> None:
        chart = parse_size_chart("size,bust,hips\nS,80-85,88-93\nM,86-91,94-99\n")
        values = {"chest": 88.0, "hip": 96.0}
        m = BodyMeasurements(
            values, dict.fromkeys(values, 1.0), (), "front", Scale(0.2, 0.01, "given")
        )
        advice = recommend_size(m, chart)
        assert advice.recommended == "M"
        assert {z.zone for z in advice.zones} == {"chest", "hips"}

    def test_unknown_preference(self) -> None:
        with pytest.raises(InputError, match="preference"):
            recommend_size(body(94, 79), CHART, preference="baggy")  # type: ignore[arg-type]

    def test_as_dict(self) -> None:
        doc = recommend_size(body(94, 79), CHART).as_dict()
        assert doc["recommended"] == "M"
        assert set(doc["zones"]) == {"chest", "waist", "length"}  # type: ignore[arg-type]


def _index(chart: SizeChart, size: str | None) -> int:
    assert size is not None
    return chart.sizes.index(size)


@given(
    chest=st.floats(80, 110),
    waist=st.floats(65, 95),
    grow=st.floats(0.0, 10.0),
    preference=st.sampled_from(["slim", "regular", "loose"]),
)
def test_a_larger_body_never_gets_a_smaller_size(
    chest: float, waist: float, grow: float, preference: str
) -> None:
    small = recommend_size(body(chest, waist), CHART, preference=preference)  # type: ignore[arg-type]
    large = recommend_size(body(chest + grow, waist + grow), CHART, preference=preference)  # type: ignore[arg-type]
    assert _index(CHART, large.recommended) >= _index(CHART, small.recommended)


@given(chest=st.floats(80, 110), waist=st.floats(65, 95))
def test_looser_preference_never_gets_a_smaller_size(chest: float, waist: float) -> None:
    sizes = [
        _index(CHART, recommend_size(body(chest, waist), CHART, preference=p).recommended)
        for p in ("slim", "regular", "loose")
    ]
    assert sizes == sorted(sizes)
    assert 0.0 <= recommend_size(body(chest, waist), CHART).confidence <= 1.0
