"""Size advice: which size of a garment to take, and how each zone of it will fit.

(Just over 500 lines: chart parsing, per-zone ease and the size choice are read together; the
measurement side lives in :mod:`~fitroom.measure.estimate`.)

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

Two kinds of chart are understood. A chart of BODY ranges is the :class:`SizeChart` itself. A
chart of GARMENT measurements (the finished garment's chest, waist... circumferences) plus the
ease a body needs inside it becomes one through :func:`garment_size_chart`: the body range of a
size is ``garment − max ease … garment − min ease``.

:func:`picture_fit` turns the same chart numbers into how the try-on picture draws a size on
this body (garment width over body width, and a length scale), so the picture and the advice
never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from fitroom.errors import InputError
from fitroom.fitting.garment_fit import size_ease
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


#: Ease (garment minus body, cm) a regular fit leaves per body measurement: (least, most).
#: Typical allowances of ready-to-wear blocks; lengths may sit a little either side.
DEFAULT_EASE_CM: dict[str, tuple[float, float]] = {
    "chest": (4.0, 12.0),
    "waist": (2.0, 8.0),
    "hip": (4.0, 10.0),
    "shoulder_width": (0.0, 3.0),
    "arm_length": (-2.0, 2.0),
    "inseam": (-2.0, 2.0),
    "torso_length": (-3.0, 3.0),
}


def garment_size_chart(
    garment_cm: Mapping[str, Mapping[str, float]],
    ease_cm: Mapping[str, tuple[float, float]] | None = None,
) -> SizeChart:
    """A body size chart from the finished garment's measurements plus ease.

    The body a size is made for has ``garment − most ease ≤ body ≤ garment − least ease``.

    Args:
        garment_cm: size → column → the garment's measurement in cm, in chart order; columns
            are named as in body charts (``chest``, ``waist``, ``hips``, ``sleeve``...,
            see :data:`CHART_ALIASES`); circumferences, not flat half-widths.
        ease_cm: body measurement name (``chest``, ``hip``...) → (least, most) ease in cm;
            missing names fall back to :data:`DEFAULT_EASE_CM`.

    Returns:
        The chart of body ranges, with the garment's column names.

    Raises:
        InputError: an unknown column, a measurement without any ease known, a non-positive
            measurement or an ease whose least exceeds its most.

    >>> chart = garment_size_chart({"M": {"chest": 104.0}}, {"chest": (6.0, 10.0)})
    >>> chart.measurements["M"]["chest"]
    SizeRange(low=94.0, high=98.0)
    """
    ease = {**DEFAULT_EASE_CM, **(ease_cm or {})}
    for name, (least, most) in ease.items():
        if not (math.isfinite(least) and math.isfinite(most) and least <= most):
            raise InputError(
                f"ease of {name} must be (least, most) in cm with least ≤ most, got {(least, most)}"
            )
    rows: dict[str, dict[str, SizeRange]] = {}
    for size, columns in garment_cm.items():
        row: dict[str, SizeRange] = {}
        for column, value in columns.items():
            key = column.lower().removesuffix("_cm")
            body = CHART_ALIASES.get(key)
            if body is None or body not in ease:
                known = ", ".join(sorted(k for k, v in CHART_ALIASES.items() if v in ease))
                raise InputError(
                    f"garment measurement {column!r} of size {size!r} is not one fitroom can "
                    f"turn into a body range; use one of {known}"
                )
            if not (math.isfinite(value) and value > 0):
                raise InputError(
                    f"garment measurement {column!r} of size {size!r} must be a positive "
                    f"number of cm, got {value}"
                )
            least, most = ease[body]
            row[key] = SizeRange(float(value) - most, float(value) - least)
        rows[size] = row
    return SizeChart(tuple(garment_cm), rows)


#: Garment width over body width the picture may be given (inside TryOnOptions' own limits).
PICTURE_WIDTH_RANGE = (0.85, 1.4)
#: Length scale the picture may be given.
PICTURE_LENGTH_RANGE = (0.85, 1.15)
#: Length follows the girth ratio to this power when the chart has no length column: grading
#: adds about 1.5-2 cm of length per 4 cm of chest (about 0.6 of the relative change).
LENGTH_EXPONENT = 0.6
_LENGTHS = ("torso_length", "arm_length", "inseam")


@dataclass(frozen=True)
class PictureFit:
    """How the try-on picture draws one size of a garment on one body.

    Attributes:
        size: the size drawn.
        width_ease: garment width over body width (below 1 tight, 1.04 a regular fit); for
            ``TryOnOptions.width_ease``.
        length_scale: length relative to a regular fit on this body (below 1 shorter); for
            ``TryOnOptions.length_scale``.
        basis: the body measurements the numbers came from.
    """

    size: str
    width_ease: float
    length_scale: float
    basis: tuple[str, ...]

    def __post_init__(self) -> None:
        for name, value, (lo, hi) in (
            ("width_ease", self.width_ease, PICTURE_WIDTH_RANGE),
            ("length_scale", self.length_scale, PICTURE_LENGTH_RANGE),
        ):
            if not (math.isfinite(value) and lo <= value <= hi):
                raise InputError(f"PictureFit.{name} must be in {lo}…{hi}, got {value}")


def _middle(rng: SizeRange) -> float:
    return 0.5 * (rng.low + rng.high)


def picture_fit(
    chart: SizeChart | None, size: str, measurements: BodyMeasurements
) -> PictureFit | None:
    """How a size sits on this body in the picture, from the same chart numbers as the advice.

    A size made for bodies around ``m`` cm, worn by a body of ``b`` cm, is drawn ``m / b`` times
    as wide as a regular fit (1.04, :func:`fitroom.fitting.garment_fit.size_ease`), averaged over
    the chart's circumferences the body has. Its length is the chart's length column over the
    body's (torso, sleeve or inseam) when both exist, else the width ratio to the power
    :data:`LENGTH_EXPONENT`. Both are clamped to :data:`PICTURE_WIDTH_RANGE` and
    :data:`PICTURE_LENGTH_RANGE`.

    Args:
        chart: the garment's size chart (body ranges).
        size: one of the chart's sizes.
        measurements: the shopper's measurements.

    Returns:
        The fit, or None when there is no chart or it shares no circumference with the body
        (the picture then falls back to the size label).

    Raises:
        InputError: ``size`` is not in the chart.

    >>> from fitroom.garments import SizeChart, SizeRange
    >>> chart = SizeChart(("S", "M"), {"S": {"chest": SizeRange(86, 92)},
    ...                                "M": {"chest": SizeRange(92, 100)}})
    >>> body = BodyMeasurements.typed({"chest": 96})
    >>> picture_fit(chart, "M", body).width_ease, round(picture_fit(chart, "S", body).width_ease, 3)
    (1.04, 0.964)
    """
    if chart is None or not chart.sizes:
        return None
    if size not in chart.measurements:
        raise InputError(f"size {size!r} is not in the size chart; use one of {chart.sizes}")
    row = chart.measurements[size]
    ratios: list[float] = []
    basis: list[str] = []
    lengths: list[float] = []
    for column, rng in row.items():
        body = CHART_ALIASES.get(column)
        value = measurements.get(body) if body is not None else None
        if body is None or value is None:
            continue
        if body in _GIRTHS:
            ratios.append(_middle(rng) / value)
            basis.append(body)
        elif body in _LENGTHS:
            lengths.append(_middle(rng) / value)
            basis.append(body)
    if not ratios:
        return None
    girth_ratio = sum(ratios) / len(ratios)
    length_ratio = sum(lengths) / len(lengths) if lengths else girth_ratio**LENGTH_EXPONENT
    width = min(max(size_ease(None) * girth_ratio, PICTURE_WIDTH_RANGE[0]), PICTURE_WIDTH_RANGE[1])
    length = min(max(length_ratio, PICTURE_LENGTH_RANGE[0]), PICTURE_LENGTH_RANGE[1])
    return PictureFit(size, round(width, 4), round(length, 4), tuple(basis))


__all__ = [
    "CHART_ALIASES",
    "DEFAULT_EASE_CM",
    "PREFERENCES",
    "PREFERENCE_SHIFT_CM",
    "Fit",
    "PictureFit",
    "Preference",
    "SizeAdvice",
    "ZoneFit",
    "garment_size_chart",
    "no_chart_advice",
    "picture_fit",
    "recommend_size",
]
