"""Appearance features: palette, pattern, texture and one similarity vector.

* Palette: k-means on the garment's Lab pixels (a fixed seed, so the same photo gives the same
  palette), clusters closer than ΔE 12 merged, each named after the nearest colour of a small
  named table.
* Pattern: on a grey crop of the body panel, the 2-D spectrum's strongest peaks tell periodic
  patterns apart — one direction is stripes, two are checks or dots (dots when the minority
  phase forms many small compact blobs); strong contrast without peaks is a print, little
  contrast is solid.
* Texture: a uniform LBP histogram plus oriented gradient energies.
* Vector: palette histogram, texture, pattern and shape blocks, each weighted, L2-normalised.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
from skimage.feature import local_binary_pattern

from fitroom.garments.core import (
    CATEGORIES,
    PATTERNS,
    SLEEVE_LENGTHS,
    Category,
    GarmentFeatures,
    PaletteColour,
    Pattern,
    SleeveLength,
)

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Human colour names and their sRGB values.
COLOUR_NAMES: dict[str, tuple[int, int, int]] = {
    "black": (20, 20, 22),
    "charcoal": (60, 62, 66),
    "grey": (128, 128, 128),
    "light grey": (195, 195, 195),
    "white": (245, 245, 242),
    "cream": (240, 230, 200),
    "beige": (210, 190, 160),
    "brown": (110, 70, 40),
    "tan": (180, 140, 95),
    "red": (200, 30, 40),
    "burgundy": (110, 20, 40),
    "pink": (240, 160, 180),
    "coral": (245, 120, 100),
    "orange": (240, 120, 30),
    "mustard": (205, 160, 40),
    "yellow": (245, 215, 60),
    "olive": (110, 110, 50),
    "green": (40, 140, 60),
    "mint": (160, 220, 190),
    "teal": (20, 120, 120),
    "light blue": (150, 190, 230),
    "blue": (40, 90, 190),
    "navy": (25, 35, 75),
    "dark blue": (15, 25, 135),
    "purple": (100, 40, 140),
    "lilac": (190, 160, 220),
}


def _to_lab(rgb: npt.NDArray[np.generic]) -> FloatArray:
    arr = np.asarray(rgb, np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(arr, cv2.COLOR_RGB2Lab).reshape(-1, 3)


_NAME_LIST = list(COLOUR_NAMES)
_NAME_LAB = _to_lab(np.array([COLOUR_NAMES[n] for n in _NAME_LIST], np.float32))


def colour_name(lab: npt.NDArray[np.floating]) -> str:
    """Nearest human colour name of a Lab colour.

    >>> colour_name(_to_lab(np.array([[28, 36, 80]]))[0])
    'navy'
    >>> colour_name(_to_lab(np.array([[0, 0, 128]]))[0])
    'dark blue'
    """
    d = np.linalg.norm(_NAME_LAB - np.asarray(lab, np.float32)[None, :], axis=1)
    return _NAME_LIST[int(np.argmin(d))]


def palette(
    rgb: ByteArray, mask: npt.NDArray[np.bool_], k: int = 5, samples: int = 6000
) -> tuple[PaletteColour, ...]:
    """Dominant colours of the garment pixels, largest share first (shares sum to 1).

    Args:
        rgb: uint8 (H, W, 3).
        mask: bool (H, W) garment pixels.
        k: clusters before merging.
        samples: pixels sampled (evenly strided, deterministic).
    """
    pixels = rgb[mask]
    if len(pixels) == 0:
        return ()
    step = max(1, len(pixels) // samples)
    lab = _to_lab(pixels[::step])
    k = int(min(k, len(lab)))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    cv2.setRNGSeed(7)  # k-means++ seeding: same garment, same palette
    _, labels, centres = cv2.kmeans(lab, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    counts = np.bincount(labels.ravel(), minlength=k).astype(np.float64)
    clusters = [(counts[i], centres[i].astype(np.float64)) for i in range(k) if counts[i] > 0]
    # Merge clusters closer than ΔE 12 (weighted mean).
    merged = True
    while merged and len(clusters) > 1:
        merged = False
        for i in range(len(clusters)):
            for j in range(i + 1, len(clusters)):
                if np.linalg.norm(clusters[i][1] - clusters[j][1]) < 12.0:
                    ni, ci = clusters[i]
                    nj, cj = clusters[j]
                    clusters[i] = (ni + nj, (ci * ni + cj * nj) / (ni + nj))
                    del clusters[j]
                    merged = True
                    break
            if merged:
                break
    total = sum(n for n, _ in clusters)
    clusters.sort(key=lambda c: -c[0])
    out = []
    for n, c in clusters:
        rgb_c = cv2.cvtColor(c.astype(np.float32).reshape(1, 1, 3), cv2.COLOR_Lab2RGB).reshape(3)
        rgb_u8 = tuple(int(v) for v in np.clip(rgb_c * 255.0 + 0.5, 0, 255))
        out.append(
            PaletteColour(
                lab=(float(c[0]), float(c[1]), float(c[2])),
                rgb=(rgb_u8[0], rgb_u8[1], rgb_u8[2]),
                name=colour_name(c),
                share=float(n / total),
            )
        )
    return tuple(out)


def body_crop(
    rgb: ByteArray, mask: npt.NDArray[np.bool_], size: int = 128
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Grey (L, float32 (size, size)) crop of the central body area and its valid mask."""
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return np.zeros((size, size), np.float32), np.zeros((size, size), bool)
    x0, x1 = np.percentile(xs, [20, 80]).astype(int)
    y0, y1 = np.percentile(ys, [20, 80]).astype(int)
    x1, y1 = max(x1, x0 + 2), max(y1, y0 + 2)
    crop = rgb[y0:y1, x0:x1]
    valid = mask[y0:y1, x0:x1]
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey = cv2.resize(grey, (size, size), interpolation=cv2.INTER_AREA)
    valid_s = cv2.resize(valid.astype(np.float32), (size, size), interpolation=cv2.INTER_AREA) > 0.5
    if valid_s.any():
        grey[~valid_s] = float(grey[valid_s].mean())
    return grey, valid_s


