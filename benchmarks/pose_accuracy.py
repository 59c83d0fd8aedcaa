"""Pose accuracy on COCO-format keypoint ground truth: PCK@0.2 (torso) and mean OKS, 17 keypoints.

    python benchmarks/pose_accuracy.py                      # fitroom's PoseLandmarker, photo mode
    python benchmarks/pose_accuracy.py --photo-model full   # photo mode with another model
    python benchmarks/pose_accuracy.py --stream --stream-model lite   # stream-like use
    /tmp/mpvenv/bin/python benchmarks/pose_accuracy.py --backend mediapipe   # reference, side venv

Data: ../shared/data/keypoints/coco/test_coco.json and ochuman/test_ochuman.json (COCO format).

Protocol (the same for both backends):

* People: every annotation with ``num_keypoints > 0`` and ``iscrowd == 0``. COCO has 14
  annotations, two of which (tiny background people) have no labelled keypoint: this leaves the
  12 people of the reference; OCHuman has 5. No other filter is needed (every kept person has at
  least 12 labelled keypoints).
* Crop: the annotation box enlarged by 25 % (each side grows by 12.5 % of the box size around its
  centre), clipped to the image, cut out without resizing.
* Photo mode on the crop; when several poses come back, the one whose landmark box centre
  (landmarks with visibility > 0.5) is nearest the crop centre. The legacy mediapipe solution
  returns at most one pose. A person without a pose scores 0 on both metrics.
* Keypoints: BlazePose → COCO-17 by ``COCO17_FROM_BLAZEPOSE``; only labelled ground-truth
  keypoints (v > 0) count, whatever the predicted visibility.
* PCK@0.2: a keypoint is correct when within 0.2 × torso size of the truth, torso size = distance
  between the ground-truth shoulder midpoint and hip midpoint (midpoint of the labelled ones of
  each pair; half the box diagonal if no shoulder or no hip is labelled; every kept person here
  has all four labelled). The headline PCK is the mean of per-person PCKs. This is the definition
  the reference used: running this script with ``--backend mediapipe`` reproduces the reference
  figures (COCO 0.763, OCHuman 0.628, OKS 0.732). The pooled PCK and a PCK with the torso taken
  as left shoulder ↔ right hip (a common alternative, more lenient) are printed for information.
* OKS: COCO's formula and sigmas, area = the annotation's ``area``; mean over people.
* ``all``: PCK and OKS averaged over the 17 people of both sets (issue 14's figure: 0.713 with
  the full model, target ≥ 0.76).
* ``--stream``: stream-like use instead of photo mode. Each crop is fed as ``STREAM_FRAMES``
  frames of a stream (smoothing off, so only the model and the tracking count): the first frame
  finds the person (detector and whole frame), the next ones track the ROI from the previous
  frame's landmarks, as a live camera does; the last frame is scored.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from _common import shared_data_dir

REPO = Path(__file__).resolve().parents[1]
COCO_SIGMAS = (
    np.array([26, 25, 25, 35, 35, 79, 79, 72, 72, 62, 62, 107, 107, 87, 87, 89, 89], np.float64)
    / 1000.0
)
#: Same table as fitroom.vision.landmarks.COCO17_FROM_BLAZEPOSE (repeated so that the mediapipe
#: backend runs in a side venv without fitroom).
COCO17_FROM_BLAZEPOSE = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
L_SHOULDER, R_SHOULDER, L_HIP, R_HIP = 5, 6, 11, 12
DATASETS = {"coco": "coco/test_coco.json", "ochuman": "ochuman/test_ochuman.json"}
REFERENCE = {"coco": (0.763, 0.732), "ochuman": (0.628, None)}
#: Frames of one crop in ``--stream`` mode (one to find the person, then tracking).
STREAM_FRAMES = 3

#: A predictor takes an RGB crop and returns a list of (33, 4+) landmark arrays in crop pixels.
Predictor = Callable[[np.ndarray], list[np.ndarray]]


def read_rgb(path: Path) -> np.ndarray:
    """RGB uint8, EXIF orientation applied (Pillow in both backends, so pixels are identical)."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB")).copy()


def enlarged_box(
    bbox: list[float], width: int, height: int, factor: float = 1.25
) -> tuple[int, ...]:
    """COCO [x, y, w, h] → integer (x0, y0, x1, y1) enlarged by ``factor``, clipped to the image."""
    x, y, w, h = bbox
    cx, cy = x + w / 2, y + h / 2
    x0 = max(0, int(np.floor(cx - w * factor / 2)))
    y0 = max(0, int(np.floor(cy - h * factor / 2)))
    x1 = min(width, int(np.ceil(cx + w * factor / 2)))
    y1 = min(height, int(np.ceil(cy + h * factor / 2)))
    return x0, y0, x1, y1


def torso_size(gt: np.ndarray, labelled: np.ndarray, bbox: list[float]) -> float:
    """Shoulder midpoint ↔ hip midpoint (labelled points only), else half the box diagonal."""
    shoulders = [i for i in (L_SHOULDER, R_SHOULDER) if labelled[i]]
    hips = [i for i in (L_HIP, R_HIP) if labelled[i]]
    if not shoulders or not hips:
        return float(np.hypot(bbox[2], bbox[3]) / 2)
    return float(np.linalg.norm(gt[shoulders].mean(axis=0) - gt[hips].mean(axis=0)))


