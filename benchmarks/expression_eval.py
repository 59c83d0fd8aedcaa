"""Expression classifier accuracy on ../shared/data/faces (28 labelled LFW face crops, 7 classes).

    python benchmarks/expression_eval.py [--data ../shared/data] [--threads 2]

Each 350×350 grey crop goes through ``FaceAnalyzer.detect`` with its defaults (detector, mesh
check, expression classifier: exactly the library path); the best face's expression is compared
with the label (the dataset's names mapped to ours: anger→angry, happiness→happy, sadness→sad).
When no face is found in a crop, the whole image is classified as it is
(``classify_expression(..., tight_crop=True)``: the crop is already a tight face), and the miss is
counted.

Besides the library's path the script prints the accuracy, mean probability of the true class and
log-loss of other crop choices, run with the same model on the same detections, so the choice can
be judged: framing scale/shift around the detector box, fer's own rule (square box + 10 px each
side), the dataset's own crop, with or without the 48-pixel FER2013 resolution step, upright or
eye-aligned, each with and without averaging over the mirror image. 28 images are too few to pick
a winner by accuracy (one image is 3.6 points; the 95% interval at 50% spans about ±18 points):
the library's framing is set from geometry instead (``EXPRESSION_BOX_SCALE`` in
fitroom/vision/face.py), and mirror averaging because it lowers the log-loss for every framing.

Prints the accuracy, a confusion matrix, the choices, timings and a final summary line.
"""

from __future__ import annotations

import argparse
import csv
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fitroom.imaging import decode_image
from fitroom.vision._tflite import TFLiteModel
from fitroom.vision.core import EXPRESSIONS, Face, RotatedRect
from fitroom.vision.face import (
    EXPRESSION_BOX_SCALE,
    EXPRESSION_BOX_SHIFT,
    FaceAnalyzer,
    expression_input,
    expression_roi,
    eye_rotation,
    mirror_average,
    normalize_probabilities,
    to_grey,
)

#: The dataset's class names → ours.
LABEL_MAP = {
    "anger": "angry",
    "disgust": "disgust",
    "fear": "fear",
    "happiness": "happy",
    "neutral": "neutral",
    "sadness": "sad",
    "surprise": "surprise",
}

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sample:
    name: str
    label: int
    grey: npt.NDArray[np.uint8]
    face: Face | None


#: A crop choice: (grey image, detected face or None) → model input (1, 64, 64, 1).
CropChoice = Callable[[npt.NDArray[np.uint8], Face | None], npt.NDArray[np.float32]]


def whole_image_roi(grey: npt.NDArray[np.uint8]) -> RotatedRect:
    """The whole (square) image as the expression crop: scale 1, no shift."""
    h, w = grey.shape[:2]
    return expression_roi((0.0, 0.0, float(w), float(h)), 1.0, 0.0)


def framed(
    scale: float, shift: float, *, native: int | None = 48, aligned: bool = False
) -> CropChoice:
    def choice(grey: npt.NDArray[np.uint8], face: Face | None) -> npt.NDArray[np.float32]:
        if face is None:
            return expression_input(grey, whole_image_roi(grey), native_resolution=native)
        rotation = eye_rotation(face.keypoints[0], face.keypoints[1]) if aligned else 0.0
        roi = expression_roi(face.box, scale, shift, rotation)
        return expression_input(grey, roi, native_resolution=native)

    return choice


def fer_rule(grey: npt.NDArray[np.uint8], face: Face | None) -> npt.NDArray[np.float32]:
    """fer's rule on our box: square on the long side, then 10 pixels on every side."""
    if face is None:
        return expression_input(grey, whole_image_roi(grey), native_resolution=None)
    x0, y0, x1, y1 = face.box
    side = max(x1 - x0, y1 - y0)
    return expression_input(
        grey, expression_roi(face.box, (side + 20.0) / side, 0.0), native_resolution=None
    )


def whole_image(grey: npt.NDArray[np.uint8], face: Face | None) -> npt.NDArray[np.float32]:
    return expression_input(grey, whole_image_roi(grey))