def classify_pattern(grey: FloatArray, valid: npt.NDArray[np.bool_]) -> Pattern:
    """Pattern class of a grey body crop (float32 (N, N), values 0–255)."""
    if valid.mean() < 0.3:
        return "solid"
    values = grey[valid]
    contrast = float(np.percentile(values, 95) - np.percentile(values, 5))
    if contrast < 25.0:
        return "solid"
    n = grey.shape[0]
    if _looks_dotted(grey, valid, values):
        return "dots"
    centred = (grey - grey.mean()) * np.outer(np.hanning(n), np.hanning(n)).astype(np.float32)
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(centred)))
    yy, xx = np.mgrid[:n, :n] - n // 2
    spectrum[np.hypot(xx, yy) < 3] = 0.0
    spectrum[yy < 0] = 0.0  # the spectrum is symmetric: keep one half-plane
    spectrum[(yy == 0) & (xx < 0)] = 0.0
    total = float(spectrum.sum()) + 1e-6
    flat = spectrum.ravel()
    order = np.argsort(flat)[::-1]
    peaks: list[tuple[float, float]] = []  # (angle in degrees [0, 180), share of energy)
    for idx in order[:200]:
        share = float(flat[idx]) / total
        if share < 0.01:
            break
        py, px = divmod(int(idx), n)
        angle = float(np.degrees(np.arctan2(py - n // 2, px - n // 2))) % 180.0
        if all(min(abs(angle - a), 180 - abs(angle - a)) > 15 for a, _ in peaks):
            peaks.append((angle, share))
        if len(peaks) >= 3:
            break
    strong = [p for p in peaks if p[1] >= 0.02]
    periodic = sum(float(flat[i]) for i in order[:12]) / total
    if periodic < 0.12 or not strong:
        return "print"
    if len(strong) == 1 or strong[0][1] > 3.0 * strong[1][1]:
        return "stripes"
    return "checks"


def _looks_dotted(grey: FloatArray, valid: npt.NDArray[np.bool_], values: FloatArray) -> bool:
    """Many small compact blobs of similar size in the minority phase: a dot pattern."""
    n = grey.shape[0]
    level, _ = cv2.threshold(
        np.clip(values, 0, 255).astype(np.uint8).reshape(-1, 1),
        0,
        255,
        cv2.THRESH_BINARY + cv2.THRESH_OTSU,
    )
    binary = (grey > level).astype(np.uint8)
    if binary[valid].mean() > 0.5:
        binary = 1 - binary
    binary = binary * valid.astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=4)
    if count - 1 < 12:
        return False
    areas = stats[1:, cv2.CC_STAT_AREA].astype(np.float32)
    areas = areas[areas >= 4]
    if areas.size < 12:
        return False
    boxes = (stats[1:, cv2.CC_STAT_WIDTH] * stats[1:, cv2.CC_STAT_HEIGHT]).astype(np.float32)
    fill = stats[1:, cv2.CC_STAT_AREA] / np.maximum(boxes, 1)
    typical = float(np.median(areas))
    similar = float(np.mean(np.abs(areas - typical) < 0.5 * typical))
    return typical < 0.02 * n * n and 0.55 < float(np.median(fill)) < 0.95 and similar > 0.6


def texture_descriptor(grey: FloatArray) -> FloatArray:
    """float32 (18,): uniform LBP histogram (10) + gradient energy in 8 orientations."""
    img = np.clip(grey, 0, 255).astype(np.uint8)
    lbp = local_binary_pattern(img, 8, 1, method="uniform")
    hist = np.bincount(lbp.astype(np.int64).ravel(), minlength=10)[:10].astype(np.float32)
    hist /= max(1.0, float(hist.sum()))
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1)
    mag = np.hypot(gx, gy)
    ang = (np.degrees(np.arctan2(gy, gx)) % 180.0) // 22.5
    counts = np.bincount(ang.astype(np.int64).ravel(), weights=mag.ravel(), minlength=8)[:8]
    energy = counts.astype(np.float32) / (float(mag.size) * 255.0)
    return np.concatenate([hist, energy]).astype(np.float32)


def _palette_histogram(colours: tuple[PaletteColour, ...]) -> FloatArray:
    """48-bin soft Lab histogram (L 3 × a 4 × b 4) of the palette weighted by share."""
    hist = np.zeros((3, 4, 4), np.float32)
    for c in colours:
        li = int(np.clip(c.lab[0] / 100.0 * 3, 0, 2))
        ai = int(np.clip((c.lab[1] + 64) / 128.0 * 4, 0, 3))
        bi = int(np.clip((c.lab[2] + 64) / 128.0 * 4, 0, 3))
        hist[li, ai, bi] += c.share
    return hist.ravel()


def feature_vector(
    colours: tuple[PaletteColour, ...],
    texture: FloatArray,
    pattern: Pattern,
    category: Category,
    sleeve: SleeveLength,
    length: float,
) -> FloatArray:
    """The L2-normalised similarity vector, float32 (79,)."""
    blocks = [
        (_palette_histogram(colours), 1.0),
        (texture / max(1e-6, float(np.linalg.norm(texture))), 0.6),
        (np.array([p == pattern for p in PATTERNS], np.float32), 0.5),
        (np.array([c == category for c in CATEGORIES], np.float32), 0.7),
        (np.array([s == sleeve for s in SLEEVE_LENGTHS], np.float32), 0.3),
        (np.array([min(length, 5.0) / 5.0], np.float32), 0.3),
    ]
    vec = np.concatenate([b * np.float32(w) for b, w in blocks]).astype(np.float32)
    return (vec / max(1e-6, float(np.linalg.norm(vec)))).astype(np.float32)


def garment_features(
    rgb: ByteArray,
    mask: npt.NDArray[np.bool_],
    category: Category,
    sleeve: SleeveLength,
    length: float,
) -> GarmentFeatures:
    """Palette, pattern, texture and vector of a garment (rgb uint8 (H, W, 3), mask bool)."""
    colours = palette(rgb, mask)
    grey, valid = body_crop(rgb, mask)
    pattern = classify_pattern(grey, valid)
    texture = texture_descriptor(grey)
    vector = feature_vector(colours, texture, pattern, category, sleeve, length)
    return GarmentFeatures(palette=colours, pattern=pattern, texture=texture, vector=vector)


__all__ = [
    "COLOUR_NAMES",
    "body_crop",
    "classify_pattern",
    "colour_name",
    "feature_vector",
    "garment_features",
    "palette",
    "texture_descriptor",
]
