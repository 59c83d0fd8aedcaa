"""The working copy of a live frame: the smaller picture a frame is dressed on, and scaling
what the dressing changed back into the full frame.

The part map, fit and render run on a copy of the frame scaled to :data:`WORK_LONG_SIDE` (the
perception models see the whole frame), and only the pixels they changed are scaled back into
the full frame (:func:`upsample_changes`). A person close to the camera is dressed on a smaller
copy (:data:`WORK_PERSON_PIXELS`, :func:`working_side`), so the dressing costs about the same at
any distance.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.vision import body_parts
from fitroom.vision.core import BodyParts, PersonMask
from fitroom.vision.perception import PersonAnalysis
from fitroom.vision.segmentation import shrink

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Long side (pixels) of the copy of a frame that is dressed (see :meth:`LiveSession.render`).
WORK_LONG_SIDE = 400
#: Most pixels the person's box covers on that copy: a person nearer the camera is dressed on
#: a smaller copy, so a frame's dressing costs about the same however close they stand (the
#: render's time grows with the person's area: on a 400-pixel copy 10 ms for a box of 26,000
#: pixels, 4.6 ms for one of 5,000). Their garment is scaled up more, but it also covers more
#: of the picture. At 18,000 the close-up vivid_upper1 clip is dressed on a 288×216 copy: its
#: dressing takes 13.7 ms of CPU (median, one thread) instead of 15.4 at 24,000 and 17.1 at the
#: full 400 pixels, which keeps its camera-paced p95 under 50 ms on two cores.
WORK_PERSON_PIXELS = 18_000
#: The copy's long side never goes below this (nor above ``work_long_side``).
MIN_WORK_LONG_SIDE = 256
#: The copy's long side moves in steps of this many pixels, with a step of hysteresis, so a
#: person's box that breathes by a few percent does not switch sizes back and forth.
WORK_SIDE_STEP = 32
#: Weight of a new frame's person box in the smoothed box area that picks the copy's size.
WORK_AREA_ALPHA = 0.1


def working_side(
    long_side: int, person_area: float, budget: int, *, cap: int, now: int | None = None
) -> int:
    """The long side of the working copy on which a person's box covers about ``budget`` pixels.

    Args:
        long_side: the frame's long side (pixels).
        person_area: the person's box area in frame pixels.
        budget: most pixels the box may cover on the copy.
        cap: the largest long side (``work_long_side``).
        now: the long side in use: kept while the box fits the budget on it and would not
            fit on one two steps larger (hysteresis), so a box that breathes does not switch
            sizes back and forth.

    Returns:
        A multiple of :data:`WORK_SIDE_STEP` (or ``cap``) between ``min(MIN_WORK_LONG_SIDE,
        cap)`` and ``cap``.

    >>> working_side(640, 100_000.0, 20_000, cap=400)
    256
    >>> working_side(640, 5_000.0, 20_000, cap=400)
    400
    """
    # The long side at which the person's box covers exactly the budget.
    fits = long_side * math.sqrt(budget / max(person_area, 1.0))
    step = WORK_SIDE_STEP
    floor = min(MIN_WORK_LONG_SIDE, cap)
    if now is not None and floor <= now <= min(fits, cap) and fits < now + 2 * step:
        return now
    # Down as soon as the box outgrows the budget; up only with a step to spare.
    target = fits if now is None or fits < now else fits - step
    side = int(target // step) * step
    return max(floor, min(cap, side))


def upsample_changes(frame: ByteArray, work: ByteArray, dressed: ByteArray) -> ByteArray:
    """Blend what dressing changed on a downscaled copy back into the full-size frame.

    Args:
        frame: uint8 (H, W, 3), the full-size frame.
        work: uint8 (h, w, 3), ``frame`` scaled down.
        dressed: uint8 (h, w, 3), ``work`` after dressing.

    Returns:
        uint8 (H, W, 3): ``dressed`` scaled up where it differs from ``work`` (with a soft edge
        of about one working pixel), ``frame`` untouched elsewhere.
    """
    h, w = frame.shape[:2]
    # (OpenCV's per-channel max: NumPy's reduction over the last axis is ~20x slower here.)
    b, g, r = cv2.split(cv2.absdiff(dressed, work))
    changed = cv2.max(cv2.max(b, g), r)
    x, y, bw, bh = cv2.boundingRect(changed)
    if bw == 0 or bh == 0:
        return frame.copy()
    weight = cv2.dilate(cv2.compare(changed, 0, cv2.CMP_GT), np.ones((3, 3), np.uint8))
    weight = weight.astype(np.float32) * np.float32(1.0 / 255.0)
    sx, sy = w / work.shape[1], h / work.shape[0]
    # The full-size box of the changed pixels, grown by the dilation and the upsampling ramp.
    x0, y0 = max(0, int((x - 2) * sx)), max(0, int((y - 2) * sy))
    x1, y1 = min(w, int(np.ceil((x + bw + 2) * sx))), min(h, int(np.ceil((y + bh + 2) * sy)))
    # (Scaled up in that box only: the whole frame's copies cost more than the box's pixels,
    # in their fresh pages too.)
    box = (x0, y0, x1, y1)
    up = upscaled_box(dressed, (w, h), box)
    up_weight = np.asarray(upscaled_box(weight, (w, h), box), np.float32)
    out = frame.copy()
    region = (slice(y0, y1), slice(x0, x1))
    out[region] = cv2.blendLinear(up, frame[region], up_weight, np.float32(1.0) - up_weight)
    return out


def upscaled_box(
    image: npt.NDArray[np.generic], size: tuple[int, int], box: tuple[int, int, int, int]
) -> npt.NDArray[np.generic]:
    """The box (x0, y0, x1, y1) of ``image`` scaled bilinearly to ``size`` (width, height), as
    ``cv2.resize(image, size)[y0:y1, x0:x1]`` (the same pixel centres, edges replicated; up to
    a level apart, warpAffine's weights being coarser), without scaling the rest.

    >>> small = np.arange(12, dtype=np.float32).reshape(3, 4)
    >>> whole = cv2.resize(small, (8, 6), interpolation=cv2.INTER_LINEAR)
    >>> bool(np.allclose(upscaled_box(small, (8, 6), (2, 1, 7, 5)), whole[1:5, 2:7], atol=0.05))
    True
    """
    x0, y0, x1, y1 = box
    ax, ay = image.shape[1] / size[0], image.shape[0] / size[1]
    # Output pixel (i, j) of the box samples the image where the whole resize would:
    # ((x0 + i + 0.5) * ax - 0.5, (y0 + j + 0.5) * ay - 0.5).
    to_image = np.array(
        [[ax, 0.0, (x0 + 0.5) * ax - 0.5], [0.0, ay, (y0 + 0.5) * ay - 0.5]], np.float64
    )
    out: npt.NDArray[np.generic] = cv2.warpAffine(
        image,
        to_image,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return out


def working_view(
    frame: ByteArray, mask: PersonMask, person: PersonAnalysis, side: int | None
) -> tuple[ByteArray, FloatArray, BodyParts, float, float]:
    """The frame, its person mask and body-part map at the working size: the frame scaled so
    its long side is ``side`` (None or larger: the frame itself), and the x, y scale to it.

    The part map is the perception's when it made one (scaled), else made on the copy.
    """
    h, w = frame.shape[:2]
    scale = 1.0 if side is None else side / max(h, w)
    if scale >= 1.0:
        parts = person.parts or body_parts(frame, person.pose, mask, person.face)
        return frame, mask.mask, parts, 1.0, 1.0
    size = (max(2, round(w * scale)), max(2, round(h * scale)))
    sx, sy = size[0] / w, size[1] / h
    # (A Gaussian pyramid and a bilinear step: INTER_AREA is slow at non-integer ratios.)
    work = shrink(frame, size)
    work_mask = shrink(mask.mask, size)
    if person.parts is not None:
        parts = BodyParts(
            cv2.resize(person.parts.labels, size, interpolation=cv2.INTER_NEAREST),
            shrink(person.parts.skin, size),
        )
    else:
        parts = body_parts(work, person.pose.scaled(sx, sy), PersonMask(work_mask))
    return work, work_mask, parts, sx, sy


__all__ = [
    "MIN_WORK_LONG_SIDE",
    "WORK_AREA_ALPHA",
    "WORK_LONG_SIDE",
    "WORK_PERSON_PIXELS",
    "WORK_SIDE_STEP",
    "upsample_changes",
    "upscaled_box",
    "working_side",
    "working_view",
]