def torso_diagonal(gt: np.ndarray, labelled: np.ndarray, bbox: list[float]) -> float:
    """Left shoulder ↔ right hip, else right shoulder ↔ left hip, else half the box diagonal."""
    for a, b in ((L_SHOULDER, R_HIP), (R_SHOULDER, L_HIP)):
        if labelled[a] and labelled[b]:
            return float(np.linalg.norm(gt[a] - gt[b]))
    return float(np.hypot(bbox[2], bbox[3]) / 2)


def oks(pred: np.ndarray, gt: np.ndarray, labelled: np.ndarray, area: float) -> float:
    """COCO object keypoint similarity of one person (labelled keypoints only)."""
    variances = (2 * COCO_SIGMAS) ** 2
    d2 = ((pred - gt) ** 2).sum(axis=1)
    e = d2 / variances / (area + np.spacing(1)) / 2
    return float(np.exp(-e)[labelled].mean())


def pick_nearest_centre(poses: list[np.ndarray], width: int, height: int) -> np.ndarray | None:
    """The pose whose visible-landmark box centre is nearest the crop centre."""
    best, best_d = None, np.inf
    for lm in poses:
        keep = lm[:, 3] > 0.5
        pts = lm[keep, :2] if keep.any() else lm[:, :2]
        centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
        d = float(np.hypot(centre[0] - width / 2, centre[1] - height / 2))
        if d < best_d:
            best, best_d = lm, d
    return best


@dataclass
class Score:
    people: int = 0
    found: int = 0
    correct: int = 0
    labelled: int = 0
    pck_per_person: list[float] = field(default_factory=list)
    diagonal_pck_per_person: list[float] = field(default_factory=list)
    oks_per_person: list[float] = field(default_factory=list)

    @property
    def pck(self) -> float:
        """Mean per-person PCK@0.2, torso = shoulder midpoint ↔ hip midpoint (the reference's)."""
        return float(np.mean(self.pck_per_person)) if self.pck_per_person else 0.0

    @property
    def pooled_pck(self) -> float:
        return self.correct / max(self.labelled, 1)

    @property
    def diagonal_pck(self) -> float:
        return float(np.mean(self.diagonal_pck_per_person)) if self.pck_per_person else 0.0

    @property
    def oks(self) -> float:
        return float(np.mean(self.oks_per_person)) if self.oks_per_person else 0.0


def evaluate(name: str, predict: Predictor, data: Path, verbose: bool) -> Score:
    gt_file = data / "keypoints" / DATASETS[name]
    raw = json.loads(gt_file.read_text())
    images = {im["id"]: im for im in raw["images"]}
    annotations = raw["annotations"]
    kept = [a for a in annotations if a.get("num_keypoints", 0) > 0 and not a.get("iscrowd", 0)]
    print(
        f"{name}: {len(annotations)} annotations, {len(kept)} people kept "
        f"(num_keypoints > 0 and not crowd), {len(images)} images"
    )
    score = Score()
    for ann in kept:
        info = images[ann["image_id"]]
        image = read_rgb(gt_file.parent / info["file_name"])
        h, w = image.shape[:2]
        x0, y0, x1, y1 = enlarged_box(ann["bbox"], w, h)
        crop = np.ascontiguousarray(image[y0:y1, x0:x1])
        kps = np.asarray(ann["keypoints"], np.float64).reshape(17, 3)
        gt = kps[:, :2] - (x0, y0)
        labelled = kps[:, 2] > 0
        poses = predict(crop)
        best = pick_nearest_centre(poses, crop.shape[1], crop.shape[0])
        torso = torso_size(gt, labelled, ann["bbox"])
        diagonal = torso_diagonal(gt, labelled, ann["bbox"])
        score.people += 1
        score.labelled += int(labelled.sum())
        person_pck, person_diagonal_pck, person_oks = 0.0, 0.0, 0.0
        if best is not None:
            score.found += 1
            pred = best[list(COCO17_FROM_BLAZEPOSE), :2].astype(np.float64)
            dist = np.linalg.norm(pred - gt, axis=1)
            correct = (dist <= 0.2 * torso) & labelled
            score.correct += int(correct.sum())
            person_pck = float(correct.sum() / labelled.sum())
            person_diagonal_pck = float(
                ((dist <= 0.2 * diagonal) & labelled).sum() / labelled.sum()
            )
            person_oks = oks(pred, gt, labelled, float(ann["area"]))
        score.pck_per_person.append(person_pck)
        score.diagonal_pck_per_person.append(person_diagonal_pck)
        score.oks_per_person.append(person_oks)
        if verbose:
            print(
                f"  {info['file_name']} ann {ann['id']:>8}: {int(labelled.sum()):2d} kp, "
                f"{len(poses)} pose(s), PCK {person_pck:.3f}, OKS {person_oks:.3f}"
            )
    return score


