"""Mask helpers shared by the dressing steps: part-map lookups, rounded edges, growing.

Masks are float32 (H, W) in [0, 1] unless a function says bool.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.vision.core import BodyPart

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]


def labels_mask(labels: ByteArray, parts: Iterable[BodyPart]) -> npt.NDArray[np.bool_]:
    """Where the body-part map holds any of ``parts``: (H, W) bool."""
    values = sorted({int(p) for p in parts})
    # Runs of consecutive labels (the arms are 5-8, the hands 9-10, the legs 11-12): a
    # comparison per run is several times faster than a lookup table for one to three runs.
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][1] + 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    if labels.dtype == np.uint8 and 0 < len(runs) <= 3:
        masks = []
        for lo, hi in runs:
            hit = labels == lo if lo == hi else labels >= lo
            if lo != hi:
                hit &= labels <= hi
            masks.append(hit)
        for other in masks[1:]:
            masks[0] |= other
        return masks[0]
    # A 256-entry lookup table: several times faster than np.isin on a uint8 label map, and
    # cv2.LUT applies it about 4× faster than NumPy's indexing.
    table = np.zeros(256, np.uint8)
    table[values] = 1
    if labels.dtype != np.uint8 or labels.size == 0:  # (cv2.LUT takes neither)
        return table.view(np.bool_)[labels]
    found: npt.NDArray[np.bool_] = cv2.LUT(labels, table).view(np.bool_)
    return found


#: Edge smoothing of part-map masks, as a share of the map's longer side (the map is upsampled
#: from the model's grid with nearest neighbours: its edges are staircases of that step).
EDGE_SMOOTHING = 0.003


def smooth_edges(hard: npt.NDArray[np.bool_], sigma: float | None = None) -> FloatArray:
    """A hard mask with rounded, anti-aliased edges: float32 (H, W) in [0, 1].

    Blurred by ``sigma`` (default :data:`EDGE_SMOOTHING` × the longer side, at least one pixel)
    and steepened again around 0.5, so staircase edges become smooth curves with a soft rim
    about a pixel or two wide, while the mask's area stays about the same.
    """
    if sigma is None:
        sigma = max(1.0, EDGE_SMOOTHING * max(hard.shape))
    out = np.zeros(hard.shape, np.float32)
    rows = np.flatnonzero(hard.any(axis=1))
    if rows.size == 0:
        return out
    cols = np.flatnonzero(hard.any(axis=0))
    # Only the mask's box (grown by the blur's reach) can change.
    pad = int(np.ceil(3.0 * sigma)) + 1
    h, w = hard.shape
    y0, y1 = max(0, int(rows[0]) - pad), min(h, int(rows[-1]) + pad + 1)
    x0, x1 = max(0, int(cols[0]) - pad), min(w, int(cols[-1]) + pad + 1)
    crop = hard[y0:y1, x0:x1].astype(np.float32)
    if sigma > 4.0 and min(crop.shape) >= 8:
        # A wide blur at half resolution (a quarter of the work; the result is smooth anyway).
        ch, cw = crop.shape
        half = cv2.resize(crop, ((cw + 1) // 2, (ch + 1) // 2), interpolation=cv2.INTER_AREA)
        half = cv2.GaussianBlur(half, (0, 0), 0.5 * sigma, borderType=cv2.BORDER_REPLICATE)
        blurred = cv2.resize(half, (cw, ch), interpolation=cv2.INTER_LINEAR)
    else:
        blurred = cv2.GaussianBlur(crop, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    gain = np.float32(0.5 * sigma + 1.0)
    out[y0:y1, x0:x1] = np.clip((blurred - np.float32(0.5)) * gain + np.float32(0.5), 0.0, 1.0)
    return out


def span_to_multiple(start: int, stop: int, size: int, multiple: int) -> tuple[int, int]:
    """``start:stop`` (within ``0:size``) grown to a length that is a multiple of ``multiple``:
    at its end, then at its start where the frame's edge stops it; as far as the frame allows.

    A crop about to be shrunk by an integer factor is grown so: OpenCV's area filter then
    averages whole blocks, a tenth to a twentieth of the time its general path takes for a
    fractional scale.

    >>> span_to_multiple(3, 8, 20, 2), span_to_multiple(13, 20, 20, 2), span_to_multiple(0, 7, 7, 2)
    ((3, 9), (12, 20), (0, 7))
    >>> span_to_multiple(5, 10, 12, 4)
    (4, 12)
    """
    short = -(stop - start) % multiple
    grow_end = min(short, size - stop)
    grow_start = min(short - grow_end, start)
    return start - grow_start, stop + grow_end


def snap_to_edges(mask: FloatArray, image: ByteArray, radius: int, eps: float = 1e-3) -> FloatArray:
    """A coarse mask whose edges follow the photo's own edges (a guided filter, He et al. 2010).

    The body-part map comes from a small grid: a hand or an arm in front of the new garment
    has a staircase outline several pixels off the real one. Filtered with the photo's
    luminance as the guide, the mask keeps its inside and outside but its rim moves onto the
    edge the photo shows there.

    Args:
        mask: float32 (H, W) in [0, 1].
        image: uint8 (H, W, 3) RGB photo, the guide.
        radius: window radius in pixels (about the staircase step).
        eps: regularisation on the guide's [0, 1] scale: larger keeps the mask smoother.

    Returns:
        float32 (H, W) in [0, 1].

    >>> m = np.zeros((20, 20), np.float32); m[:, :10] = 1.0
    >>> g = np.zeros((20, 20, 3), np.uint8); g[:, :10] = 255
    >>> out = snap_to_edges(m, g, 2)
    >>> bool(out[:, :9].min() > 0.95 and out[:, 11:].max() < 0.05)
    True
    """
    if not mask.any():
        return mask.astype(np.float32)
    # Only the mask's box, grown by two windows, can change: the rest stays 0.
    bx, by, bw, bh = cv2.boundingRect(np.ascontiguousarray(mask > 1e-3).view(np.uint8))
    full_h, full_w = mask.shape
    pad = 2 * radius + 4
    x0, y0 = max(0, bx - pad), max(0, by - pad)
    x1, y1 = min(full_w, bx + bw + pad), min(full_h, by + bh + pad)
    # (An even box: it is halved below, see span_to_multiple.)
    x0, x1 = span_to_multiple(x0, x1, full_w, 2)
    y0, y1 = span_to_multiple(y0, y1, full_h, 2)
    if (x0, y0, x1, y1) != (0, 0, full_w, full_h):
        full = np.zeros((full_h, full_w), np.float32)
        # (OpenCV reads the crops in place: no copies.)
        full[y0:y1, x0:x1] = snap_to_edges(mask[y0:y1, x0:x1], image[y0:y1, x0:x1], radius, eps)
        return full
    guide = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    guide /= np.float32(255.0)
    p = mask.astype(np.float32)
    h, w = p.shape
    # The fast guided filter (He and Sun 2015): the coefficients are smooth, so they are
    # worked out at half resolution and only applied at full resolution.
    f = 2 if radius >= 4 and min(h, w) >= 16 else 1
    small_guide, small_p = guide, p
    if f > 1:
        size_small = (max(1, w // f), max(1, h // f))
        small_guide = cv2.resize(guide, size_small, interpolation=cv2.INTER_AREA)
        small_p = cv2.resize(p, size_small, interpolation=cv2.INTER_AREA)
    r = max(1, radius // f)
    size = (2 * r + 1, 2 * r + 1)

    def mean(x: FloatArray) -> FloatArray:
        out: FloatArray = cv2.boxFilter(x, -1, size, borderType=cv2.BORDER_REFLECT)
        return out

    mean_i, mean_p = mean(small_guide), mean(small_p)
    cov_ip = mean(small_guide * small_p) - mean_i * mean_p
    var_i = mean(small_guide * small_guide) - mean_i * mean_i
    a = (cov_ip / (var_i + np.float32(eps))).astype(np.float32)
    b = (mean_p - a * mean_i).astype(np.float32)
    mean_a, mean_b = mean(a), mean(b)
    if f > 1:
        mean_a = cv2.resize(mean_a, (w, h), interpolation=cv2.INTER_LINEAR)
        mean_b = cv2.resize(mean_b, (w, h), interpolation=cv2.INTER_LINEAR)
    # q = mean_a · guide + mean_b, clipped, in place (mean_a is this call's own array).
    np.multiply(mean_a, guide, out=mean_a)
    mean_a += mean_b
    out: FloatArray = np.clip(mean_a, 0.0, 1.0, out=mean_a)
    return out


def grow_mask(mask: FloatArray | npt.NDArray[np.bool_], radius: int) -> FloatArray:
    """A float mask dilated by ``radius`` pixels and softened by a one-pixel blur.

    A bool mask gives the same result as its float32 copy, faster (dilated in 8 bits).
    """
    if radius <= 0:
        return mask.astype(np.float32)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    if mask.dtype == np.bool_:
        # (A wide elliptic dilation runs about 3× faster on bytes than on floats.)
        grown = cv2.dilate(np.ascontiguousarray(mask).view(np.uint8), k).astype(np.float32)
    else:
        grown = cv2.dilate(mask.astype(np.float32), k)
    out: FloatArray = cv2.GaussianBlur(grown, (0, 0), 1.0)
    return out


#: Columns of a blur's box start on a multiple of this (and the box reaches this much further
#: right): OpenCV's vector loops then see the same lanes as on the whole frame, so the box's
#: result is bit-for-bit the whole frame's there (with unaligned columns the last bits differ).
BLUR_ALIGN = 32


def blur_box(nonzero: npt.NDArray[np.bool_], sigma: float) -> tuple[slice, slice] | None:
    """The box outside which a Gaussian blur by ``sigma`` of a mask that is 0 beyond
    ``nonzero`` ((H, W) bool) stays exactly 0: its pixels' box grown by the kernel's reach
    (columns aligned, see :data:`BLUR_ALIGN`); None when ``nonzero`` is empty."""
    bx, by, bw, bh = cv2.boundingRect(np.ascontiguousarray(nonzero).view(np.uint8))
    if bw == 0 or bh == 0:
        return None
    h, w = nonzero.shape
    # (OpenCV's float kernel spans 4 sigma each side.)
    pad = int(np.ceil(4.0 * sigma)) + 2
    x0 = max(0, bx - pad) // BLUR_ALIGN * BLUR_ALIGN
    x1 = min(w, bx + bw + pad + BLUR_ALIGN)
    return slice(max(0, by - pad), min(h, by + bh + pad)), slice(x0, x1)


def blur_in_box(mask: FloatArray, sigma: float) -> FloatArray:
    """``cv2.GaussianBlur(mask, (0, 0), sigma)`` of a float32 (H, W) mask, the same values,
    worked out only around its non-zero pixels (see :func:`blur_box`)."""
    out = np.zeros(mask.shape, np.float32)
    box = blur_box(mask != 0, sigma)
    if box is not None:
        out[box] = cv2.GaussianBlur(mask[box], (0, 0), sigma)
    return out


def per_channel(weight: npt.NDArray[np.floating[Any]]) -> FloatArray:
    """float32 (H, W) weights repeated over three colour channels: float32 (H, W, 3).

    Multiplying an image by it gives the same values as by ``weight[..., None]``, several
    times faster: NumPy broadcasts that with an inner loop of three elements per pixel.
    """
    w = np.ascontiguousarray(weight, np.float32)
    if w.size == 0:  # (cv2.merge takes no empty planes)
        return np.repeat(w[..., None], 3, axis=-1)
    out: FloatArray = cv2.merge([w, w, w])
    return out


def pick(image: npt.NDArray[Any], mask: npt.NDArray[np.bool_]) -> npt.NDArray[Any]:
    """``image[mask]`` of an (H, W, C) image and an (H, W) bool mask: the same (N, C) values in
    the same row-major order, several times faster (NumPy copies a 2-D mask's picks channel by
    channel; whole pixels along one axis go at once).

    >>> img = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    >>> m = np.array([[True, False, True, False], [False, False, False, True]])
    >>> bool(np.array_equal(pick(img[:, 1:], m[:, 1:]), img[:, 1:][m[:, 1:]]))
    True
    """
    channels = image.shape[-1]
    if image.strides[-1] != image.itemsize or image.strides[-2] != image.itemsize * channels:
        image = np.ascontiguousarray(image)  # (every other column: a small copy)
    if image.flags.c_contiguous:
        return np.compress(mask.ravel(), image.reshape(-1, channels), axis=0)
    # (A crop of a frame: each pixel viewed as one item, not copied into a whole new crop.)
    whole = np.dtype((np.void, image.itemsize * channels))
    items = image.view(whole)[..., 0][mask]
    return items.view(image.dtype).reshape(-1, channels)


def put(image: npt.NDArray[Any], mask: npt.NDArray[np.bool_], values: npt.NDArray[Any]) -> None:
    """``image[mask] = values`` for an (H, W, C) image (a view whose pixels' channels lie side
    by side, as crops of a frame do), an (H, W) bool mask and (N, C) values: the same result,
    about twice as fast (each pixel written as one item).

    >>> img = np.zeros((2, 4, 3), np.float32)
    >>> put(img[:, 1:], np.array([[True, False, False], [False, False, True]]), np.ones((2, 3)))
    >>> img.sum(axis=2).tolist()
    [[0.0, 3.0, 0.0, 0.0], [0.0, 0.0, 0.0, 3.0]]
    """
    channels = image.shape[-1]
    if image.strides[-1] != image.itemsize:
        image[mask] = values
        return
    whole = np.dtype((np.void, image.itemsize * channels))
    items = np.ascontiguousarray(values, image.dtype).reshape(-1, channels)
    image.view(whole)[..., 0][mask] = items.view(whole)[:, 0]


def box_of(mask: FloatArray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) around the mask's non-zero pixels ((0, 0, 0, 0) if none)."""
    x, y, w, h = cv2.boundingRect((mask > 1e-3).view(np.uint8))
    return x, y, x + w, y + h


