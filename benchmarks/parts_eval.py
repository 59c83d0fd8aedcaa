"""Person mask and body-part map against human-parsing label maps, plus a contact sheet.

    python benchmarks/parts_eval.py [--data ../shared/data] [--threads 2] [--frames 200]
    python benchmarks/parts_eval.py --set pairs [--photo-model full]   # the true pairs' people

Ground truth (``--set vton``, 5 people): ../shared/data/keypoints/vton_dataset_pose — VITON-HD
``image-parse-v3/*.png`` for ``vitonhd/image/*.jpg`` and Dress Code ``label_maps/*_4.png`` for
``dresscode/*/images/*_0.jpg``. With ``--set pairs`` (24 people; 00069_00 has no map): the
person photos of ../shared/data/pairs and their maps in ``pairs/image-parse`` (VITON-HD
``NNNNN_00.png``, Dress Code ``NNNNNN_4.png``, same ids as above). The pairs have no dataset
keypoints: a Dress Code dress is split into upper and lower garment at our own pose's hip line.
These maps come from a human parser (model-estimated, not hand-drawn) and label *garments* as well
as body parts, while our map labels *body parts* (an arm in a sleeve is still an arm) plus a skin
mask. So the columns compare like with like, using our skin mask (> 0.5 = bare) where the parser
speaks of garments. "skin" below means our skin mask > 0.5.

==========  =====================================  ============================================
column      parser ids, VITON-HD (DC = Dress Code)  ours
==========  =====================================  ============================================
person      every id > 0 (DC: bags, shoes too)      person mask > 0.5
face        13 face; DC: 11 head (face + bare neck) FACE; DC: FACE ∪ (NECK ∩ skin)
hair        2                                       HAIR
arms        14 left arm (image right) ∪ 15 right    (upper arm ∪ forearm ∪ hand) ∩ skin
            arm: bare skin and hands only
arms L/R    14 vs our LEFT_*, 15 vs our RIGHT_*     as "arms", each side on its own
upper       upper garment: 5 upper clothes ∪ 10     TORSO ∪ NECK ∪ (arms ∖ skin, i.e. sleeves);
            neck; DC: 4 ∪ 7 dress above the hip     DC: (TORSO ∪ NECK ∪ sleeves) ∖ skin
            line (from the dataset's keypoints)
torso       the same parser pixels as "upper"       TORSO ∪ NECK (VITON); TORSO ∪ (NECK ∖ skin)
                                                    (DC) — the pure geometric torso, no sleeves
legs        9 pants, 12 skirt, 16/17 legs, 18/19    LEFT_LEG ∪ RIGHT_LEG
            shoes; DC: 5, 6, 9, 10, 12, 13 and 7
            dress below the hip line
arm lbl     14 ∪ 15                                 arm labels without the skin test (sleeves
                                                    included, so low for long sleeves: info)
==========  =====================================  ============================================

The headline numbers are person, face, arms (bare arms, what later stages fill with skin) and
upper (the garment region later stages remove). "torso" and "arm lbl" show how far the purely
geometric labels are from garment-based ground truth; they are not expected to be high.

The contact sheet (image | ground truth | ours | our skin mask) goes to out/parts/contact_sheet.png
and a second sheet of people without ground truth to out/parts/persons_sheet.png. The script ends
with a timing loop at 640×480 (person mask in stream mode, body parts).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from _common import REPO, read_rgb, shared_data_dir, summary, time_ms
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, LEG_PARTS, PART_COLORS, BodyPart, Face
from fitroom.vision.parts import body_parts
from fitroom.vision.pose import PoseLandmarker
from fitroom.vision.segmentation import PersonSegmenter

OUT = REPO / "out" / "parts"
GROUPS = ("person", "face", "hair", "arms", "arms L/R", "upper", "torso", "legs", "arm lbl")

ARMS = ARM_PARTS | HAND_PARTS
LEFT_ARM = {BodyPart.LEFT_UPPER_ARM, BodyPart.LEFT_FOREARM, BodyPart.LEFT_HAND}
RIGHT_ARM = {BodyPart.RIGHT_UPPER_ARM, BodyPart.RIGHT_FOREARM, BodyPart.RIGHT_HAND}


@dataclass(frozen=True)
class Sample:
    name: str
    dataset: str  # "vitonhd" or "dresscode"
    image: np.ndarray
    labels: np.ndarray
    hip_y: float | None  # Dress Code: hip line from the dataset's keypoints, image pixels


def load_pair_samples(data: Path, hip_line: Callable[[np.ndarray], float | None]) -> list[Sample]:
    """The person photos of ../shared/data/pairs that have a parse map (24 of the 25)."""
    root = data / "pairs"
    samples = []
    for label_path in sorted((root / "image-parse").glob("*.png")):
        labels = np.array(Image.open(label_path))
        if label_path.stem.endswith("_00"):  # VITON-HD NNNNN_00
            image = read_rgb(root / "image" / f"{label_path.stem}.jpg")
            samples.append(Sample(label_path.stem, "vitonhd", image, labels, None))
        else:  # Dress Code: map NNNNNN_4 for the photo NNNNNN_0
            stem = label_path.stem[: -len("_4")]
            image = read_rgb(root / "image" / f"{stem}_0.jpg")
            samples.append(Sample(stem, "dresscode", image, labels, hip_line(image)))
    return samples


def load_samples(data: Path) -> list[Sample]:
    root = data / "keypoints" / "vton_dataset_pose"
    samples = []
    for label_path in sorted((root / "vitonhd" / "image-parse-v3").glob("*.png")):
        image_path = root / "vitonhd" / "image" / (label_path.stem + ".jpg")
        labels = np.array(Image.open(label_path))
        samples.append(Sample(label_path.stem, "vitonhd", read_rgb(image_path), labels, None))
    for label_path in sorted((root / "dresscode").glob("*/label_maps/*_4.png")):
        stem = label_path.stem[: -len("_4")]
        folder = label_path.parent.parent
        image = read_rgb(folder / "images" / f"{stem}_0.jpg")
        keypoints = json.loads((folder / "keypoints" / f"{stem}_2.json").read_text())["keypoints"]
        # OpenPose-COCO order, 384×512 coordinates: 8 right hip, 11 left hip.
        scale = image.shape[0] / 512
        hips = [keypoints[i] for i in (8, 11) if keypoints[i][2] > 0.1]
        hip_y = float(np.mean([k[1] for k in hips]) * scale) if hips else None
        samples.append(Sample(stem, "dresscode", image, np.array(Image.open(label_path)), hip_y))
    return samples


def ground_truth_groups(sample: Sample) -> dict[str, np.ndarray]:
    lab = sample.labels

    def any_of(*ids: int) -> np.ndarray:
        return np.isin(lab, ids)

    if sample.dataset == "vitonhd":
        return {
            "person": lab > 0,
            "face": any_of(13),
            "hair": any_of(2),
            "arms": any_of(14, 15),
            "left arm": any_of(14),
            "right arm": any_of(15),
            "torso": any_of(5, 10),
            "legs": any_of(9, 12, 16, 17, 18, 19),
        }
    rows = np.arange(lab.shape[0])[:, None]
    hip_y = sample.hip_y if sample.hip_y is not None else lab.shape[0] / 2
    dress = lab == 7
    return {
        "person": lab > 0,
        "face": any_of(11),
        "hair": any_of(2),
        "arms": any_of(14, 15),
        "left arm": any_of(14),
        "right arm": any_of(15),
        "torso": any_of(4) | (dress & (rows < hip_y)),
        "legs": any_of(5, 6, 9, 10, 12, 13) | (dress & (rows >= hip_y)),
    }


def our_groups(
    sample: Sample, mask: np.ndarray, labels: np.ndarray, skin: np.ndarray
) -> dict[str, np.ndarray]:
    def any_of(parts: set[BodyPart] | frozenset[BodyPart]) -> np.ndarray:
        return np.isin(labels, [int(p) for p in parts])

    bare = skin > 0.5
    arms = any_of(ARMS)
    neck = any_of({BodyPart.NECK})
    face = any_of({BodyPart.FACE})
    torso = any_of({BodyPart.TORSO})
    sleeves = any_of(ARM_PARTS) & ~bare
    if sample.dataset == "vitonhd":
        # Parser: 13 face; 5 upper clothes ∪ 10 neck (neck and chest skin above the garment).
        face_group = face
        torso_group = torso | neck
        upper = torso | neck | sleeves
    else:
        # Parser: 11 head = face and bare neck; 4 upper clothes (+ dress above the hips).
        face_group = face | (neck & bare)
        torso_group = torso | (neck & ~bare)
        upper = (torso | neck | sleeves) & ~bare
    return {
        "person": mask > 0.5,
        "face": face_group,
        "hair": any_of({BodyPart.HAIR}),
        "arms": arms & bare,
        "arm lbl": arms,
        "left arm": any_of(LEFT_ARM) & bare,
        "right arm": any_of(RIGHT_ARM) & bare,
        "upper": upper,
        "torso": torso_group,
        "legs": any_of(LEG_PARTS),
    }


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = int((a | b).sum())
    return float("nan") if union == 0 or not b.any() else int((a & b).sum()) / union


def scores(gt: dict[str, np.ndarray], ours: dict[str, np.ndarray]) -> dict[str, float]:
    out = {g: iou(ours[g], gt[g]) for g in ("person", "face", "hair", "arms", "torso", "legs")}
    out["upper"] = iou(ours["upper"], gt["torso"])
    out["arm lbl"] = iou(ours["arm lbl"], gt["arms"])
    if (gt["left arm"] | gt["right arm"]).any():
        inter = int((ours["left arm"] & gt["left arm"]).sum())
        inter += int((ours["right arm"] & gt["right arm"]).sum())
        union = int((ours["left arm"] | gt["left arm"]).sum())
        union += int((ours["right arm"] | gt["right arm"]).sum())
        out["arms L/R"] = inter / max(union, 1)
    else:
        out["arms L/R"] = float("nan")
    return out


def colour_parts(labels: np.ndarray) -> np.ndarray:
    lut = np.zeros((256, 3), np.uint8)
    for part, colour in PART_COLORS.items():
        lut[int(part)] = colour
    out: np.ndarray = lut[labels]
    return out


def colour_ground_truth(sample: Sample) -> np.ndarray:
    """The parser's map painted with our part colours through the grouping above."""
    gt = ground_truth_groups(sample)
    labels = np.zeros(sample.labels.shape, np.uint8)
    labels[gt["person"]] = 255  # other (bag, ...)
    labels[gt["legs"]] = BodyPart.LEFT_LEG
    labels[gt["torso"]] = BodyPart.TORSO
    if sample.dataset == "vitonhd":
        labels[sample.labels == 10] = BodyPart.NECK
    labels[gt["hair"]] = BodyPart.HAIR
    labels[gt["face"]] = BodyPart.FACE
    labels[gt["left arm"]] = BodyPart.LEFT_UPPER_ARM
    labels[gt["right arm"]] = BodyPart.RIGHT_UPPER_ARM
    out = colour_parts(labels)
    out[labels == 255] = (128, 128, 128)
    return out


