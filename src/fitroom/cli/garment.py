"""``fitroom garment add|inspect|cutout|demo``: ingest product photos into garment packages."""

from __future__ import annotations

import argparse
import json
import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from fitroom.cli.paths import output_file, output_folder
from fitroom.errors import FitroomError, InputError

_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def _expand(paths: list[str]) -> list[Path]:
    """The photos named, folders replaced by their image files; a photo named twice once."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix.lower() in _IMAGE_SUFFIXES)
        else:
            out.append(p)
    seen: set[Path] = set()
    unique: list[Path] = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def package_names(photos: list[Path]) -> list[str]:
    """One package name per photo, all distinct (compared without case, as some file systems
    do): the photo's stem, with its suffix when two photos share a stem (``tee.jpg``,
    ``tee.png`` → ``tee-jpg``, ``tee-png``), then a number when they still clash.

    >>> package_names([Path("tee.jpg"), Path("tee.png"), Path("a/top.jpg"), Path("b/top.jpg")])
    ['tee-jpg', 'tee-png', 'top-jpg', 'top-jpg-2']
    """
    stems = Counter(p.stem.casefold() for p in photos)
    wanted = [
        p.stem if stems[p.stem.casefold()] == 1 else f"{p.stem}-{p.suffix.lstrip('.').lower()}"
        for p in photos
    ]
    counts = Counter(w.casefold() for w in wanted)
    used: set[str] = {
        w.casefold() for w, p in zip(wanted, photos, strict=True) if counts[w.casefold()] == 1
    }
    names: list[str] = []
    for name in wanted:
        if counts[name.casefold()] == 1:
            names.append(name)
            continue
        candidate, number = name, 1
        while candidate.casefold() in used:
            number += 1
            candidate = f"{name}-{number}"
        used.add(candidate.casefold())
        names.append(candidate)
    return names


def _add_one(
    photo: str, package: str, category: str, name: str | None, chart: str | None
) -> tuple[str, str]:
    """Worker: ingest one photo and save its package; returns (photo, package path or error)."""
    import cv2

    cv2.setNumThreads(1)  # one core per worker process
    from fitroom.garments import ingest_garment, save_garment

    try:
        garment = ingest_garment(photo, category_hint=category, name=name, size_chart=chart)
        path = save_garment(garment, package)
        return photo, f"ok {path} ({garment.category}/{garment.subcategory})"
    except FitroomError as exc:
        return photo, f"refused: {' '.join(str(exc).split())}"
    except OSError as exc:
        return photo, f"failed: cannot write {exc.filename or package}: {exc.strerror or exc}"


def _run_add(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    photos = _expand(args.photos)
    if not photos:
        raise InputError("no photos given; pass image files or a folder of JPEG/PNG/WebP photos")
    if args.name and len(photos) > 1:
        raise InputError("--name applies to a single photo; leave it out for several")
    out = output_folder(args.output, "-o")
    results: list[tuple[str, str]] = []
    jobs = [
        (str(p), str(out / name), args.category, args.name, args.size_chart)
        for p, name in zip(photos, package_names(photos), strict=True)
    ]
    with tqdm(total=len(jobs), unit="garment", disable=args.quiet) as bar:
        if args.workers <= 1 or len(jobs) == 1:
            for job in jobs:
                results.append(_add_one(*job))
                bar.update()
        else:
            # spawn, not fork: a forked child of a process whose OpenCV/BLAS threads hold locks
            # can deadlock.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=args.workers, mp_context=context) as pool:
                futures = [pool.submit(_add_one, *job) for job in jobs]
                for fut in as_completed(futures):
                    results.append(fut.result())
                    bar.update()
    failures = 0
    for photo, message in sorted(results):
        if not message.startswith("ok"):
            failures += 1
        print(f"{photo}: {message}")
    print(f"{len(results) - failures} garments written to {out}, {failures} refused")
    return 0 if failures == 0 else 1


def _run_inspect(args: argparse.Namespace) -> int:
    from fitroom.garments import load_garment
    from fitroom.garments.annotate import inspection_sheet
    from fitroom.imaging import encode_png

    output = output_file(args.output, "-o") if args.output else None
    garment = load_garment(args.garment)
    if output is not None:
        output.write_bytes(encode_png(inspection_sheet(garment)))
    if args.json or not args.output:
        print(json.dumps(garment.summary(), indent=1))
    return 0


def _run_cutout(args: argparse.Namespace) -> int:
    import numpy as np

    from fitroom.garments import cut_out
    from fitroom.imaging import decode_image, encode_png

    output = output_file(args.output, "-o")
    image = decode_image(args.photo, keep_alpha=True)
    cut = cut_out(image, check=not args.no_check)
    mask = np.clip(cut.alpha * 255.0 + 0.5, 0, 255).astype(np.uint8)
    output.write_bytes(encode_png(mask))
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from fitroom.garments import ingest_garment, save_garment
    from fitroom.garments.synth import DEMO_CATALOG, synth_garment

    out = output_folder(args.output, "-o")
    for name, kind, pattern, seed in tqdm(DEMO_CATALOG, unit="garment", disable=args.quiet):
        drawn = synth_garment(kind, seed=seed, pattern=pattern)
        garment = ingest_garment(
            drawn.image, category_hint=kind, name=name, source_name=f"{name}.synthetic"
        )
        save_garment(garment, out / name)
    print(f"{len(DEMO_CATALOG)} demo garments written to {out}")
    return 0


def register(sub: Any) -> None:
    """Register ``fitroom garment`` and its subcommands."""
    parser: argparse.ArgumentParser = sub.add_parser("garment", help="ingest and inspect garments")
    gsub = parser.add_subparsers(dest="garment_command", required=True)

    add = gsub.add_parser("add", help="turn product photos into garment packages (.fitg)")
    add.add_argument("photos", nargs="+", help="product photos or folders of them")
    add.add_argument("--category", default="auto", help="auto, upper, lower, full or a subcategory")
    add.add_argument("--name", help="display name (single photo only)")
    add.add_argument("--size-chart", help="size chart CSV: size,chest_cm,waist_cm,...")
    add.add_argument(
        "-o", "--output", default="garments", help="output folder (default ./garments)"
    )
    add.add_argument("--workers", type=int, default=2, help="parallel worker processes (default 2)")
    add.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add.set_defaults(run=_run_add)

    inspect = gsub.add_parser("inspect", help="draw a garment's cutout, landmarks, parts, palette")
    inspect.add_argument("garment", help="a .fitg package")
    inspect.add_argument("-o", "--output", help="write the inspection sheet PNG here")
    inspect.add_argument("--json", action="store_true", help="print category, landmarks, palette")
    inspect.set_defaults(run=_run_inspect)

    cutout = gsub.add_parser("cutout", help="write a product photo's alpha mask as a PNG")
    cutout.add_argument("photo")
    cutout.add_argument("-o", "--output", required=True, help="mask PNG (photo's resolution)")
    cutout.add_argument("--no-check", action="store_true", help="do not refuse unusable photos")
    cutout.set_defaults(run=_run_cutout)

    demo = gsub.add_parser("demo", help="write the generated demo catalog as garment packages")
    demo.add_argument("-o", "--output", default="garments-demo", help="output folder")
    demo.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(run=_run_demo)

    from fitroom.cli import garment_import

    garment_import.register(gsub)


__all__ = ["register"]