def padded_box(nonzero: npt.NDArray[np.bool_], pad: int) -> tuple[slice, slice] | None:
    """The box of ``nonzero``'s pixels ((H, W) bool) grown by ``pad`` on every side, clipped
    to the frame, as (rows, columns) slices; None when ``nonzero`` is empty.

    >>> m = np.zeros((10, 10), bool); m[4, 5] = True
    >>> padded_box(m, 2)
    (slice(2, 7, None), slice(3, 8, None))
    """
    bx, by, bw, bh = cv2.boundingRect(np.ascontiguousarray(nonzero).view(np.uint8))
    if bw == 0 or bh == 0:
        return None
    h, w = nonzero.shape
    return (
        slice(max(0, by - pad), min(h, by + bh + pad)),
        slice(max(0, bx - pad), min(w, bx + bw + pad)),
    )


def grown_in_box(mask: FloatArray, radius: int) -> FloatArray:
    """:func:`grow_mask` computed only around the mask's pixels."""
    out = np.zeros(mask.shape, np.float32)
    box = padded_box(mask > 1e-3, radius + 4)
    if box is None:
        return out
    crop = mask[box]
    ch, cw = crop.shape
    if radius >= 4 and min(ch, cw) >= 8:
        # At half resolution: a quarter of the work for a rim that need not be exact.
        half = cv2.resize(crop, ((cw + 1) // 2, (ch + 1) // 2), interpolation=cv2.INTER_AREA)
        grown = grow_mask(half, (radius + 1) // 2)
        out[box] = cv2.resize(grown, (cw, ch), interpolation=cv2.INTER_LINEAR)
    else:
        out[box] = grow_mask(crop, radius)
    return out


__all__ = [
    "BLUR_ALIGN",
    "EDGE_SMOOTHING",
    "blur_box",
    "blur_in_box",
    "box_of",
    "grow_mask",
    "grown_in_box",
    "labels_mask",
    "padded_box",
    "per_channel",
    "pick",
    "put",
    "smooth_edges",
    "snap_to_edges",
    "span_to_multiple",
]
