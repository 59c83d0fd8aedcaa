"""Photo try-on quality against the sticker baseline, with the metrics of tryon-metrics.md.

People: the photos in ``../shared/data/keypoints/vton_dataset_pose`` that have human-parsing maps
(VITON-HD ``image-parse-v3``, Dress Code ``label_maps``); garments: the upper garments among
``../shared/data/garments`` (ingested on the fly). For every pair both fitroom and the sticker
baseline are scored from the parsing map of the input photo; medians (means) are printed side
by side, overall and per dataset (the sticker never reaches the legs of Dress Code's full-body
people, so its lower-body change there is ~0; on VITON-HD upper-body photos it is not), and
contact sheets go to ``out/tryon/`` (ignored by git; never commit them).

Paired similarity (SSIM, PSNR over the upper-garment box, person photographed wearing the very
garment tried on) is computed for data in the VITON-HD layout under ``pairs/*/`` (``image/``,
``cloth/``, ``image-parse-v3/``); the shared data has none at the moment, and says so.

    python benchmarks/tryon_quality.py [--limit-garments N]
"""

from __future__ import annotations

import argparse
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
from fitroom.garments import Garment, ingest_garment
from fitroom.tryon import TryOn, TryOnOptions
from fitroom.vision import Perceiver
from fitroom.vision.landmarks import PoseLandmark

OUT = REPO / "out" / "tryon"
UNCHANGED = 8.0  # ΔE76 below this counts as unchanged


@dataclass(frozen=True)
class Person:
    name: str
    dataset: str  # vitonhd or dresscode
    image: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True)
class Groups:
    upper: np.ndarray
    arms: np.ndarray
    face_hair: np.ndarray
    face: np.ndarray
    lower: np.ndarray
    background: np.ndarray
    person: np.ndarray


def load_people(root: Path) -> list[Person]:
    base = root / "keypoints" / "vton_dataset_pose"
    people = []
    for label_path in sorted((base / "vitonhd" / "image-parse-v3").glob("*.png")):
        image = read_rgb(base / "vitonhd" / "image" / (label_path.stem + ".jpg"))
        people.append(Person(label_path.stem, "vitonhd", image, np.array(Image.open(label_path))))
    for label_path in sorted((base / "dresscode").glob("*/label_maps/*_4.png")):
        stem = label_path.stem[: -len("_4")]
        image = read_rgb(label_path.parent.parent / "images" / f"{stem}_0.jpg")
        people.append(Person(stem, "dresscode", image, np.array(Image.open(label_path))))
    return people


def groups(person: Person, hip_y: float) -> Groups:
    lab = person.labels
    if person.dataset == "vitonhd":
        upper = lab == 5
        arms = np.isin(lab, [14, 15])
        face_hair = np.isin(lab, [13, 2])
        lower = np.isin(lab, [9, 12, 16, 17])
    else:
        # Dress Code ids (checked by looking): 4 upper clothes, 5 skirt, 6 pants, 7 dress,
        # 11 face, 2 hair, 12/13 legs, 14/15 arms. A dress counts as upper above the hip line.
        rows = np.arange(lab.shape[0])[:, None]
        dress = lab == 7
        upper = (lab == 4) | (dress & (rows < hip_y))
        arms = np.isin(lab, [14, 15])
        face_hair = np.isin(lab, [11, 2])
        lower = np.isin(lab, [5, 6, 12, 13]) | (dress & (rows >= hip_y))
    face = lab == (13 if person.dataset == "vitonhd" else 11)
    return Groups(upper, arms, face_hair, face, lower, lab == 0, lab > 0)


def erode(mask: np.ndarray, px: int) -> np.ndarray:
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.erode(mask.astype(np.uint8), k).astype(bool)


def dilate(mask: np.ndarray, px: int) -> np.ndarray:
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.dilate(mask.astype(np.uint8), k).astype(bool)


