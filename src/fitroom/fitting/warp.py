"""Warps as pure functions: thin-plate splines and two-bone (skinned) limb warps.

Every warp here is an *inverse* map: for each output pixel it gives the garment-photo pixel to
sample, as the ``(map_x, map_y)`` float32 pair :func:`cv2.remap` takes. Inverse maps leave no
holes and cost one remap per garment part.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Float64Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ThinPlateSpline:
    """A 2-D thin-plate spline ``f(p) = A p + b + Σ w_i U(|p - c_i|)``, ``U(r) = r² log r²``.

    Attributes:
        centers: (N, 2) float64 control points in the domain.
        weights: (N, 2) float64 non-affine weights.
        affine: (3, 2) float64: rows ``[1, x, y]`` coefficients.
    """

    centers: Float64Array
    weights: Float64Array
    affine: Float64Array

    def __post_init__(self) -> None:
        n = self.centers.shape[0]
        if self.centers.shape != (n, 2) or self.weights.shape != (n, 2):
            raise ValueError(
                f"ThinPlateSpline: centers and weights must be (N, 2), "
                f"got {self.centers.shape} and {self.weights.shape}"
            )
        if self.affine.shape != (3, 2):
            raise ValueError(f"ThinPlateSpline.affine: expected (3, 2), got {self.affine.shape}")

    def __call__(self, points: npt.ArrayLike) -> Float64Array:
        """Map (M, 2) points; returns (M, 2) float64."""
        p = np.asarray(points, np.float64).reshape(-1, 2)
        kernel = _tps_kernel(p, self.centers)
        out: Float64Array = (self.affine[0] + p @ self.affine[1:] + kernel @ self.weights).astype(
            np.float64
        )
        return out


def _tps_kernel(a: Float64Array, b: Float64Array) -> Float64Array:
    d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(d2 > 0, d2 * np.log(np.maximum(d2, 1e-300)), 0.0)
    return k.astype(np.float64)


def fit_thin_plate_spline(
    source: npt.ArrayLike, target: npt.ArrayLike, smoothing: float = 0.0
) -> ThinPlateSpline:
    """The thin-plate spline taking ``source`` (N, 2) points to ``target`` (N, 2) points.

    ``smoothing`` ≥ 0 trades exact interpolation for a smoother map (0 = exact). Identical
    source and target give the identity map.

    >>> square = [[0, 0], [1, 0], [0, 1], [1, 1]]
    >>> np.allclose(fit_thin_plate_spline(square, square)([[0.3, 0.7]]), [[0.3, 0.7]])
    True
    """
    src = np.asarray(source, np.float64).reshape(-1, 2)
    dst = np.asarray(target, np.float64).reshape(-1, 2)
    if src.shape != dst.shape or src.shape[0] < 3:
        raise ValueError(
            f"fit_thin_plate_spline: need matching (N, 2) point sets with N ≥ 3, "
            f"got {src.shape} and {dst.shape}"
        )
    n = src.shape[0]
    # Normalise the domain so the kernel's scale does not depend on pixel units.
    k = _tps_kernel(src, src) + smoothing * np.eye(n)
    p = np.hstack([np.ones((n, 1)), src])
    system = np.zeros((n + 3, n + 3))
    system[:n, :n] = k
    system[:n, n:] = p
    system[n:, :n] = p.T
    rhs = np.zeros((n + 3, 2))
    rhs[:n] = dst
    solution = np.asarray(np.linalg.lstsq(system, rhs, rcond=None)[0], np.float64)
    return ThinPlateSpline(src.copy(), solution[:n].copy(), solution[n:].copy())


def tps_inverse_maps(
    body_points: npt.ArrayLike,
    garment_points: npt.ArrayLike,
    box: tuple[int, int, int, int],
    step: int = 8,
    smoothing: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Remap tables over the output ``box`` (x0, y0, x1, y1) for a TPS warp body → garment.

    The spline is evaluated on a grid every ``step`` pixels and interpolated bilinearly, which
    is exact for the affine part and far below a pixel for the smooth remainder.

    Returns:
        ``(map_x, map_y)``, each float32 (y1 - y0, x1 - x0): garment-photo coordinates to
        sample for each output pixel of the box.
    """
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if w <= 0 or h <= 0:
        raise ValueError(f"tps_inverse_maps: empty box {box}")
    tps = fit_thin_plate_spline(body_points, garment_points, smoothing)
    gw, gh = w // step + 2, h // step + 2
    gx = x0 + np.arange(gw, dtype=np.float64) * step
    gy = y0 + np.arange(gh, dtype=np.float64) * step
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    mapped = tps(grid).reshape(gh, gw, 2).astype(np.float32)
    map_x, map_y = _upsample_grid(mapped, step, w, h)
    return map_x, map_y