CHOICES: dict[str, CropChoice] = {
    "library framing: box x1.15 up 0.12, 48 -> 64 px": framed(
        EXPRESSION_BOX_SCALE, EXPRESSION_BOX_SHIFT
    ),
    "box x1.00 centred": framed(1.0, 0.0),
    "box x1.15 centred": framed(1.15, 0.0),
    "box x1.30 centred": framed(1.3, 0.0),
    "box x1.00 up 0.12": framed(1.0, -0.12),
    "box x1.30 up 0.12": framed(1.3, -0.12),
    "library framing, straight to 64 px": framed(
        EXPRESSION_BOX_SCALE, EXPRESSION_BOX_SHIFT, native=None
    ),
    "library framing, eye-aligned": framed(
        EXPRESSION_BOX_SCALE, EXPRESSION_BOX_SHIFT, aligned=True
    ),
    "fer rule (box + 10 px), to 64 px": fer_rule,
    "dataset's own crop (whole image)": whole_image,
}


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def confusion(truth: list[int], predicted: list[int]) -> npt.NDArray[np.int64]:
    matrix = np.zeros((len(EXPRESSIONS), len(EXPRESSIONS)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        matrix[t, p] += 1
    return matrix


def print_confusion(matrix: npt.NDArray[np.int64]) -> None:
    short = [name[:5] for name in EXPRESSIONS]
    print("truth \\ predicted " + " ".join(f"{s:>6}" for s in short) + "   recall")
    for i, name in enumerate(EXPRESSIONS):
        row = " ".join(f"{int(v):>6}" for v in matrix[i])
        total = int(matrix[i].sum())
        recall = f"{matrix[i, i] / total:.2f}" if total else "  - "
        print(f"{name:>17} {row}   {recall}")


TIMING_RUNS = 50


def astronaut_timings(threads: int) -> dict[str, float]:
    """Median per-stage milliseconds of ``FaceAnalyzer.detect`` on the astronaut photo."""
    from skimage import data

    image = np.ascontiguousarray(data.astronaut())  # type: ignore[no-untyped-call,unused-ignore]
    runs: dict[str, list[float]] = {}
    with FaceAnalyzer(num_threads=threads) as analyzer:
        for i in range(TIMING_RUNS + 5):
            analyzer.detect(image)
            if i >= 5:  # warm-up
                for stage, ms in analyzer.last_timings_ms.items():
                    runs.setdefault(stage, []).append(ms)
    medians = {stage: statistics.median(values) for stage, values in runs.items()}
    medians["total"] = sum(medians.values())
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    folder = args.data / "faces"
    rows = list(csv.DictReader((folder / "labels.csv").open(encoding="utf-8")))

    samples: list[Sample] = []
    library_predictions: list[int] = []
    sums: list[float] = []
    detect_ms: list[float] = []
    expression_ms: list[float] = []
    with FaceAnalyzer(num_threads=args.threads) as analyzer:
        for row in rows:
            image = decode_image(folder / row["file"])
            label = EXPRESSIONS.index(LABEL_MAP[row["emotion"]])
            faces = analyzer.detect(image)
            detect_ms.append(analyzer.last_timings_ms["face_detect"])
            expression_ms.append(analyzer.last_timings_ms["expression"])
            face = faces[0] if faces else None
            if face is not None and face.expression is not None:
                expression = face.expression
            else:
                # Fallback: the crop is already a tight face; classify it whole.
                expression = analyzer.classify_expression(
                    image, (0.0, 0.0, float(image.shape[1]), float(image.shape[0])), tight_crop=True
                )
            library_predictions.append(int(np.argmax(expression.probabilities)))
            samples.append(Sample(row["file"], label, to_grey(image), face))

    truth = [s.label for s in samples]
    found = sum(s.face is not None for s in samples)
    n = len(samples)
    matrix = confusion(truth, library_predictions)
    accuracy = float(np.trace(matrix)) / n

    print(f"faces: {n} labelled crops in {folder}")
    print(
        f"detector found a face in {found}/{n} (min score 0.5); misses fall back to the whole crop"
    )
    low, high = wilson_interval(int(np.trace(matrix)), n)
    print(
        f"library path (box x{EXPRESSION_BOX_SCALE} shifted {EXPRESSION_BOX_SHIFT:+} of the box, "
        f"48 px then 64 px, upright, mirror-averaged): accuracy {accuracy:.3f} "
        f"({int(np.trace(matrix))}/{n}, 95% interval {low:.2f}-{high:.2f})"
    )
    print_confusion(matrix)

    # Other crop choices, same model, same detections.
    print("\ncrop choices (same detections, same model):")
    with TFLiteModel("emotion", num_threads=args.threads) as model:
        for name, choice in CHOICES.items():
            for mirrored in (False, True):
                predictions, true_p = [], []
                for sample in samples:
                    tensor = choice(sample.grey, sample.face)
                    (raw,) = model.run(tensor)
                    sums.append(float(raw.sum()))
                    probabilities = normalize_probabilities(raw[0])
                    if mirrored:
                        (flipped,) = model.run(np.ascontiguousarray(tensor[:, :, ::-1]))
                        probabilities = mirror_average(raw[0], flipped[0])
                    predictions.append(int(np.argmax(probabilities)))
                    true_p.append(float(probabilities[sample.label]))
                correct = sum(p == t for p, t in zip(predictions, truth, strict=True))
                nll = -float(np.mean(np.log(np.maximum(true_p, 1e-6))))
                title = name + (" + mirror avg" if mirrored else "")
                print(
                    f"  {title:<62} {correct / n:.3f} ({correct:>2}/{n})  "
                    f"mean p(true) {np.mean(true_p):.3f}  NLL {nll:.2f}"
                )
    print(
        f"\nraw model outputs sum to {min(sums):.4f}..{max(sums):.4f} (the model ends in softmax)"
    )
    print(
        f"timings per crop (median ms, {args.threads} threads): detector "
        f"{statistics.median(detect_ms):.2f}, expression {statistics.median(expression_ms):.2f}"
    )
    stages = astronaut_timings(args.threads)
    print(
        f"astronaut 512x512, {args.threads} threads, median of {TIMING_RUNS} (machine may be "
        "shared): " + ", ".join(f"{k} {v:.2f} ms" for k, v in stages.items())
    )
    print(
        f"SUMMARY expression accuracy {accuracy:.3f} ({int(np.trace(matrix))}/{n}), "
        f"faces found {found}/{n}, chance 0.143, source model ~0.66 on FER2013"
    )


if __name__ == "__main__":
    main()
