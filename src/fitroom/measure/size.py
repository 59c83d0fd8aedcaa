"""Size advice: which size of a garment to take, and how each zone of it will fit.

The garment's :class:`~fitroom.garments.core.SizeChart` gives, per size, the range of BODY
measurements the size is made for (``{"M": {"chest": SizeRange(96, 101), ...}}``). Column names
are matched to :data:`~fitroom.measure.core.MEASUREMENT_NAMES` through :data:`CHART_ALIASES`
(``bust`` → chest, ``hips``/``seat`` → hip, ``sleeve`` → arm_length, ...); other columns are
ignored and listed in the advice.

How a size is scored (lower is better), for each chart measurement the body has:

* inside the range: 0 (plus a tiny tie-break by distance to the range's middle);
* above the range (the garment is too small): 1.5 × (value − high) / 4 cm — too tight is worse
  than too loose;
* below the range (too large): (low − value) / 4 cm;

weighted 1.0 for chest, waist and hip, 0.8 for shoulders, 0.5 for lengths. The shopper's fit
preference moves the girths (chest, waist, hip) by :data:`PREFERENCE_SHIFT_CM` before scoring:
``slim`` as if the body were 3 cm smaller (a size closer to the body), ``loose`` 3 cm larger.
Per-zone fit compares the real (unshifted) body value with the recommended size's range: above it
``tight`` (lengths: ``short``), below it ``loose`` (``long``), else ``good``. The confidence is
the geometric mean, over the matched measurements, of the probability that the true value (the
estimate ± its uncertainty, Gaussian) falls in the recommended size's range widened halfway to the
neighbouring sizes.

No chart, or no chart column the body has → ``recommended`` is None and ``message`` says why:
fitroom never guesses a size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from fitroom.errors import InputError
from fitroom.garments.core import SizeChart, SizeRange
from fitroom.measure.core import BodyMeasurements

Preference = Literal["slim", "regular", "loose"]
Fit = Literal["tight", "good", "loose", "short", "long"]
Zone = Literal["shoulders", "chest", "waist", "hips", "length"]
PREFERENCES: tuple[Preference, ...] = ("slim", "regular", "loose")

#: Size-chart column name (lower case, ``_cm`` removed) → body measurement name.
CHART_ALIASES: dict[str, str] = {
    "chest": "chest",
    "bust": "chest",
    "chest_circumference": "chest",
    "waist": "waist",
    "waist_circumference": "waist",
    "hip": "hip",
    "hips": "hip",
    "seat": "hip",
    "hip_circumference": "hip",
    "shoulder": "shoulder_width",
    "shoulders": "shoulder_width",
    "shoulder_width": "shoulder_width",
    "inseam": "inseam",
    "inside_leg": "inseam",
    "arm_length": "arm_length",
    "sleeve": "arm_length",
    "sleeve_length": "arm_length",
    "height": "height",
    "torso_length": "torso_length",
}
ZONE_OF: dict[str, Zone] = {
    "shoulder_width": "shoulders",
    "chest": "chest",
    "waist": "waist",
    "hip": "hips",
    "inseam": "length",
    "arm_length": "length",
    "torso_length": "length",
    "height": "length",
}
_WEIGHTS = {"chest": 1.0, "waist": 1.0, "hip": 1.0, "shoulder_width": 0.8}
_LENGTH_WEIGHT = 0.5
_STEP_CM = 4.0
_TIGHT_FACTOR = 1.5
_TOLERANCE_CM = 0.5
#: How far a fit preference moves the girths before scoring, in cm.
PREFERENCE_SHIFT_CM: dict[str, float] = {"slim": -3.0, "regular": 0.0, "loose": 3.0}
_GIRTHS = frozenset({"chest", "waist", "hip"})


@dataclass(frozen=True)
class ZoneFit:
    """How one zone of the recommended size fits.

    Attributes:
        zone: shoulders, chest, waist, hips or length.
        fit: tight / good / loose (for length: short / good / long).
        measurement: the body measurement compared (e.g. ``inseam`` for a trouser length).
        body_cm: the body's value.
        range_cm: the recommended size's (low, high) for it.
    """

    zone: Zone
    fit: Fit
    measurement: str
    body_cm: float
    range_cm: tuple[float, float]


@dataclass(frozen=True)
class SizeAdvice:
    """The size to take and how it fits.

    Attributes:
        recommended: the best size, or None when no size can be recommended (see ``message``).
        runner_up: the second best, or None (one-size chart, or no recommendation).
        zones: per-zone fit of the recommended size, in zone order; one entry per zone the chart
            and the body both have (length: the first of inseam, arm length, torso length,
            height the chart lists).
        confidence: in [0, 1]; 0 when nothing is recommended.
        preference: the fit preference that was applied.
        scores: size → score (lower is better), in chart order.
        ignored: chart columns that match no body measurement.
        message: one sentence for the shopper.
    """

    recommended: str | None
    runner_up: str | None
    zones: tuple[ZoneFit, ...]
    confidence: float
    preference: Preference
    scores: dict[str, float] = field(hash=False)
    ignored: tuple[str, ...] = ()
    message: str = ""

    def zone(self, name: Zone) -> ZoneFit | None:
        """The fit of one zone, or None when the chart does not cover it."""
        return next((z for z in self.zones if z.zone == name), None)

    def as_dict(self) -> dict[str, object]:
        """The JSON-ready form."""
        return {
            "recommended": self.recommended,
            "runner_up": self.runner_up,
            "confidence": round(self.confidence, 3),
            "preference": self.preference,
            "zones": {
                z.zone: {
                    "fit": z.fit,
                    "measurement": z.measurement,
                    "body_cm": round(z.body_cm, 1),
                    "range_cm": list(z.range_cm),
                }
                for z in self.zones
            },
            "scores": {s: round(v, 3) for s, v in self.scores.items()},
            "ignored": list(self.ignored),
            "message": self.message,
        }


def _penalty(value: float, rng: SizeRange) -> float:
    if value > rng.high:
        return _TIGHT_FACTOR * (value - rng.high) / _STEP_CM
    if value < rng.low:
        return (rng.low - value) / _STEP_CM
    middle = 0.5 * (rng.low + rng.high)
    return 0.001 * abs(value - middle) / _STEP_CM


def _normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _widened(chart: SizeChart, size: str, column: str) -> tuple[float, float]:
    """The size's range for ``column`` widened halfway to the neighbouring sizes' ranges."""
    rng = chart.measurements[size][column]
    low, high = rng.low, rng.high
    others = [
        chart.measurements[s][column]
        for s in chart.sizes
        if s != size and column in chart.measurements[s]
    ]
    below = [o.high for o in others if o.high <= rng.low]
    above = [o.low for o in others if o.low >= rng.high]
    low = 0.5 * (low + max(below)) if below else -math.inf
    high = 0.5 * (high + min(above)) if above else math.inf
    return low, high


def _fit_label(value: float, rng: SizeRange, *, length: bool) -> Fit:
    if value > rng.high + _TOLERANCE_CM:
        return "short" if length else "tight"
    if value < rng.low - _TOLERANCE_CM:
        return "long" if length else "loose"
    return "good"


def no_chart_advice(preference: Preference = "regular") -> SizeAdvice:
    """The advice for a garment without a size chart: no size, and a message saying why."""
    return SizeAdvice(
        None,
        None,
        (),
        0.0,
        preference,
        {},
        message="this garment has no size chart, so no size can be recommended",
    )


def recommend_size(
    measurements: BodyMeasurements,
    chart: SizeChart | None,
    *,
    preference: Preference = "regular",
) -> SizeAdvice:
    """Recommend a size of a garment from the shopper's measurements and its size chart.

    Args:
        measurements: the shopper's body measurements (estimated or typed in).
        chart: the garment's size chart; None → no recommendation (never a guess).
        preference: slim, regular or loose fit.

    Returns:
        The advice; ``recommended`` is None with a ``message`` when there is no chart or the
        chart lists nothing the body measurements have.

    Raises:
        InputError: an unknown preference.
    """
    if preference not in PREFERENCES:
        raise InputError(f"fit preference must be one of {PREFERENCES}, got {preference!r}")
    if chart is None or not chart.sizes:
        return no_chart_advice(preference)
    columns = sorted({c for s in chart.sizes for c in chart.measurements[s]})
    matched = {
        c: CHART_ALIASES[c]
        for c in columns
        if c in CHART_ALIASES and measurements.get(CHART_ALIASES[c]) is not None
    }
    ignored = tuple(c for c in columns if c not in CHART_ALIASES)
    if not matched:
        return SizeAdvice(
            None,
            None,
            (),
            0.0,
            preference,
            {},
            ignored,
            message=(
                f"the size chart lists {', '.join(columns) or 'nothing'}, none of which "
                "was measured, so no size can be recommended"
            ),
        )
    shift = PREFERENCE_SHIFT_CM[preference]

    def effective(body: str) -> float:
        value = measurements[body]
        return value + shift if body in _GIRTHS else value

    scores: dict[str, float] = {}
    for size in chart.sizes:
        row = chart.measurements[size]
        total = 0.0
        for column, body in matched.items():
            if column in row:
                weight = _WEIGHTS.get(body, _LENGTH_WEIGHT)
                total += weight * _penalty(effective(body), row[column])
            else:
                total += 0.5  # a size that does not say is a little less safe
        scores[size] = total
    ranked = sorted(chart.sizes, key=lambda s: (scores[s], chart.sizes.index(s)))
    best = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None

    zones: dict[Zone, ZoneFit] = {}
    probabilities: list[float] = []
    length_order = ("inseam", "arm_length", "torso_length", "height")
    by_body = sorted(
        matched.items(),
        key=lambda item: length_order.index(item[1]) if item[1] in length_order else -1,
    )
    for column, body in by_body:
        row = chart.measurements[best]
        if column not in row:
            continue
        zone = ZONE_OF[body]
        value = measurements[body]
        if zone not in zones:
            zones[zone] = ZoneFit(
                zone,
                _fit_label(value, row[column], length=zone == "length"),
                body,
                value,
                (row[column].low, row[column].high),
            )
        low, high = _widened(chart, best, column)
        sigma = max(measurements.uncertainty_cm.get(body, 0.0), 0.3)
        v = effective(body)
        p = _normal_cdf((high - v) / sigma) - _normal_cdf((low - v) / sigma)
        probabilities.append(max(p, 1e-6))
    confidence = math.exp(sum(math.log(p) for p in probabilities) / len(probabilities))
    order: tuple[Zone, ...] = ("shoulders", "chest", "waist", "hips", "length")
    zone_fits = tuple(zones[z] for z in order if z in zones)
    off = [f"{z.zone} {z.fit}" for z in zone_fits if z.fit != "good"]
    message = f"take {best}" + (f" ({', '.join(off)})" if off else ", a good fit everywhere")
    if runner_up is not None and confidence < 0.5:
        message += f"; between sizes, {runner_up} is close"
    return SizeAdvice(best, runner_up, zone_fits, confidence, preference, scores, ignored, message)


__all__ = [
    "CHART_ALIASES",
    "PREFERENCES",
    "PREFERENCE_SHIFT_CM",
    "Fit",
    "Preference",
    "SizeAdvice",
    "ZoneFit",
    "no_chart_advice",
    "recommend_size",
]