def _upsample_grid(mapped: FloatArray, step: int, w: int, h: int) -> list[FloatArray]:
    """Each channel of a coarse (gh, gw, C) grid, bilinearly upsampled to (h, w)."""
    # Grid node j sits at output pixel j*step: output pixel x samples the grid at x / step.
    scale = np.array([[1.0 / step, 0, 0], [0, 1.0 / step, 0]], np.float32)
    big = cv2.warpAffine(
        mapped,
        scale,
        (w, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return [np.ascontiguousarray(big[..., c]) for c in range(mapped.shape[2])]


def _rotation(angle: float) -> Float64Array:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]], np.float64)


def _angle(v: Float64Array) -> float:
    return float(np.arctan2(v[1], v[0]))


def _segment_distance(p: Float64Array, a: Float64Array, b: Float64Array) -> Float64Array:
    ab = b - a
    t = np.clip(((p - a) @ ab) / max(float(ab @ ab), 1e-12), 0.0, 1.0)
    out: Float64Array = np.hypot(*(p - (a + t[:, None] * ab)).T)
    return out


def limb_inverse_maps(
    garment_root: npt.ArrayLike,
    garment_end: npt.ArrayLike,
    body_joints: npt.ArrayLike,
    scale: float,
    box: tuple[int, int, int, int],
    blend: float = 0.25,
    step: int = 4,
) -> tuple[FloatArray, FloatArray]:
    """Remap tables for a sleeve or trouser leg laid along a two-bone body limb: the first two
    maps of :func:`limb_maps`, full width (``across`` = 1)."""
    map_x, map_y, _ = limb_maps(garment_root, garment_end, body_joints, scale, box, blend, step)
    return map_x, map_y


