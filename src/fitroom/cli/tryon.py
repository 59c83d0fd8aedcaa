"""``fitroom tryon``: dress a person's photo in one garment or an outfit."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from fitroom.cli.paths import output_file, output_folder
from fitroom.imaging import DEFAULT_MAX_PIXELS, decode_image, encode_png

#: Suffix of a garment package (anything else is treated as a product photo).
PACKAGE_SUFFIX = ".fitg"


def register(sub: Any) -> None:
    """Register the ``tryon`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "tryon",
        help="dress a person's photo in garments",
        description="Dress the one person in PERSON in the GARMENTs (garment packages, or product "
        "photos ingested on the fly), layered in the order given.",
    )
    parser.add_argument("person", help="photo of one person facing the camera")
    parser.add_argument("garments", nargs="+", help="garment packages (.fitg) or product photos")
    parser.add_argument("-o", "--output", required=True, help="result picture (.png)")
    parser.add_argument("--size", help="garment size label (XXS…XXL); larger sits looser")
    parser.add_argument(
        "--tuck",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="tuck tops in (--no-tuck: let them hang); default: follow the photo",
    )
    parser.add_argument(
        "--recolour",
        action="append",
        metavar="COLOUR",
        help="try a garment in another colour (#rrggbb or r,g,b), keeping its texture and "
        "shading; give it once per garment in order ('-' keeps that one's colour); one value "
        "recolours every garment",
    )
    parser.add_argument(
        "--debug-dir", help="write pose/parts overlays, garment_mask.png and timings.json here"
    )
    parser.add_argument("--max-pixels", type=int, default=DEFAULT_MAX_PIXELS)
    parser.set_defaults(run=run)


def _load(path: str) -> Any:
    from fitroom.garments import ingest_garment, load_garment

    if Path(path).suffix.lower() == PACKAGE_SUFFIX:
        return load_garment(path)
    return ingest_garment(path)


def _recoloured(garments: list[Any], colours: list[str]) -> list[Any]:
    from fitroom.errors import InputError
    from fitroom.garments.recolour import parse_rgb, recolour_garment

    if not colours:
        return garments
    if len(colours) == 1:
        colours = colours * len(garments)
    if len(colours) != len(garments):
        raise InputError(
            f"--recolour was given {len(colours)} times for {len(garments)} garments; give it "
            "once (every garment) or once per garment ('-' keeps a garment's colour)"
        )
    return [
        g if c.strip() == "-" else recolour_garment(g, parse_rgb(c))
        for g, c in zip(garments, colours, strict=True)
    ]


def run(args: argparse.Namespace) -> int:
    """Run ``fitroom tryon``."""
    from fitroom.tryon import TryOn, TryOnOptions

    output = output_file(args.output, "-o")
    debug_dir = output_folder(args.debug_dir, "--debug-dir") if args.debug_dir else None
    options = TryOnOptions(size=args.size, tuck=args.tuck)
    person = decode_image(args.person, max_pixels=args.max_pixels)
    garments = _recoloured([_load(p) for p in args.garments], args.recolour or [])
    with TryOn(num_threads=getattr(args, "threads", 2)) as tryon:
        result = tryon.render(person, garments, options)
    output.write_bytes(encode_png(result.image))
    if debug_dir is not None:
        _write_debug(debug_dir, person, result)
    for warning in result.warnings:
        print(f"fitroom: warning: {warning}", file=sys.stderr)
    print(
        f"dressed in {len(garments)} garment{'s' if len(garments) != 1 else ''}; "
        f"{result.timings_ms['total']:.0f} ms",
        file=sys.stderr,
    )
    return 0


def _write_debug(folder: Path, person: np.ndarray, result: Any) -> None:
    from fitroom.vision.annotate import draw_parts, draw_pose

    single = result.perception.single()
    (folder / "pose.png").write_bytes(encode_png(draw_pose(person, single.pose)))
    if single.parts is not None:
        (folder / "parts.png").write_bytes(encode_png(draw_parts(person, single.parts)))
    mask = np.clip(result.garment_mask * 255.0 + 0.5, 0, 255).astype(np.uint8)
    (folder / "garment_mask.png").write_bytes(encode_png(np.dstack([mask, mask, mask])))
    timings = {k: round(v, 2) for k, v in result.timings_ms.items()}
    payload = {"timings_ms": timings, "warnings": list(result.warnings)}
    (folder / "timings.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


__all__ = ["register", "run"]
