"""Where sleeves are laid on the arms: each sleeve along its arm, shoulder → elbow → wrist.

A sleeve is one rigid piece per arm bone (blended at the elbow): its outer seam starts at the
torso panel's shoulder seam and runs along the outer side of the arm, bending at the elbow.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.fitted import FittedLayer, along_chain, clip_box
from fitroom.fitting.warp import limb_maps, remap_premultiplied
from fitroom.garments.core import GarmentLandmarks

FloatArray = npt.NDArray[np.float32]

#: A worn sleeve's width at the armhole, at most this share of the shoulder-seam distance (a
#: flat-lay sleeve is wider than the arm it hangs round).
SLEEVE_ROOT_WIDTH = 0.5
#: The narrowest a sleeve is drawn, as a share of its flat-lay width.
MIN_SLEEVE_ACROSS = 0.6
#: Where a long sleeve ends, as a share of the arm's length from the shoulder seam to the wrist.
LONG_SLEEVE_REACH = 1.02


def fit_sleeve(
    piece: FloatArray,
    lm: GarmentLandmarks,
    side: str,
    targets: dict[str, tuple[float, float]],
    anchors: BodyAnchors,
    row: int,
    scale: float,
    length_scale: float = 1.0,
    *,
    to_wrist: bool = False,
) -> tuple[list[FittedLayer], list[FittedLayer]]:
    """Lay one sleeve along its arm: shoulder → elbow → wrist, bending at the elbow.

    The sleeve is one rigid piece per arm bone (blended at the elbow, see
    :func:`~fitroom.fitting.warp.limb_maps`): its outer seam starts at the shoulder seam
    target (where the torso panel is pinned: no gap or step at the shoulder) and runs along
    the outer side of the arm, bending at the elbow; it is narrowed to at most
    :data:`SLEEVE_ROOT_WIDTH` across the armhole.

    Args:
        piece: premultiplied float32 (h, w, 4) sleeve part of the prepared garment.
        lm: the prepared garment's landmarks.
        side: "left" or "right" (the person's).
        targets: the torso targets (shoulder seam points).
        anchors: the person's anchors; ``row`` 0 = left arm, 1 = right arm.
        scale: body pixels per prepared-garment pixel.
        length_scale: sleeve length over its regular length.
        to_wrist: a long sleeve: it ends at the wrist (:data:`LONG_SLEEVE_REACH` of the arm),
            whatever its flat-lay length says. A product photo's sleeve against its body is a
            poor guide to where the sleeve ends on a person (the arm's foreshortening and the
            pose change it): read from it, the two sleeves of one top ended anywhere between
            the mid-forearm and the knuckles, the cuffs of the old sleeves left below them.

    Returns:
        (upper-arm layers, forearm layers): both are drawn after the torso panel, the forearm
        part (past the elbow) last (a forearm crossing the body is in front of it).
    """
    g_sh = lm[f"shoulder_{side}"][:2].astype(np.float64)
    g_pit = lm[f"armpit_{side}"][:2].astype(np.float64)
    g_out = lm[f"cuff_{side}_outer"][:2].astype(np.float64)
    g_in = lm[f"cuff_{side}_inner"][:2].astype(np.float64)
    # The sleeve's axis is its outer seam (shoulder point → outer cuff corner): it runs along
    # the top of the arm. (A flat-lay armhole is slanted to the sleeve's centre line: turning
    # that line onto the arm would stand the armhole up like a wing.)
    g_len = float(np.hypot(*(g_out - g_sh)))
    if g_len < 1.0:
        return [], []
    g_dir = (g_out - g_sh) / g_len
    g_norm = np.array([-g_dir[1], g_dir[0]])
    # Widths across the seam line, in body pixels.
    root_w = abs(float(np.dot(g_pit - g_sh, g_norm))) * scale
    cuff_w = abs(float(np.dot(g_in - g_out, g_norm))) * scale
    if root_w < 1.0:
        return [], []
    across = float(
        np.clip(SLEEVE_ROOT_WIDTH * anchors.shoulder_width / root_w, MIN_SLEEVE_ACROSS, 1.0)
    )
    joint = anchors.shoulder_joints[row].astype(np.float64)
    elbow = anchors.elbows[row].astype(np.float64)
    wrist = anchors.wrists[row].astype(np.float64)
    seam = np.asarray(targets[f"shoulder_{side}"], np.float64)
    centre = anchors.shoulder_joints.mean(axis=0).astype(np.float64)
    # The seam runs on the arm's outer side: the elbow and wrist points it passes are the
    # joints moved outwards by half the sleeve's width (the arm's axis then runs inside it).
    half = 0.5 * cuff_w * across
    upper = elbow - joint
    n1 = np.array([-upper[1], upper[0]]) / max(1e-6, float(np.hypot(*upper)))
    if float(np.dot(n1, joint - centre)) < 0:
        n1 = -n1
    lower = wrist - elbow
    n2 = np.array([-lower[1], lower[0]]) / max(1e-6, float(np.hypot(*lower)))
    if float(np.dot(n2, n1)) < 0:  # the same side of the bone as on the upper arm
        n2 = -n2
    chain = np.stack([seam, elbow + n1 * half, wrist + n2 * half])
    length = g_len * scale * length_scale
    if to_wrist:
        arm_len = float(np.hypot(*(chain[1] - chain[0])) + np.hypot(*(chain[2] - chain[1])))
        length = LONG_SLEEVE_REACH * arm_len * length_scale
    # Body pixels per garment pixel along the arm (across it the scale stays ``scale``).
    along_scale = length / g_len
    upper_len = float(np.hypot(*(chain[1] - chain[0])))
    end, _ = along_chain(chain.astype(np.float32), length)
    reach = max(root_w, cuff_w) * across
    corners: list[npt.NDArray[np.float64]] = [seam, end.astype(np.float64)]
    if length > upper_len:
        corners.append(chain[1])
    pts = np.stack(corners).astype(np.float32)
    box = clip_box(pts, reach + 8, anchors.image_size)
    if box is None:
        return [], []
    g_root, g_end = g_sh, g_out
    # The length stretches along the arm only: the width stays scale × across.
    map_x, map_y, second = limb_maps(
        g_root,
        g_end,
        chain,
        along_scale,
        box,
        blend=0.2,
        step=4,
        across=across * scale / along_scale,
    )
    rgba = remap_premultiplied(piece, map_x, map_y)
    # Nothing of the sleeve behind its shoulder seam (across the upper arm's direction): the
    # armhole's far side would stand up over the neck and hair.
    bone = chain[1] - chain[0]
    u = bone / max(1e-6, float(np.hypot(*bone)))
    x0, y0, x1, y1 = box
    xs = np.arange(x0, x1, dtype=np.float32) - np.float32(seam[0])
    ys = np.arange(y0, y1, dtype=np.float32) - np.float32(seam[1])
    along = ys[:, None] * np.float32(u[1]) + xs[None, :] * np.float32(u[0])
    rgba *= np.clip((along + 4.0) / 4.0, 0.0, 1.0)[..., None]
    name = f"{side}_sleeve"
    if length <= upper_len * 1.05:
        return [FittedLayer(name, box, rgba)], []
    # A hard split: both parts come from one warp, so the cut does not show.
    fore = (second > 0.5).astype(np.float32)[..., None]
    return (
        [FittedLayer(name, box, rgba * (1.0 - fore))],
        [FittedLayer(f"{side}_forearm", box, rgba * fore)],
    )


__all__ = ["LONG_SLEEVE_REACH", "MIN_SLEEVE_ACROSS", "SLEEVE_ROOT_WIDTH", "fit_sleeve"]
