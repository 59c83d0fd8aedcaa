"""Photo try-on on true pairs: a person photographed in garment X, dressed in X by fitroom.

Data: ``../shared/data/pairs`` (25 pairs; ``MANIFEST.md`` gives each pair's dataset and category).
Metrics as ``shared/docs/tryon-metrics.md`` ("True pairs"): garment-box SSIM and PSNR, whole-image
SSIM and the changed share of the garment region, per group (dataset × category) and overall,
fitroom beside the sticker baseline (``tryon_quality.sticker``) and beside a saved reference run
(``--reference``, e.g. the figures of an earlier commit written with ``--save``).

A pair counts as "not drawn" when the try-on's garment mask covers less than half of the garment
region of the photo: leaving the old garment in place is not a try-on.

Outputs (ignored by git; never commit them): ``out/tryon_pairs/<label>/<pair>.png`` (the
render) and ``out/tryon_pairs/sheet_<label>_<n>.png`` (photo | product photo | fitroom |
sticker | reference render when one is on disk).

    python benchmarks/tryon_pairs.py [--label NAME] [--save FILE.json] [--reference FILE.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, read_rgb, shared_data_dir
from fitroom.errors import FitroomError
from fitroom.garments import ingest_garment
from fitroom.tryon import TryOn
from fitroom.vision import Perceiver
from fitroom.vision.landmarks import PoseLandmark
from tryon_quality import sticker, sticker_cutout, upper_box

OUT = REPO / "out" / "tryon_pairs"
#: Parse labels of each group's garment region (tryon-metrics.md, "True pairs").
REGION_LABELS = {
    ("VITON-HD", "upper"): (5, 6, 7),
    ("Dress Code", "upper"): (4,),
    ("Dress Code", "lower"): (5, 6),
    ("Dress Code", "dress"): (7,),
}
GROUP_NAMES = {
    ("VITON-HD", "upper"): "vitonhd tops",
    ("Dress Code", "upper"): "dresscode tops",
    ("Dress Code", "lower"): "lower",
    ("Dress Code", "dress"): "dresses",
}
#: Targets of the issue, per group and overall (garment-box SSIM median).
TARGETS = {
    "vitonhd tops": 0.83,
    "dresscode tops": 0.70,
    "dresses": 0.72,
    "lower": 0.85,
    "overall": 0.80,
}
CHANGED = 12  # largest RGB channel difference above this counts as changed


@dataclass(frozen=True)
class TruePair:
    name: str
    group: str
    image_path: Path
    cloth_path: Path
    region: np.ndarray | None  # (H, W) bool, the garment region; None without a parse map


def load_true_pairs(root: Path) -> list[TruePair]:
    """The pairs listed in ``test_pairs_paired.txt`` with their group from the MANIFEST."""
    base = root / "pairs"
    manifest = (base / "MANIFEST.md").read_text()
    kinds: dict[str, tuple[str, str]] = {}
    for row in manifest.splitlines():
        cells = [c.strip() for c in row.split("|")]
        if len(cells) > 9 and cells[1].startswith("image/"):
            kinds[Path(cells[1]).stem] = (cells[6], cells[8])
    pairs = []
    for line in (base / "test_pairs_paired.txt").read_text().split("\n"):
        if not line.strip():
            continue
        person, cloth = line.split()
        stem = Path(person).stem
        dataset, category = kinds[stem]
        if dataset == "VITON-HD":
            parse = base / "image-parse" / f"{stem}.png"
        else:
            parse = base / "image-parse" / (re.sub(r"_0$", "_4", stem) + ".png")
        # One pair (00069_00) ships without a parse map: it is rendered and shown, not scored.
        region = (
            np.isin(np.array(Image.open(parse)), REGION_LABELS[(dataset, category)])
            if parse.is_file()
            else None
        )
        pairs.append(
            TruePair(
                stem,
                GROUP_NAMES[(dataset, category)],
                base / "image" / person,
                base / "cloth" / cloth,
                region,
            )
        )
    return pairs


def pair_metrics(photo: np.ndarray, output: np.ndarray, region: np.ndarray) -> dict[str, float]:
    if output.shape != photo.shape:
        output = cv2.resize(output, (photo.shape[1], photo.shape[0]), interpolation=cv2.INTER_AREA)
    box = upper_box(region)
    assert box is not None, "an empty garment region"
    x0, y0, x1, y1 = box
    a, b = photo[y0:y1, x0:x1], output[y0:y1, x0:x1]
    box_ssim = float(structural_similarity(a, b, channel_axis=2, data_range=255))
    box_psnr = min(100.0, float(peak_signal_noise_ratio(a, b, data_range=255)))
    whole = float(structural_similarity(photo, output, channel_axis=2, data_range=255))
    diff = np.abs(photo.astype(np.int16) - output.astype(np.int16)).max(axis=2)
    changed = float((diff[region] > CHANGED).mean()) if region.any() else float("nan")
    return {"ssim": box_ssim, "psnr": box_psnr, "whole_ssim": whole, "changed": changed}


def tile(image: np.ndarray, height: int = 360) -> np.ndarray:
    w = round(image.shape[1] * height / image.shape[0])
    return cv2.resize(image, (w, height), interpolation=cv2.INTER_AREA)


def label_text(image: np.ndarray, text: str) -> np.ndarray:
    out = image.copy()
    cv2.putText(out, text, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def median(values: list[float]) -> float:
    vals = [v for v in values if np.isfinite(v)]
    return statistics.median(vals) if vals else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="current", help="name of this run's render folder")
    parser.add_argument("--save", type=Path, help="write per-pair figures to this JSON file")
    parser.add_argument("--reference", type=Path, help="per-pair figures of a reference run")
    parser.add_argument("--pairs", default="", help="comma-separated pair names (substrings)")
    args = parser.parse_args()
    data = shared_data_dir()
    pairs = load_true_pairs(data)
    if args.pairs:
        wanted = [w for w in args.pairs.split(",") if w]
        pairs = [p for p in pairs if any(w in p.name for w in wanted)]
    reference: dict[str, dict[str, object]] = {}
    if args.reference:
        reference = json.loads(args.reference.read_text())["pairs"]
    renders = OUT / args.label
    renders.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, object]] = {}
    tiles: list[np.ndarray] = []
    times: list[float] = []
    with TryOn() as tryon, Perceiver(faces=False, parts=False) as perceiver:
        for pair in pairs:
            photo = read_rgb(pair.image_path)
            product = read_rgb(pair.cloth_path)
            pose = perceiver.process(photo).single().pose
            shoulders = pose.xy[[int(PoseLandmark.LEFT_SHOULDER), int(PoseLandmark.RIGHT_SHOULDER)]]
            stick = sticker(photo, shoulders, sticker_cutout(product))
            row: dict[str, object] = {"group": pair.group}
            if pair.region is not None:
                row["sticker"] = pair_metrics(photo, stick, pair.region)
            try:
                garment = ingest_garment(pair.cloth_path)
                t0 = time.perf_counter()
                result = tryon.render(photo, [garment])
                times.append(time.perf_counter() - t0)
            except FitroomError as exc:
                row["refused"] = str(exc)
                out = photo
                print(f"{pair.name:<14} {pair.group:<15} refused: {exc}")
            else:
                out = result.image
                row["category"] = f"{garment.category}/{garment.subcategory}"
                if pair.region is not None:
                    row["fitroom"] = pair_metrics(photo, out, pair.region)
                    drawn = result.garment_mask > 0.5
                    row["covered"] = float(drawn[pair.region].mean())
                else:
                    print(f"{pair.name:<14} {pair.group:<15} no parse map: rendered, not scored")
                cv2.imwrite(str(renders / f"{pair.name}.png"), cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
            rows[pair.name] = row
            cells = [label_text(tile(photo), "photo"), label_text(tile(product), "product")]
            f = row.get("fitroom")
            s = row.get("sticker")
            name = f"{f['ssim']:.3f}" if isinstance(f, dict) else str(row.get("refused", "-"))[:30]
            cells.append(label_text(tile(out), f"{args.label}: {name}"))
            stick_text = f"sticker {s['ssim']:.3f}" if isinstance(s, dict) else "sticker"
            cells.append(label_text(tile(stick), stick_text))
            if args.reference:
                ref_png = (
                    OUT / str(json.loads(args.reference.read_text())["label"]) / f"{pair.name}.png"
                )
                if ref_png.is_file():
                    ref_img = cv2.cvtColor(cv2.imread(str(ref_png)), cv2.COLOR_BGR2RGB)
                    ref_row = reference.get(pair.name, {})
                    ref_f = ref_row.get("fitroom")
                    text = (
                        f"reference {ref_f['ssim']:.3f}" if isinstance(ref_f, dict) else "reference"
                    )
                    cells.append(label_text(tile(ref_img), text))
            tiles.append(np.hstack(cells))
            if isinstance(f, dict) and isinstance(s, dict):
                print(
                    f"{pair.name:<14} {pair.group:<15} ssim {f['ssim']:.3f}"
                    f" (sticker {s['ssim']:.3f})"
                    f" psnr {f['psnr']:5.2f} whole {f['whole_ssim']:.3f} changed {f['changed']:.2f}"
                    f" covered {row['covered']:.2f} {row['category']}"
                )
    for i in range(0, len(tiles), 5):
        width = max(t.shape[1] for t in tiles[i : i + 5])
        block = [np.pad(t, ((0, 0), (0, width - t.shape[1]), (0, 0))) for t in tiles[i : i + 5]]
        sheet = np.vstack(block)
        cv2.imwrite(
            str(OUT / f"sheet_{args.label}_{i // 5}.png"), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR)
        )

    def figures(rows_: dict[str, dict[str, object]], who: str, key: str, group: str) -> float:
        vals = []
        for r in rows_.values():
            if (group != "overall" and r["group"] != group) or "sticker" not in r:
                continue
            m = r.get(who)
            vals.append(m[key] if isinstance(m, dict) else float("nan"))
        return median(vals)

    groups = ["vitonhd tops", "dresscode tops", "lower", "dresses", "overall"]
    header = f"{'group':<16}{'n':>3}{'fitroom':>9}{'sticker':>9}{'reference':>11}{'target':>8}"
    print("\ngarment-box SSIM, median\n" + header)
    for g in groups:
        n = sum(1 for r in rows.values() if "sticker" in r and g in ("overall", r["group"]))
        ref = figures(reference, "fitroom", "ssim", g) if reference else float("nan")
        print(
            f"{g:<16}{n:>3}{figures(rows, 'fitroom', 'ssim', g):>9.3f}"
            f"{figures(rows, 'sticker', 'ssim', g):>9.3f}{ref:>11.3f}{TARGETS[g]:>8.2f}"
        )
    for key in ("psnr", "whole_ssim", "changed"):
        ref = figures(reference, "fitroom", key, "overall") if reference else float("nan")
        print(
            f"{key + ' (overall)':<19}{figures(rows, 'fitroom', key, 'overall'):>9.3f}"
            f"{figures(rows, 'sticker', key, 'overall'):>9.3f}{ref:>11.3f}"
        )
    beats = 0
    tops_and_dresses = 0
    for r in rows.values():
        f, s = r.get("fitroom"), r.get("sticker")
        if r["group"] != "lower" and s is not None:
            tops_and_dresses += 1
            if isinstance(f, dict) and isinstance(s, dict) and f["ssim"] > s["ssim"]:
                beats += 1
    refused = [n for n, r in rows.items() if "refused" in r]
    not_drawn = [n for n, r in rows.items() if float(r.get("covered", 1.0)) < 0.5]  # type: ignore[arg-type]
    if times:
        print(f"time per render: median {statistics.median(times):.3f} s")
    print(f"refused: {refused or 'none'}")
    print(f"not drawn (< 50 % of the garment region covered): {not_drawn or 'none'}")
    if args.save:
        args.save.write_text(json.dumps({"label": args.label, "pairs": rows}, indent=1))
    print(
        f"SUMMARY pairs={len(rows)} box-ssim {figures(rows, 'fitroom', 'ssim', 'overall'):.3f} "
        f"vs sticker {figures(rows, 'sticker', 'ssim', 'overall'):.3f}; "
        f"whole-ssim {figures(rows, 'fitroom', 'whole_ssim', 'overall'):.3f}; "
        f"above sticker on {beats}/{tops_and_dresses} tops and dresses; "
        f"refused {len(refused)}; not drawn {len(not_drawn)}; sheets in {OUT}"
    )


if __name__ == "__main__":
    main()
