"""Photo try-on speed: one top on a 768×1024 photo on one core, excluding model loading.

Times :meth:`fitroom.tryon.TryOn.render` with ``cv2.setNumThreads(1)`` and one model thread,
on the public-domain astronaut scaled to 768×1024 (or ``--photo``) with drawn demo garments;
prints the median, p90, per-stage medians and the peak memory (tracemalloc for NumPy/Python
allocations, and the process's peak RSS).

    python benchmarks/tryon_speed.py [--repeat 20] [--photo PATH] [--keep-freed-memory]

By default the C allocator keeps its defaults, as in a plain ``fitroom tryon`` process (some runs
then fault in fresh pages for most arrays of every render). ``--keep-freed-memory`` times a
process set up as a dedicated renderer (:func:`fitroom._allocator.keep_freed_memory`); no process
of the product sets that up yet: the web app and the worker bound the allocator the other way
(:mod:`fitroom.server.memory`).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, read_rgb
from fitroom._allocator import keep_freed_memory
from fitroom.errors import UnsupportedGarment
from fitroom.garments import Garment, ingest_garment
from fitroom.garments.synth import synth_garment
from fitroom.tryon import TryOn


def photo(path: str | None) -> np.ndarray:
    if path:
        return read_rgb(Path(path))
    from skimage import data

    # The astronaut is 512×512; pad to 3:4 with its own edge colours and scale to 768×1024.
    img = np.ascontiguousarray(data.astronaut())
    padded = cv2.copyMakeBorder(img, 0, 171, 0, 0, cv2.BORDER_REPLICATE)
    return cv2.resize(padded, (768, 1024), interpolation=cv2.INTER_CUBIC)


def time_render(
    tryon: TryOn, image: np.ndarray, garments: list[Garment], repeat: int
) -> tuple[list[float], dict[str, float]]:
    for _ in range(3):
        tryon.render(image, garments)
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = tryon.render(image, garments)
        totals.append((time.perf_counter() - t0) * 1e3)
        for k, v in result.timings_ms.items():
            stages.setdefault(k, []).append(v)
    return totals, {k: statistics.median(v) for k, v in stages.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--photo", help="a 768×1024 photo of one person (default: astronaut)")
    parser.add_argument("--outfit-photo", help="a full-body photo for the top + trousers timing")
    parser.add_argument(
        "--keep-freed-memory",
        action="store_true",
        help="keep freed memory for the next render (a dedicated renderer's allocator setting)",
    )
    args = parser.parse_args()
    cv2.setNumThreads(1)
    kept = args.keep_freed_memory and keep_freed_memory()
    image = photo(args.photo)
    top = ingest_garment(synth_garment("t-shirt", seed=1, pattern="stripes").image)
    trousers = ingest_garment(synth_garment("trousers", seed=9, pattern="solid").image)
    print(f"photo {image.shape[1]}×{image.shape[0]}, one core (cv2 1 thread, models 1 thread)")
    print(
        "allocator: "
        + ("freed memory kept for the next render" if kept else "the C library's defaults")
    )
    with TryOn(num_threads=1) as tryon:
        totals, stages = time_render(tryon, image, [top], args.repeat)
        # Memory is traced in separate renders: tracemalloc slows every allocation down, so
        # tracing while timing would overstate the time.
        tracemalloc.start()
        for _ in range(3):
            tryon.render(image, [top])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        med = statistics.median(totals)
        p90 = float(np.percentile(totals, 90))
        print(f"one top: median {med:.1f} ms, p90 {p90:.1f} ms (target ≤ 250 ms)")
        print("  stages (median ms): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
        print(f"  peak traced allocation during render: {peak / 2**20:.1f} MiB")
        # Trousers need hips and knees: a full-body photo from ../shared/data (research
        # licence, read here only), or --outfit-photo.
        outfit = "not run (no full-body photo)"
        full_body = Path(args.outfit_photo) if args.outfit_photo else None
        if full_body is None:
            # (FITROOM_SHARED_DATA first, as the other benchmarks: from a worktree
            # ../shared/data is not there.)
            shared = os.environ.get("FITROOM_SHARED_DATA")
            data = Path(shared) if shared else REPO.parent / "shared" / "data"
            candidate = data / "persons" / "dresscode_049205_0.jpg"
            full_body = candidate if candidate.is_file() else None
        if full_body is not None:
            body_image = read_rgb(full_body)
            try:
                totals2, stages2 = time_render(
                    tryon, body_image, [top, trousers], max(5, args.repeat // 2)
                )
                outfit = f"median {statistics.median(totals2):.1f} ms on {full_body.name}"
                print(
                    "  outfit stages (median ms): "
                    + ", ".join(f"{k} {v:.1f}" for k, v in stages2.items())
                )
            except UnsupportedGarment as exc:
                outfit = f"refused ({exc})"
        print(f"top + trousers: {outfit} (target ≤ 400 ms)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MiB")
    print(
        f"SUMMARY one top median {med:.1f} ms (p90 {p90:.1f}); top+trousers {outfit}; "
        f"peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
