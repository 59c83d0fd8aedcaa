"""``fitroom measure`` and ``fitroom size``: body measurements from a photo, and size advice.

``fitroom measure PHOTO --height 172 [--side SIDE.jpg] [--weight KG] [--sex female|male]
[--head-optional] [--json]`` prints the estimated measurements (cm, ± one standard deviation)
and any warnings; ``--json`` prints ``{"measurements_cm": {...}, "uncertainty_cm": {...},
"warnings": [...], ...}`` instead.

``fitroom size PHOTO GARMENT.fitg --height 172 [--fit slim|regular|loose] [--json]`` measures the
same way and recommends a size from the garment package's size chart (exit code 3 when the
garment has no size chart: no size is guessed).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

NO_CHART_EXIT = 3


def _add_measure_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("photo", help="front photo, whole body from head to feet (JPEG/PNG/WebP)")
    parser.add_argument(
        "--height", type=float, required=True, help="the person's height in cm (sets the scale)"
    )
    parser.add_argument("--side", help="optional side (profile) photo of the same person")
    parser.add_argument("--weight", type=float, help="optional weight in kg (plausibility check)")
    parser.add_argument(
        "--sex",
        choices=("female", "male"),
        help="picks the body depth ratios when there is no side photo",
    )
    parser.add_argument(
        "--head-optional",
        action="store_true",
        help="when the head is cut off but the feet are in view, set the scale from average "
        "body proportions (less exact; said in a warning) instead of refusing",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def register(sub: Any) -> None:
    """Register the ``measure`` and ``size`` subcommands."""
    measure: argparse.ArgumentParser = sub.add_parser(
        "measure",
        help="estimate body measurements from a photo and the person's height",
        description="Estimate shoulder width, chest, waist, hip, inseam, arm and torso length "
        "from a full-body front photo (optionally a side photo) and the stated height.",
    )
    _add_measure_options(measure)
    measure.set_defaults(run=run)
    size: argparse.ArgumentParser = sub.add_parser(
        "size",
        help="recommend a garment size from a photo, the height and the garment's size chart",
        description="Measure the person in PHOTO and pick the size of GARMENT (.fitg package) "
        "from its size chart, with a per-zone fit.",
    )
    _add_measure_options(size)
    size.add_argument("garment", help="garment package (.fitg) with a size chart")
    size.add_argument("--fit", choices=("slim", "regular", "loose"), default="regular")
    size.set_defaults(run=run)


def _measure(args: argparse.Namespace) -> Any:
    from fitroom.imaging import decode_image
    from fitroom.measure.measurer import Measurer

    front = decode_image(args.photo)
    side = decode_image(args.side) if args.side else None
    with Measurer(num_threads=getattr(args, "threads", 2)) as measurer:
        return measurer.measure(
            front,
            args.height,
            side=side,
            sex=args.sex,
            weight_kg=args.weight,
            head_optional=args.head_optional,
        )


def _print_measurements(result: Any) -> None:
    for name, value in result.measurements_cm.items():
        print(f"{name:15s} {value:6.1f} cm  ± {result.uncertainty_cm[name]:.1f}")
    for warning in result.warnings:
        print(f"warning: {warning}")


def run(args: argparse.Namespace) -> int:
    """Run ``fitroom measure`` or ``fitroom size``."""
    if args.command == "size":
        return _run_size(args)
    result = _measure(args)
    if args.json:
        sys.stdout.write(json.dumps(result.as_dict(), indent=1) + "\n")
    else:
        _print_measurements(result)
    return 0


def _run_size(args: argparse.Namespace) -> int:
    from fitroom.garments import load_garment
    from fitroom.measure import recommend_size
    from fitroom.measure.size import no_chart_advice

    garment = load_garment(args.garment)  # before the photo: a bad package fails fast
    if garment.size_chart is None:
        # Never guess: without a chart there is nothing to compare the body with.
        advice = no_chart_advice(args.fit)
        if args.json:
            sys.stdout.write(json.dumps({"advice": advice.as_dict()}, indent=1) + "\n")
        else:
            print(f"{garment.name}: {advice.message}")
        return NO_CHART_EXIT
    result = _measure(args)
    advice = recommend_size(result, garment.size_chart, preference=args.fit)
    if args.json:
        payload = {"measurements": result.as_dict(), "advice": advice.as_dict()}
        sys.stdout.write(json.dumps(payload, indent=1) + "\n")
    else:
        _print_measurements(result)
        print(advice.message)
        if advice.recommended is not None:
            print(
                f"size {advice.recommended} (runner-up {advice.runner_up or '-'}), "
                f"confidence {advice.confidence:.2f}, fit preference {advice.preference}"
            )
            for zone in advice.zones:
                low, high = zone.range_cm
                print(
                    f"  {zone.zone:10s} {zone.fit:6s} ({zone.measurement} "
                    f"{zone.body_cm:.1f} cm; size range {low:g}–{high:g})"
                )
    return 0 if advice.recommended is not None else NO_CHART_EXIT


__all__ = ["register", "run"]