def tile(image: np.ndarray, height: int = 384) -> np.ndarray:
    h, w = image.shape[:2]
    return cv2.resize(image, (round(w * height / h), height), interpolation=cv2.INTER_AREA)


def blend(image: np.ndarray, colours: np.ndarray, where: np.ndarray) -> np.ndarray:
    out = image.copy()
    out[where] = (0.35 * image[where] + 0.65 * colours[where]).astype(np.uint8)
    return out


def skin_view(image: np.ndarray, mask: np.ndarray, skin: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    out = (grey * 0.4).astype(np.float32)
    out[..., 2] += 120 * mask  # person mask in blue
    out[..., 0] += 255 * skin  # skin in red/orange
    out[..., 1] += 120 * skin
    return np.clip(out, 0, 255).astype(np.uint8)


def analyse(
    image: np.ndarray,
    landmarker: PoseLandmarker,
    segmenter: PersonSegmenter,
    face_of: Callable[[np.ndarray, object], Face | None],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    poses = landmarker.process(image)
    mask = segmenter.segment(image, poses)
    if not poses:
        empty = np.zeros(image.shape[:2], np.uint8)
        return mask.mask, empty, np.zeros(image.shape[:2], np.float32), False
    face = face_of(image, poses[0])
    parts = body_parts(image, poses[0], mask, face)
    return mask.mask, parts.labels, parts.skin, face is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=200, help="timing-loop iterations")
    parser.add_argument("--no-face", action="store_true", help="do not use the face module")
    parser.add_argument("--set", choices=("vton", "pairs"), default="vton", help="ground truth")
    parser.add_argument("--photo-model", choices=("lite", "full", "heavy"), default="heavy")
    args = parser.parse_args()
    cv2.setNumThreads(args.threads)
    data = args.data if args.data is not None else shared_data_dir()
    landmarker = PoseLandmarker(num_threads=args.threads, photo_model=args.photo_model)

    def hip_line(image: np.ndarray) -> float | None:
        poses = landmarker.process(image)
        return float(poses[0].xy[[23, 24], 1].mean()) if poses else None

    samples = load_samples(data) if args.set == "vton" else load_pair_samples(data, hip_line)
    if not samples:
        sys.exit(f"no label maps found in {data} for --set {args.set}")
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.set == "vton" else "_pairs"

    face_analyzer = None
    if not args.no_face:
        try:
            from fitroom.vision.face import FaceAnalyzer

            face_analyzer = FaceAnalyzer(num_threads=args.threads)
        except ImportError:
            print("face module not available: parts without a Face")

    def face_of(image: np.ndarray, pose: object) -> Face | None:
        if face_analyzer is None:
            return None
        return face_analyzer.analyze_person(image, pose)  # type: ignore[arg-type]

    rows: list[dict[str, float]] = []
    sheet_rows = []
    with landmarker, PersonSegmenter(num_threads=args.threads) as segmenter:
        header = f"{'image':<22}" + "".join(f"{g:>10}" for g in GROUPS)
        print(header)
        for sample in samples:
            mask, labels, skin, has_face = analyse(sample.image, landmarker, segmenter, face_of)
            row = scores(ground_truth_groups(sample), our_groups(sample, mask, labels, skin))
            rows.append(row)
            name = f"{sample.dataset[:2]} {sample.name}{'' if has_face else ' (no face)'}"
            print(f"{name:<22}" + "".join(f"{row[g]:>10.3f}" for g in GROUPS))
            sheet_rows.append(
                np.hstack(
                    [
                        tile(sample.image),
                        tile(blend(sample.image, colour_ground_truth(sample), sample.labels > 0)),
                        tile(blend(sample.image, colour_parts(labels), labels > 0)),
                        tile(skin_view(sample.image, mask, skin)),
                    ]
                )
            )
        for dataset in ("vitonhd", "dresscode"):
            picked = [r for r, s in zip(rows, samples, strict=True) if s.dataset == dataset]
            if picked and len(picked) < len(rows):
                part = {g: float(np.nanmean([r[g] for r in picked])) for g in GROUPS}
                label = f"mean {dataset} ({len(picked)})"
                print(f"{label:<22}" + "".join(f"{part[g]:>10.3f}" for g in GROUPS))
        means = {g: float(np.nanmean([r[g] for r in rows])) for g in GROUPS}
        print(f"{'mean':<22}" + "".join(f"{means[g]:>10.3f}" for g in GROUPS))
        sheet = OUT / f"contact_sheet{suffix}.png"
        Image.fromarray(np.vstack(sheet_rows)).save(sheet)
        print(f"contact sheet: {sheet} (image | ground truth | ours | skin)")

        # People without ground truth, to look at.
        from skimage import data as skdata

        others = [("astronaut", np.ascontiguousarray(skdata.astronaut()))]
        for path in sorted((data / "persons").glob("*.jpg"))[::3]:
            others.append((path.stem, read_rgb(path)))
        tiles = []
        for _, image in others:
            mask, labels, skin, _ = analyse(image, landmarker, segmenter, face_of)
            tiles.append(
                np.hstack(
                    [
                        tile(blend(image, colour_parts(labels), labels > 0), 320),
                        tile(skin_view(image, mask, skin), 320),
                    ]
                )
            )
        width = max(t.shape[1] for t in tiles)
        tiles = [
            cv2.copyMakeBorder(t, 0, 0, 0, width - t.shape[1], cv2.BORDER_CONSTANT) for t in tiles
        ]
        pairs = [
            np.hstack(tiles[i : i + 2])
            if i + 1 < len(tiles)
            else np.hstack([tiles[i], np.zeros_like(tiles[i])])
            for i in range(0, len(tiles), 2)
        ]
        Image.fromarray(np.vstack(pairs)).save(OUT / "persons_sheet.png")
        print(f"persons sheet: {OUT / 'persons_sheet.png'} (parts | skin), {len(others)} people")

        # Timing at 640×480: person mask (stream mode, tracked pose) and body parts.
        frame = cv2.resize(samples[0].image, (360, 480), interpolation=cv2.INTER_AREA)
        frame = cv2.copyMakeBorder(frame, 0, 0, 140, 140, cv2.BORDER_REPLICATE)
        pose = landmarker.process_frame(frame, 0)
        if pose is not None:
            counter = iter(range(1, 10**9))
            mask_ms = time_ms(
                lambda: segmenter.segment_frame(frame, pose, 33 * next(counter)), args.frames, 10
            )
            person_mask = segmenter.segment_frame(frame, pose, 10**8)
            parts_ms = time_ms(lambda: body_parts(frame, pose, person_mask), args.frames, 5)
            print(
                f"person mask 640x480 (segment_frame, {args.threads} threads): {summary(mask_ms)}"
            )
            print(f"body parts  640x480:                                {summary(parts_ms)}")
            print(
                "  mask steps (last call): "
                + ", ".join(f"{k} {v:.2f}" for k, v in segmenter.last_timings_ms.items())
            )
        else:
            mask_ms, parts_ms = [float("nan")], [float("nan")]
            print("timing: no pose found in the 640x480 test frame")

    if face_analyzer is not None:
        face_analyzer.close()
    print(
        f"SUMMARY parts_eval --set {args.set} (pose {args.photo_model}): {len(samples)} images; "
        f"IoU person {means['person']:.3f} "
        f"face {means['face']:.3f} hair {means['hair']:.3f} arms {means['arms']:.3f} "
        f"arms L/R {means['arms L/R']:.3f} "
        f"upper-garment {means['upper']:.3f} torso {means['torso']:.3f} legs {means['legs']:.3f}; "
        f"mask {statistics.median(mask_ms):.2f} ms, parts {statistics.median(parts_ms):.2f} ms "
        "median at 640x480"
    )


if __name__ == "__main__":
    main()