def fitroom_predictor(args: argparse.Namespace) -> tuple[Predictor, Callable[[], None]]:
    from fitroom.vision.pose import PoseLandmarker

    landmarker = PoseLandmarker(
        num_threads=args.threads,
        with_segmentation=False,
        smoothing=False,
        refine_photo_roi=not args.no_refine,
        photo_model=args.photo_model,
        photo_roi_model=args.roi_model,
        photo_roi_passes=args.roi_passes,
        photo_fallback_model=None if args.fallback_model == "none" else args.fallback_model,
        stream_model=args.stream_model,
    )

    def predict(crop: np.ndarray) -> list[np.ndarray]:
        if not args.stream:
            poses = [p.landmarks for p in landmarker.process(crop)]
            if landmarker.last_fallbacks:
                print(
                    f"  (passes disagreed on {landmarker.last_fallbacks} person(s): fallback ran)"
                )
            return poses
        landmarker.reset()
        pose = None
        for i in range(STREAM_FRAMES):
            pose = landmarker.process_frame(crop, timestamp_ms=i * 33)
        return [] if pose is None else [pose.landmarks]

    return predict, landmarker.close


def mediapipe_predictor(args: argparse.Namespace) -> tuple[Predictor, Callable[[], None]]:
    import mediapipe as mp  # type: ignore[import-not-found]  # side venv only, never a dependency

    del args  # the legacy API has no thread option
    solution = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1)

    def predict(crop: np.ndarray) -> list[np.ndarray]:
        result = solution.process(crop)
        if result.pose_landmarks is None:
            return []
        h, w = crop.shape[:2]
        return [
            np.array(
                [[p.x * w, p.y * h, p.z * w, p.visibility] for p in result.pose_landmarks.landmark],
                np.float64,
            )
        ]

    return predict, solution.close


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("fitroom", "mediapipe"), default="fitroom")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every person")
    models = ("lite", "full", "heavy")
    # Defaults: fitroom's photo mode (PoseLandmarker's defaults).
    parser.add_argument("--photo-model", choices=models, default="heavy")
    parser.add_argument("--roi-model", choices=models, default="lite", help="photo mode's 1st pass")
    parser.add_argument("--roi-passes", type=int, default=1, help="runs of the --roi-model")
    parser.add_argument(
        "--fallback-model",
        choices=(*models, "none"),
        default="none",
        help="photo mode: the model run when the last two passes disagree (none: never)",
    )
    parser.add_argument("--no-refine", action="store_true", help="photo mode: one pass only")
    parser.add_argument("--stream", action="store_true", help="stream-like use (see the doc)")
    parser.add_argument("--stream-model", choices=models, default="full")
    args = parser.parse_args()
    data = shared_data_dir()
    make = fitroom_predictor if args.backend == "fitroom" else mediapipe_predictor
    predict, close = make(args)
    start = time.perf_counter()
    results: dict[str, Score] = {}
    try:
        for name in DATASETS:
            results[name] = evaluate(name, predict, data, args.verbose)
    finally:
        close()
    elapsed = time.perf_counter() - start
    verdicts = []
    for name, r in results.items():
        ref_pck, ref_oks = REFERENCE[name]
        ok = r.pck >= ref_pck - 0.02 and (ref_oks is None or r.oks >= ref_oks - 0.02)
        verdicts.append(ok)
        ref_text = f"reference PCK {ref_pck:.3f}" + (f", OKS {ref_oks:.3f}" if ref_oks else "")
        print(
            f"{name:8s} people {r.people:2d} (pose found {r.found:2d})  PCK@0.2 {r.pck:.3f}  "
            f"OKS {r.oks:.3f}  [{ref_text}; need >= ref - 0.02: {'ok' if ok else 'SHORT'}]  "
            f"(pooled PCK {r.pooled_pck:.3f}; PCK with torso = l.shoulder-r.hip "
            f"{r.diagonal_pck:.3f})"
        )
    pck_all = float(np.mean([v for r in results.values() for v in r.pck_per_person]))
    oks_all = float(np.mean([v for r in results.values() for v in r.oks_per_person]))
    people = sum(r.people for r in results.values())
    print(f"all      people {people:2d}  PCK@0.2 {pck_all:.3f}  OKS {oks_all:.3f}")
    summary = "  ".join(f"{n} PCK@0.2 {r.pck:.3f} OKS {r.oks:.3f}" for n, r in results.items())
    if args.backend == "mediapipe":
        setup = "legacy solution"
    elif args.stream:
        setup = f"stream {args.stream_model}"
    else:
        first = "" if args.no_refine else f"{args.roi_model}->" * args.roi_passes
        setup = f"photo {first}{args.photo_model}"
        if args.fallback_model != "none":
            setup += f" (else {args.fallback_model})"
    print(
        f"SUMMARY pose_accuracy backend={args.backend} ({setup}): all PCK@0.2 {pck_all:.3f} "
        f"OKS {oks_all:.3f}  {summary}  "
        f"({'meets' if all(verdicts) else 'BELOW'} reference - 0.02; {elapsed:.1f} s)"
    )


if __name__ == "__main__":
    main()