def lab_of(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def median_lab(rgb_pixels: np.ndarray) -> np.ndarray:
    lab = lab_of(rgb_pixels.reshape(-1, 1, 3)).reshape(-1, 3)
    return np.median(lab, axis=0)


def skin_like(image: np.ndarray, g: Groups) -> np.ndarray:
    """Lab distance to the face's median colour below 20 = skin."""
    face = erode(g.face, 3)
    ref = median_lab(image[face]) if face.sum() > 50 else np.array([65.0, 15.0, 18.0])
    return np.linalg.norm(lab_of(image) - ref, axis=2) < 20


def old_garment_region(image: np.ndarray, g: Groups) -> np.ndarray:
    """Label 5 (or Dress Code 4) plus arm pixels coloured like the old garment and not skin."""
    upper = g.upper
    if upper.sum() < 50:
        return erode(upper, 5)
    ref = median_lab(image[upper])
    lab = lab_of(image)
    like = np.linalg.norm(lab - ref, axis=2) < 20
    sleeve = g.arms & like & ~skin_like(image, g)
    return erode(upper | sleeve, 5)


def metrics(
    image: np.ndarray,
    output: np.ndarray,
    g: Groups,
    garment_lab: np.ndarray,
    hip_y: float,
    garment_mask: np.ndarray | None = None,
) -> dict[str, float]:
    if output.shape != image.shape:
        output = cv2.resize(output, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_AREA)
    delta = np.linalg.norm(lab_of(image) - lab_of(output), axis=2)
    changed = delta >= UNCHANGED
    old = old_garment_region(image, g)
    residue = float((old & ~changed).sum() / max(1, old.sum()))
    diff = np.abs(image.astype(np.float32) - output.astype(np.float32)).mean(axis=2)
    fh = erode(g.face_hair, 3)
    identity = float(diff[fh].mean()) if fh.any() else float("nan")
    lower = erode(g.lower, 5)
    # Exclude a 40 px band below the lowest original upper-garment pixel, per column ±20.
    h, w = g.upper.shape
    ys = np.where(g.upper.any(axis=0), h - 1 - np.argmax(g.upper[::-1], axis=0), -1)
    lowest = np.full(w, -1)
    for x in range(w):
        lo, hi = max(0, x - 20), min(w, x + 21)
        lowest[x] = ys[lo:hi].max()
    rows = np.arange(h)[:, None]
    band = (lowest[None, :] >= 0) & (rows > lowest[None, :]) & (rows <= lowest[None, :] + 40)
    lower &= ~band
    lower_change = float(diff[lower].mean()) if lower.any() else float("nan")
    bg = erode(g.background, 15)
    spill = float((bg & changed).sum() / max(1, g.person.sum()))
    region = dilate(g.person, 25) & (rows < hip_y) & changed
    need = max(500, int(0.1 * g.upper.sum()))
    colour = (
        float(np.linalg.norm(median_lab(output[region]) - garment_lab))
        if region.sum() >= need
        else float("nan")
    )
    out = {
        "residue": residue,
        "identity": identity,
        "lower": lower_change,
        "spill": spill,
        "colour": colour,
    }
    if garment_mask is not None:
        # A diagnostic beside the defined metric: the same ΔE over the pixels where the new
        # garment itself shows (above the hip line). The defined metric also counts repainted
        # skin and misses garment pixels the colour of the old top (black on black).
        # And the residue split: old-garment pixels left unchanged where no new garment is
        # drawn (old fabric really left showing) — the rest of the residue lies under a new
        # garment of the old one's colour (black on black), which no removal can change.
        uncovered = old & ~changed & (garment_mask < 0.5)
        out["residue_uncovered"] = float(uncovered.sum() / max(1, old.sum()))
        shown = (garment_mask > 0.5) & (rows < hip_y)
        out["colour_on_garment"] = (
            float(np.linalg.norm(median_lab(output[shown]) - garment_lab))
            if shown.sum() >= 500
            else float("nan")
        )
    return out


def upper_box(upper: np.ndarray, pad: int = 8) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) box around the upper-garment pixels, padded; None if there are none."""
    ys, xs = np.nonzero(upper)
    if ys.size == 0:
        return None
    h, w = upper.shape
    return (
        max(0, int(xs.min()) - pad),
        max(0, int(ys.min()) - pad),
        min(w, int(xs.max()) + 1 + pad),
        min(h, int(ys.max()) + 1 + pad),
    )


def paired_similarity(
    reference: np.ndarray, output: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[float, float]:
    """(SSIM, PSNR in dB) between the photo of the person wearing the garment and the try-on
    output, over the upper-garment box (tryon-metrics.md "paired similarity")."""
    if output.shape != reference.shape:
        output = cv2.resize(
            output, (reference.shape[1], reference.shape[0]), interpolation=cv2.INTER_AREA
        )
    x0, y0, x1, y1 = box
    a, b = reference[y0:y1, x0:x1], output[y0:y1, x0:x1]
    ssim = float(structural_similarity(a, b, channel_axis=2, data_range=255))
    psnr = float(peak_signal_noise_ratio(a, b, data_range=255))
    return ssim, psnr


@dataclass(frozen=True)
class Pair:
    """A person photographed wearing the very garment whose product photo is given."""

    name: str
    image: np.ndarray
    labels: np.ndarray
    garment_path: Path


def load_pairs(root: Path) -> list[Pair]:
    """Paired data in the VITON-HD layout: ``pairs/*/image/X.jpg`` (the person),
    ``pairs/*/cloth/X.jpg`` (the garment they wear) and ``pairs/*/image-parse-v3/X.png``."""
    pairs = []
    for label_path in sorted(root.glob("pairs/*/image-parse-v3/*.png")):
        base = label_path.parent.parent
        image_path = base / "image" / f"{label_path.stem}.jpg"
        cloth_path = base / "cloth" / f"{label_path.stem}.jpg"
        if image_path.is_file() and cloth_path.is_file():
            labels = np.array(Image.open(label_path))
            pairs.append(Pair(label_path.stem, read_rgb(image_path), labels, cloth_path))
    return pairs


def sticker_cutout(photo: np.ndarray) -> np.ndarray:
    """RGBA: pixels unlike the photo's border colour, largest component (the baseline's way)."""
    border = np.concatenate([photo[0], photo[-1], photo[:, 0], photo[:, -1]]).astype(np.float32)
    ref = np.median(border, axis=0)
    far = np.linalg.norm(photo.astype(np.float32) - ref, axis=2) > 30
    far = cv2.morphologyEx(far.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    n, lab, stats, _ = cv2.connectedComponentsWithStats(far)
    if n <= 1:
        return np.dstack([photo, np.zeros(photo.shape[:2], np.uint8)])
    big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h = stats[big, :4]
    alpha = ((lab == big) * 255).astype(np.uint8)
    return np.dstack([photo, alpha])[y : y + h, x : x + w]


def sticker(image: np.ndarray, shoulders: np.ndarray, cutout: np.ndarray) -> np.ndarray:
    """Cutout scaled to 1.45 × shoulder distance, top-centre at the shoulder midpoint raised by
    0.12 × its height, alpha-pasted; no warp, no occlusion."""
    dist = float(np.hypot(*(shoulders[0] - shoulders[1])))
    gw = max(2, round(1.45 * dist))
    gh = max(2, round(cutout.shape[0] * gw / cutout.shape[1]))
    g = cv2.resize(cutout, (gw, gh), interpolation=cv2.INTER_AREA).astype(np.float32)
    mid = shoulders.mean(axis=0)
    x0 = round(mid[0] - gw / 2)
    y0 = round(mid[1] - 0.12 * gh)
    out = image.astype(np.float32)
    H, W = image.shape[:2]
    ax0, ay0, ax1, ay1 = max(0, x0), max(0, y0), min(W, x0 + gw), min(H, y0 + gh)
    if ax1 > ax0 and ay1 > ay0:
        sub = g[ay0 - y0 : ay1 - y0, ax0 - x0 : ax1 - x0]
        a = sub[..., 3:] / 255.0
        out[ay0:ay1, ax0:ax1] = sub[..., :3] * a + out[ay0:ay1, ax0:ax1] * (1 - a)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def garment_median_lab(garment: Garment) -> np.ndarray:
    return median_lab(garment.rgb[garment.alpha > 0.5])


def tile(image: np.ndarray, height: int = 320) -> np.ndarray:
    w = round(image.shape[1] * height / image.shape[0])
    return cv2.resize(image, (w, height), interpolation=cv2.INTER_AREA)


def summarise(rows: list[dict[str, float]], key: str) -> tuple[float, float]:
    vals = [r[key] for r in rows if np.isfinite(r[key])]
    if not vals:
        return float("nan"), float("nan")
    return statistics.median(vals), statistics.fmean(vals)


def evaluate_pairs(
    data: Path, tryon: TryOn, perceiver: Perceiver
) -> list[tuple[dict[str, float], dict[str, float]]]:
    """Paired similarity for people wearing the garment tried on: (fitroom, sticker) per pair."""
    results = []
    for pair in load_pairs(data):
        box = upper_box(pair.labels == 5)
        if box is None:
            continue
        photo = read_rgb(pair.garment_path)
        try:
            garment = ingest_garment(pair.garment_path)
            ours = tryon.render(pair.image, [garment]).image
        except FitroomError as exc:
            print(f"paired {pair.name}: refused: {exc}")
            continue
        pose = perceiver.process(pair.image).single().pose
        shoulders = pose.xy[[int(PoseLandmark.LEFT_SHOULDER), int(PoseLandmark.RIGHT_SHOULDER)]]
        stick = sticker(pair.image, shoulders, sticker_cutout(photo))
        o_ssim, o_psnr = paired_similarity(pair.image, ours, box)
        s_ssim, s_psnr = paired_similarity(pair.image, stick, box)
        results.append(({"ssim": o_ssim, "psnr": o_psnr}, {"ssim": s_ssim, "psnr": s_psnr}))
    return results


#: The spread of shared garments drawn on every shared person for the contact sheet.
SHEET_GARMENTS = (
    "vitonhd_00126_00",  # t-shirt
    "vitonhd_00151_00",  # long-sleeve striped top
    "dresscode_051946_1",  # skinny jeans
    "dresscode_051991_1",  # flared trousers
    "dresscode_053744_1",  # dress
)


def persons_sheet(data: Path, tryon: TryOn) -> None:
    """Every ../shared/data/persons photo × a spread of garments, one row per person."""
    garments = []
    for stem in SHEET_GARMENTS:
        path = data / "garments" / f"{stem}.jpg"
        if path.is_file():
            garments.append(ingest_garment(path))
    rows = []
    refused = 0
    for path in sorted((data / "persons").glob("*.jpg")):
        image = read_rgb(path)
        tiles = [tile(image, 240)]
        for garment in garments:
            try:
                tiles.append(tile(tryon.render(image, [garment]).image, 240))
            except FitroomError:
                refused += 1
                tiles.append(np.zeros_like(tiles[0]))
        row = np.hstack([cv2.resize(t, (180, 240)) for t in tiles])
        rows.append(row)
    for i in range(0, len(rows), 9):
        sheet = np.vstack(rows[i : i + 9])
        name = OUT / f"persons_sheet_{i // 9}.png"
        cv2.imwrite(str(name), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    kinds = ", ".join(f"{g.subcategory}" for g in garments)
    print(f"persons sheet: {len(rows)} people × [{kinds}], {refused} refused (black tiles)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-garments", type=int, default=0)
    parser.add_argument("--no-sheet", action="store_true", help="skip the persons contact sheet")
    parser.add_argument(
        "--people", default="", help="comma-separated person names (substrings) to evaluate"
    )
    parser.add_argument(
        "--rows", action="store_true", help="print one row of metrics per person × garment pair"
    )
    args = parser.parse_args()
    data = shared_data_dir()
    people = load_people(data)
    if args.people:
        wanted = [w for w in args.people.split(",") if w]
        people = [p for p in people if any(w in p.name for w in wanted)]
    garment_paths = sorted((data / "garments").glob("*.jpg"))
    garments: list[tuple[str, Garment, np.ndarray]] = []
    for path in garment_paths:
        try:
            g = ingest_garment(path)
        except FitroomError as exc:
            print(f"skip garment {path.name}: {exc}")
            continue
        if g.category != "upper":
            continue
        garments.append((path.stem, g, read_rgb(path)))
    if args.limit_garments:
        garments = garments[: args.limit_garments]
    print(f"{len(people)} people × {len(garments)} upper garments")
    OUT.mkdir(parents=True, exist_ok=True)
    ours: list[dict[str, float]] = []
    base: list[dict[str, float]] = []
    by_dataset: dict[str, tuple[list[dict[str, float]], list[dict[str, float]]]] = {}
    contrast_ours: list[dict[str, float]] = []
    contrast_base: list[dict[str, float]] = []
    times: list[float] = []
    failures: list[str] = []
    with TryOn() as tryon, Perceiver(faces=False, parts=False) as perceiver:
        for person in people:
            pose = perceiver.process(person.image).single().pose
            shoulders = pose.xy[[int(PoseLandmark.LEFT_SHOULDER), int(PoseLandmark.RIGHT_SHOULDER)]]
            hips = pose.xy[[int(PoseLandmark.LEFT_HIP), int(PoseLandmark.RIGHT_HIP)]]
            hip_y = float(hips[:, 1].mean())
            g = groups(person, hip_y)
            old_lab = median_lab(person.image[g.upper]) if g.upper.any() else None
            row_tiles = [tile(person.image)]
            for name, garment, photo in garments:
                glab = garment_median_lab(garment)
                try:
                    t0 = time.perf_counter()
                    result = tryon.render(person.image, [garment], TryOnOptions())
                    times.append(time.perf_counter() - t0)
                except FitroomError as exc:
                    failures.append(f"{person.name} × {name}: {exc}")
                    continue
                stick = sticker(person.image, shoulders, sticker_cutout(photo))
                m_ours = metrics(person.image, result.image, g, glab, hip_y, result.garment_mask)
                m_base = metrics(person.image, stick, g, glab, hip_y)
                ours.append(m_ours)
                base.append(m_base)
                if args.rows:
                    cells = " ".join(f"{k} {v:7.3f}" for k, v in m_ours.items())
                    print(f"  {person.name:<14} × {name:<22} {cells}")
                mine, theirs = by_dataset.setdefault(person.dataset, ([], []))
                mine.append(m_ours)
                theirs.append(m_base)
                if old_lab is not None and np.linalg.norm(glab - old_lab) > 20:
                    contrast_ours.append(m_ours)
                    contrast_base.append(m_base)
                row_tiles.append(tile(result.image))
            sheet = np.hstack(row_tiles)
            cv2.imwrite(
                str(OUT / f"quality_{person.name}.png"), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR)
            )
            # One sticker row per person too, to compare by eye.
            stickers = [tile(person.image)] + [
                tile(sticker(person.image, shoulders, sticker_cutout(p))) for _, _, p in garments
            ]
            cv2.imwrite(
                str(OUT / f"sticker_{person.name}.png"),
                cv2.cvtColor(np.hstack(stickers), cv2.COLOR_RGB2BGR),
            )
        paired = evaluate_pairs(data, tryon, perceiver)
        if not args.no_sheet:
            persons_sheet(data, tryon)
    print(f"\n{'metric':<22}{'fitroom median (mean)':>26}{'sticker median (mean)':>26}  target")
    targets = {
        "residue": "≤ 0.10",
        "identity": "≤ 2.0",
        "lower": "≤ 8",
        "spill": "≤ 0.01",
        "colour": "≤ 8",
    }
    for key, target in targets.items():
        om, oa = summarise(ours, key)
        bm, ba = summarise(base, key)
        print(f"{key:<22}{om:>15.3f} ({oa:7.3f}){bm:>16.3f} ({ba:7.3f})  {target}")
    om, oa = summarise(ours, "colour_on_garment")
    print(f"{'colour on garment':<22}{om:>15.3f} ({oa:7.3f}){'':26}  (diagnostic, not a target)")
    om, oa = summarise(ours, "residue_uncovered")
    print(f"{'residue uncovered':<22}{om:>15.3f} ({oa:7.3f}){'':26}  (diagnostic: no new garment)")
    for dataset, (mine, theirs) in sorted(by_dataset.items()):
        print(f"  {dataset} ({len(mine)} pairs):")
        for key in targets:
            om, oa = summarise(mine, key)
            bm, ba = summarise(theirs, key)
            print(f"    {key:<18}{om:>15.3f} ({oa:7.3f}){bm:>16.3f} ({ba:7.3f})")
    if paired:
        for key in ("ssim", "psnr"):
            om, oa = summarise([p[0] for p in paired], key)
            bm, ba = summarise([p[1] for p in paired], key)
            print(f"{'paired ' + key:<22}{om:>15.3f} ({oa:7.3f}){bm:>16.3f} ({ba:7.3f})  higher")
    else:
        print(
            f"{'paired ssim/psnr':<22}{'n/a':>15}{'':10}{'n/a':>16}"
            "   (no pairs/*/{image,cloth,image-parse-v3} in the shared data)"
        )
    om, _ = summarise(contrast_ours, "residue")
    bm, _ = summarise(contrast_base, "residue")
    print(
        f"{'residue ΔE>20 pairs':<22}{om:>15.3f}{'':10}{bm:>16.3f}   ({len(contrast_ours)} pairs)"
    )
    if times:
        print(
            f"time per call: median {statistics.median(times):.3f} s, "
            f"p90 {float(np.percentile(times, 90)):.3f} s"
        )
    for f in failures:
        print("refused:", f)
    om_r, _ = summarise(ours, "residue")
    bm_r, _ = summarise(base, "residue")
    om_l, _ = summarise(ours, "lower")
    bm_l, _ = summarise(base, "lower")
    print(
        f"SUMMARY pairs={len(ours)} residue {om_r:.3f} vs sticker {bm_r:.3f}; "
        f"lower-body {om_l:.2f} vs {bm_l:.2f}; sheets in {OUT}"
    )


if __name__ == "__main__":
    main()
