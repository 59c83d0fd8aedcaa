"""The texture of the person's skin, measured on their visible skin, and the noise that gives
repainted skin as much of it (see :func:`~fitroom.dressing.skin.fill_with_skin`).

Images are uint8 (H, W, 3) RGB; textures float32 (h, w), in levels of 0-255.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.masks import labels_mask
from fitroom.vision.core import HAND_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]


#: Blur (pixels) of the two noise tiles: a camera's fine grain, and the coarser mottling of
#: skin (pores, faint blotches) that keeps a repainted arm from looking like smooth paint.
GRAIN_BLUR = (0.7, 1.6)


def _band(grey: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(fine, coarse): what a 1-pixel blur takes from ``grey``, and what a 4-pixel blur takes
    from that blur. The texture of skin is measured and matched in these two bands."""
    soft = cv2.GaussianBlur(grey, (0, 0), 1.0)
    return grey - soft, soft - cv2.GaussianBlur(grey, (0, 0), 4.0)


def _noise_tile(seed: int, blur: float) -> FloatArray:
    """Unit-variance noise blurred by ``blur`` (a fixed seed; a 128-pixel tile that repeats
    without seams: it is blurred on a wrapped copy)."""
    noise = np.random.default_rng(seed).standard_normal((128, 128)).astype(np.float32)
    pad = int(np.ceil(4.0 * blur))
    wrapped = np.pad(noise, pad, mode="wrap")
    noise = cv2.GaussianBlur(wrapped, (0, 0), blur)[pad:-pad, pad:-pad]
    tile: FloatArray = (noise / np.float32(noise.std())).astype(np.float32)
    return tile


_TILES: tuple[FloatArray, FloatArray] | None = None


def _tiles() -> tuple[FloatArray, FloatArray]:
    """The fine and the coarse noise tile (see :data:`GRAIN_BLUR`), made once."""
    global _TILES
    if _TILES is None:
        _TILES = (_noise_tile(7, GRAIN_BLUR[0]), _noise_tile(11, GRAIN_BLUR[1]))
    return _TILES


_RESPONSES: list[list[float]] | None = None


def _tile_responses() -> list[list[float]]:
    """How much of each band (fine, coarse) each unit noise tile (fine, coarse) puts in."""
    global _RESPONSES
    if _RESPONSES is None:
        _RESPONSES = [[float(b.std()) for b in _band(tile)] for tile in _tiles()]
    return _RESPONSES


def _tiled(tile: FloatArray, h: int, w: int) -> FloatArray:
    reps = (-(-h // tile.shape[0]), -(-w // tile.shape[1]))
    out: FloatArray = np.tile(tile, reps)[:h, :w]
    return out


def texture_noise(grain: float, mottle: float, h: int, w: int) -> FloatArray:
    """``grain`` times the fine noise plus ``mottle`` times the coarser one, (h, w): the
    texture of repainted skin (its tile is mixed once, then repeated)."""
    fine, coarse = _tiles()
    return _tiled(np.float32(grain) * fine + np.float32(mottle) * coarse, h, w)


#: How many patches of the person's skin its texture is measured in.
TEXTURE_PATCHES = 24
#: At most this much grain and mottling (0-255): more looks like dirt, not skin.
GRAIN_MAX = 2.5
#: The share of the skin's coarse band that its mottling is taken to be.
MOTTLE_SHARE = 0.5
#: Each patch reaches this many pixels beyond the middle measured (more than the blurs do).
TEXTURE_MARGIN = 14


def skin_texture(image: ByteArray, parts: BodyParts) -> tuple[float, float]:
    """(grain, mottle): the standard deviations (0-255) of the two noises that give repainted
    skin the texture of the person's confident skin, so it does not look smoother (or rougher)
    than the skin around it.

    The skin's texture is measured in two bands (see :func:`_band`, robustly: edges of
    features, nails and the outline are outliers), and each noise is scaled so that the sum of
    both has as much in each band (the fine noise also reaches the coarse band)."""
    # (The skin is found on every other row and column: the patches need no finer places.)
    sure = parts.skin[::2, ::2] > 0.8
    labels = parts.labels[::2, ::2]
    # The body's skin (neck, chest, arms, legs); else with the face's; the hands last (between
    # fingers the bands see edges, not texture). Away from the skin's outline, where the bands
    # see the step to what lies beside it.
    hands = labels_mask(labels, HAND_PARTS)
    face = labels_mask(labels, {BodyPart.FACE, BodyPart.HAIR})
    for where in (sure & ~hands & ~face, sure & ~hands, sure):
        inner = cv2.erode(where.view(np.uint8), np.ones((5, 5), np.uint8))
        if cv2.countNonZero(inner) >= 100:
            break
    else:
        return 0.0, 0.0
    # Measured in patches around up to :data:`TEXTURE_PATCHES` points spread over the skin
    # (filtering all of it took 20 ms).
    ys, xs = np.nonzero(inner[::4, ::4])
    if ys.size > TEXTURE_PATCHES:
        pick = np.linspace(0, ys.size - 1, TEXTURE_PATCHES).round().astype(int)
        ys, xs = ys[pick], xs[pick]
    # The patches side by side in one strip, filtered at once (a patch's margin is wider than
    # the blurs' reach, so neighbours do not mix in its middle).
    h, w = parts.skin.shape
    side, keep = 2 * TEXTURE_MARGIN + 1, 8
    ys = np.clip(ys * 8, TEXTURE_MARGIN, h - TEXTURE_MARGIN - 1)
    xs = np.clip(xs * 8, TEXTURE_MARGIN, w - TEXTURE_MARGIN - 1)
    offsets = np.arange(-TEXTURE_MARGIN, TEXTURE_MARGIN + 1)
    rows = (ys[:, None] + offsets[None, :])[:, :, None]
    cols = (xs[:, None] + offsets[None, :])[:, None, :]
    patches = image[rows, cols]  # (n, side, side, 3)
    strip = np.ascontiguousarray(patches.reshape(-1, side, 3))
    grey = cv2.cvtColor(strip, cv2.COLOR_RGB2GRAY).astype(np.float32)
    fine, coarse = _band(grey)
    middle = slice(TEXTURE_MARGIN - keep, TEXTURE_MARGIN + keep + 1)
    where = inner[rows[:, middle] // 2, cols[:, :, middle] // 2].view(np.bool_)
    fine = fine.reshape(-1, side, side)[:, middle, middle][where]
    coarse = coarse.reshape(-1, side, side)[:, middle, middle][where]
    if fine.size < 100:
        return 0.0, 0.0
    target_fine = 1.4826 * float(np.median(np.abs(fine)))
    # (Less of the coarse band: on the skin it also holds the light's own gradients, which the
    # repainted skin gets from its relief.)
    target_coarse = MOTTLE_SHARE * 1.4826 * float(np.median(np.abs(coarse)))
    responses = _tile_responses()
    grain = target_fine / responses[0][0]
    coarse_left = max(0.0, target_coarse**2 - (grain * responses[0][1]) ** 2)
    mottle = float(np.sqrt(coarse_left)) / responses[1][1]
    return float(min(GRAIN_MAX, grain)), float(min(GRAIN_MAX, mottle))


__all__ = [
    "GRAIN_BLUR",
    "GRAIN_MAX",
    "MOTTLE_SHARE",
    "TEXTURE_MARGIN",
    "TEXTURE_PATCHES",
    "skin_texture",
    "texture_noise",
]