def limb_maps(
    garment_root: npt.ArrayLike,
    garment_end: npt.ArrayLike,
    body_joints: npt.ArrayLike,
    scale: float,
    box: tuple[int, int, int, int],
    blend: float = 0.25,
    step: int = 4,
    across: float = 1.0,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Remap tables for a sleeve or trouser leg laid along a two-bone body limb.

    The garment part is straight from ``garment_root`` to ``garment_end`` (garment-photo
    pixels). The body limb is ``body_joints`` (3, 2): root, bend (elbow/knee), end. The part is
    scaled by ``scale`` (body pixels per garment pixel) and its length laid along the limb from
    the root; where it reaches past the bend, the part bends there: each bone carries a rigid
    transform and pixels about equally near both bones blend the two (linear blend skinning)
    over a band of ``blend`` × the first bone's length, so the bend has no seam. ``across``
    scales the part's width (across its bone) on top of ``scale``: a flat-lay sleeve is wider
    than the arm it hangs round.

    Returns:
        ``(map_x, map_y, second)``, each float32 (y1 - y0, x1 - x0) over the output ``box``:
        garment-photo coordinates to sample, and the second bone's share in [0, 1] (0 on the
        first bone, 1 on the second: e.g. the forearm).
    """
    g0 = np.asarray(garment_root, np.float64).reshape(2)
    g_end = np.asarray(garment_end, np.float64).reshape(2)
    joints = np.asarray(body_joints, np.float64).reshape(3, 2)
    if scale <= 0 or across <= 0:
        raise ValueError(f"limb_maps: scale and across must be positive, got {scale}, {across}")
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if w <= 0 or h <= 0:
        raise ValueError(f"limb_maps: empty box {box}")
    g_axis = g_end - g0
    g_len = float(np.hypot(*g_axis))
    g_dir = g_axis / max(g_len, 1e-6)
    b0, b1, b2 = joints
    upper = b1 - b0
    upper_len = max(float(np.hypot(*upper)), 1e-6)
    lower = b2 - b1
    if float(np.hypot(*lower)) < 1e-6:
        lower = upper
    # Garment point at the body's bend (where the part would fold).
    g1 = g0 + g_dir * (upper_len / scale)
    rot1 = _rotation(_angle(g_dir) - _angle(upper))  # body direction → garment direction
    rot2 = _rotation(_angle(g_dir) - _angle(lower))
    gw, gh = w // step + 2, h // step + 2
    gx = x0 + np.arange(gw, dtype=np.float64) * step
    gy = y0 + np.arange(gh, dtype=np.float64) * step
    p = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    src1 = g0 + (_squeeze(p - b0, upper, across) / scale) @ rot1.T
    src2 = g1 + (_squeeze(p - b1, lower, across) / scale) @ rot2.T
    # Weight by which bone is nearer: both transforms agree at the bend, so the blend is seamless.
    d1 = _segment_distance(p, b0, b1)
    d2 = _segment_distance(p, b1, b2)
    w1 = np.clip(0.5 + (d2 - d1) / (2.0 * blend * upper_len), 0.0, 1.0)[:, None]
    if g_len * scale <= upper_len:
        w1 = np.ones_like(w1)  # a short part never reaches the bend: one rigid bone
    src = np.hstack([w1 * src1 + (1.0 - w1) * src2, 1.0 - w1])
    mapped = src.reshape(gh, gw, 3).astype(np.float32)
    map_x, map_y, second_bone_share = _upsample_grid(mapped, step, w, h)
    return map_x, map_y, second_bone_share


def _squeeze(v: Float64Array, bone: Float64Array, across: float) -> Float64Array:
    """Body offsets ``v`` (N, 2) with their component across ``bone`` divided by ``across``
    (so the garment, sampled there, appears ``across`` times as wide)."""
    if across == 1.0:
        return v
    u = bone / max(float(np.hypot(*bone)), 1e-12)
    n = np.array([-u[1], u[0]])
    out: Float64Array = np.outer(v @ u, u) + np.outer((v @ n) / across, n)
    return out


def remap_premultiplied(rgba: FloatArray, map_x: FloatArray, map_y: FloatArray) -> FloatArray:
    """Sample a premultiplied float32 (H, W, 4) image at the maps; outside is transparent."""
    out: FloatArray = cv2.remap(
        rgba,
        map_x,
        map_y,
        interpolation=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0.0, 0.0, 0.0, 0.0),
    )
    return out


def similarity_from_pairs(source: npt.ArrayLike, target: npt.ArrayLike) -> Float64Array:
    """The (2, 3) similarity (rotation, uniform scale, shift) taking two source points to two
    target points exactly.

    >>> m = similarity_from_pairs([[0, 0], [2, 0]], [[10, 10], [10, 14]])
    >>> np.allclose(m @ [1, 0, 1], [10, 12])
    True
    """
    s = np.asarray(source, np.float64).reshape(2, 2)
    t = np.asarray(target, np.float64).reshape(2, 2)
    ds, dt = s[1] - s[0], t[1] - t[0]
    ns = float(np.hypot(*ds))
    if ns < 1e-9:
        raise ValueError("similarity_from_pairs: the two source points coincide")
    scale = float(np.hypot(*dt)) / ns
    rot = _rotation(_angle(dt) - _angle(ds)) * scale
    shift = t[0] - rot @ s[0]
    return np.hstack([rot, shift[:, None]])


def apply_affine(matrix: Float64Array, points: npt.ArrayLike) -> Float64Array:
    """Apply a (2, 3) affine matrix to (N, 2) points."""
    p = np.asarray(points, np.float64).reshape(-1, 2)
    out: Float64Array = p @ matrix[:, :2].T + matrix[:, 2]
    return out


__all__ = [
    "ThinPlateSpline",
    "apply_affine",
    "fit_thin_plate_spline",
    "limb_inverse_maps",
    "limb_maps",
    "remap_premultiplied",
    "similarity_from_pairs",
    "tps_inverse_maps",
]
