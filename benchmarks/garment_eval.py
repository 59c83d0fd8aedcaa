"""Garment ingestion: accuracy and speed on ../shared/data (research photos; outputs stay in out/).

    python benchmarks/garment_eval.py [--shared ../shared/data] [--out out/garments]
    python benchmarks/garment_eval.py --categories-only   # category accuracy and refusals only

Measures
* cutout IoU against the 4 ground-truth masks in video/vivid_cloth_mask (aim ≥ 0.97 each), and
  against the 9 VITON-HD cloth masks in pairs/cloth-mask (a refused photo is scored on the
  cutout it would have given);
* category accuracy over garments/ (28) + video/vivid_cloth (4) against MANIFEST.md (aim ≥ 90 %),
  and over the true pairs' cloths in pairs/cloth (25) against pairs/MANIFEST.md (upper, lower,
  dress → full), with every refusal counted as wrong and listed;
* landmark error normalised by garment width on the hand annotations in
  tests/garments/fixtures/landmarks_gt.json (aim ≤ 4 %);
* speed: median ingest time per garment at 1024 px long side on ONE core (aim ≤ 300 ms), and a
  folder of 28 through ``fitroom garment add --workers 2`` (aim well under 10 s);
* a contact sheet of every landmark drawing (out/garments/contact_sheet.png) to look at.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]


def manifest_categories(shared: Path) -> dict[str, str]:
    """File name → upper/lower/full from the 'what it shows' column of MANIFEST.md."""
    out: dict[str, str] = {}
    for line in (shared / "MANIFEST.md").read_text().splitlines():
        m = re.match(r"\| `((?:garments|video/vivid_cloth)/[^`]+\.jpg)` \|", line)
        if not m:
            continue
        what = line.split("|")[7].strip().lower()
        if what.startswith(("dress", "jumpsuit")):
            out[m.group(1)] = "full"
        elif (
            what.startswith(("trousers", "jeans", "shorts", "skirt"))
            or "trousers" in what
            or "jeans" in what
        ):
            out[m.group(1)] = "lower"
        else:
            out[m.group(1)] = "upper"
    return out


def pairs_categories(shared: Path) -> dict[str, str]:
    """pairs/cloth file → upper/lower/full from the category column of pairs/MANIFEST.md."""
    out: dict[str, str] = {}
    manifest = shared / "pairs" / "MANIFEST.md"
    if not manifest.is_file():
        return out
    for line in manifest.read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 8 and cells[1].startswith("cloth/"):
            out["pairs/" + cells[1]] = {"dress": "full"}.get(cells[8], cells[8])
    return out


def pairs_cutout_iou(shared: Path) -> list[float]:
    """Cutout IoU of each pairs/cloth photo that has a mask in pairs/cloth-mask (printed)."""
    from fitroom.errors import FitroomError
    from fitroom.garments import cut_out
    from fitroom.imaging import decode_image

    ious = []
    for mask_path in sorted((shared / "pairs" / "cloth-mask").glob("*.jpg")):
        truth = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE) > 127
        image = decode_image(shared / "pairs" / "cloth" / mask_path.name)
        note = ""
        try:
            mask = cut_out(image).mask
        except FitroomError as exc:
            mask, note = cut_out(image, check=False).mask, f" (refused: {type(exc).__name__})"
        ious.append(float((mask & truth).sum() / max(1, (mask | truth).sum())))
        print(f"pairs cutout IoU {mask_path.name}: {ious[-1]:.4f}{note}")
    return ious


def category_accuracy(shared: Path, truth: dict[str, str], label: str) -> tuple[int, int, int]:
    """Ingest every photo of ``truth``; print what reads wrong; return (right, total, refused)."""
    from fitroom.errors import FitroomError
    from fitroom.garments import ingest_garment

    right = refused = 0
    for rel, expected in sorted(truth.items()):
        try:
            garment = ingest_garment(shared / rel)
        except FitroomError as exc:
            refused += 1
            print(f"  {label} refused: {rel}: {type(exc).__name__}: {str(exc)[:90]}")
            continue
        if garment.category == expected:
            right += 1
        else:
            read = f"{garment.category}/{garment.subcategory}"
            print(f"  {label} wrong: {rel}: {read} (true: {expected})")
    total = len(truth)
    share = right / max(total, 1)
    print(f"{label} category accuracy: {share:.1%} ({right}/{total}), {refused} refused")
    return right, total, refused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "garments")
    parser.add_argument(
        "--categories-only",
        action="store_true",
        help="only category accuracy and refusals over garments/ and pairs/cloth",
    )
    args = parser.parse_args()
    if args.categories_only:
        g = category_accuracy(args.shared, manifest_categories(args.shared), "garments")
        p = category_accuracy(args.shared, pairs_categories(args.shared), "pairs")
        pairs_ious = pairs_cutout_iou(args.shared) or [float("nan")]
        print(
            f"SUMMARY category_garments={g[0] / max(g[1], 1):.1%} refused_garments={g[2]} "
            f"category_pairs={p[0] / max(p[1], 1):.1%} refused_pairs={p[2]} "
            f"pairs_iou_median={float(np.median(pairs_ious)):.4f} "
            f"pairs_iou_min={min(pairs_ious):.4f}"
        )
        return 0
    cv2.setNumThreads(1)  # one core: the speed aim is per core

    from fitroom.errors import FitroomError
    from fitroom.garments import cut_out, ingest_garment
    from fitroom.garments.annotate import draw_landmarks, draw_parts
    from fitroom.imaging import decode_image

    shared, out = args.shared, args.out
    out.mkdir(parents=True, exist_ok=True)

    # 1. Cutout IoU.
    ious = {}
    for photo in sorted((shared / "video/vivid_cloth").glob("*.jpg")):
        truth = (
            cv2.imread(str(shared / "video/vivid_cloth_mask" / photo.name), cv2.IMREAD_GRAYSCALE)
            > 127
        )
        mask = cut_out(decode_image(photo)).mask
        ious[photo.name] = float((mask & truth).sum() / (mask | truth).sum())
        print(f"cutout IoU {photo.name}: {ious[photo.name]:.4f}")

    # 2. Category, 4. speed, 5. contact sheet.
    truth_cat = manifest_categories(shared)
    times, tiles, wrong = [], [], []
    for rel, expected in sorted(truth_cat.items()):
        photo = shared / rel
        image = decode_image(photo)
        h, w = image.shape[:2]
        scale = 1024 / max(h, w)
        image = cv2.resize(
            image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA
        )
        runs = []
        try:
            for _ in range(2):
                t0 = time.perf_counter()
                garment = ingest_garment(image, source_name=photo.name)
                runs.append(time.perf_counter() - t0)
        except FitroomError as exc:
            wrong.append(f"{rel}: refused, {type(exc).__name__} (manifest: {expected})")
            continue
        times.append(min(runs))
        ok = garment.category == expected
        if not ok:
            wrong.append(f"{rel}: {garment.category} (manifest: {expected})")
        drawn = draw_landmarks(
            draw_parts(garment.parts, garment.rgb), garment.landmarks, labels=False
        )
        tile = cv2.resize(drawn, (240, round(240 * drawn.shape[0] / drawn.shape[1])))[:320]
        tile = np.pad(tile, ((0, 340 - tile.shape[0]), (0, 0), (0, 0)), constant_values=255)
        colour = (0, 140, 0) if ok else (220, 0, 0)
        cv2.putText(tile, photo.name[:30], (3, 332), cv2.FONT_HERSHEY_SIMPLEX, 0.33, (0, 0, 0), 1)
        cv2.putText(
            tile,
            f"{garment.category}/{garment.subcategory}/{garment.sleeve}",
            (3, 318),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.38,
            colour,
            1,
        )
        tiles.append(tile)
    accuracy = 1 - len(wrong) / len(truth_cat)
    print(f"category accuracy: {accuracy:.1%} ({len(truth_cat) - len(wrong)}/{len(truth_cat)})")
    for line in wrong:
        print(f"  wrong: {line}")
    pairs_right, pairs_total, pairs_refused = category_accuracy(
        shared, pairs_categories(shared), "pairs"
    )
    pairs_accuracy = pairs_right / max(pairs_total, 1)
    pairs_ious = pairs_cutout_iou(shared) or [float("nan")]
    cols = 8
    rows = [
        np.hstack(
            tiles[i : i + cols] + [np.full_like(tiles[0], 255)] * (cols - len(tiles[i : i + cols]))
        )
        for i in range(0, len(tiles), cols)
    ]
    sheet = out / "contact_sheet.png"
    cv2.imwrite(str(sheet), cv2.cvtColor(np.vstack(rows), cv2.COLOR_RGB2BGR))
    print(f"contact sheet: {sheet}")

    # 3. Landmark error on the hand annotations.
    fixture = json.loads((REPO / "tests/garments/fixtures/landmarks_gt.json").read_text())[
        "garments"
    ]
    per_garment, all_errors = {}, []
    per_name: dict[str, list[float]] = {}
    for name, entry in fixture.items():
        garment = ingest_garment(shared / "garments" / name, category_hint=entry["category"])
        xs = np.nonzero(garment.alpha >= 0.5)[1]
        width = float(xs.max() - xs.min() + 1)
        errs = []
        for lm, xy in entry["landmarks"].items():
            p = garment.landmarks[lm]
            e = float(np.hypot(p[0] - xy[0], p[1] - xy[1])) / width
            errs.append(e)
            per_name.setdefault(lm, []).append(e)
        per_garment[name] = float(np.mean(errs))
        all_errors += errs
    for name, e in per_garment.items():
        print(f"landmark error {name}: {e:.1%}")
    for lm, errs in sorted(per_name.items(), key=lambda kv: -np.mean(kv[1])):
        print(f"  {lm:18s} {np.mean(errs):.1%}")
    mean_error = float(np.mean(all_errors))
    print(
        f"landmark error: mean {mean_error:.1%}, median {float(np.median(all_errors)):.1%} "
        f"over {len(all_errors)} points on {len(per_garment)} garments"
    )

    # 4b. A folder of 28 with 2 workers through the CLI.
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "fitroom",
                "garment",
                "add",
                str(shared / "garments"),
                "-o",
                tmp,
                "--workers",
                "2",
                "-q",
            ],
            check=False,
            capture_output=True,
        )
        folder_time = time.perf_counter() - t0
        written = len(list(Path(tmp).glob("*.fitg")))
    median_ms = statistics.median(times) * 1000
    print(
        f"speed: median {median_ms:.0f} ms per garment at 1024 px (one core, best of 2), "
        f"max {max(times) * 1000:.0f} ms; folder of 28 with 2 workers: {folder_time:.1f} s "
        f"({written} written)"
    )
    print(
        f"SUMMARY iou_min={min(ious.values()):.4f} category={accuracy:.1%} "
        f"category_pairs={pairs_accuracy:.1%} refused_pairs={pairs_refused} "
        f"pairs_iou_min={min(pairs_ious):.4f} "
        f"landmark_err={mean_error:.1%} median_ms={median_ms:.0f} folder28_s={folder_time:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
