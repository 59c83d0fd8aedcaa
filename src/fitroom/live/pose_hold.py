"""The pose a live frame is dressed with: the last good one held through a pose model's lapse,
and the garment's width changed no faster than a body can turn.

On a stream the pose model now and then puts both shoulders on the chest for a frame or a few
(a head-cropped person, a person turning side-on, someone passing close): fitted to such a
pose the garment shrinks to a scrap on the chest and is back whole on the next frame — the
flicker a shopper sees. Photo mode refuses such a pose
(:func:`~fitroom.dressing.person_checks.check_pose_outline`); a stream cannot refuse, so
:class:`PoseHold` dresses the frame with the last pose that looked right instead, moved with
the person, for as long as the person stays in view. Before any pose looked right, a pose
whose shoulders collapsed onto the chest is spread to the body's outline under them
(:func:`spread_shoulders`): a head-cropped person walking in was left undressed for the first
nine frames of the close-up clip while the pose model found her shoulders 7 to 30 px apart on
a body about 100 px wide.

A pose that looks right can still change width from one frame to the next much faster than a
person turns (the shoulders of a head-cropped person are found wide, then narrow): the
shoulders' distance changes by at most :data:`~fitroom.live.smoothing.MAX_WIDTH_STEP` per
frame time (:func:`limit_shoulder_width`), the garment's width with it.

This is live's own (smoothing over time); the dressing steps are the photo's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from fitroom.dressing.person_checks import MAX_OUTLINE_OVER_SHOULDERS_ALWAYS, outline_over_joints
from fitroom.live.smoothing import FRAME_MS, MAX_WIDTH_STEP
from fitroom.vision.core import Pose
from fitroom.vision.landmarks import PoseLandmark as L

FloatArray = npt.NDArray[np.float32]

#: A pose whose shoulders are closer together than this share of the last good pose's is the
#: pose model losing the upper body (a real turn narrows them over several frames, and each
#: frame's good pose becomes the new reference).
COLLAPSE_RATIO = 0.6
#: Landmarks a held pose takes from the last good one: face, shoulders, arms, hands and hips
#: (BlazePose 0-24); the legs stay the frame's own (trousers follow the stride).
UPPER_BODY = slice(0, int(L.RIGHT_HIP) + 1)
#: A landmark used to follow the person is trusted from this visibility on.
MIN_VISIBILITY = 0.5
#: A person whose hips moved farther than this many shoulder distances from one frame to the
#: next has not walked there (a cut in the video, the tracker on someone else): nothing from
#: before is held over. (Running across the view moves them about 0.4 a frame at 30 fps, but
#: the hips of a small, dancing person jitter by up to 0.6 on the street clip.)
MAX_SHIFT = 0.75
#: When a hold ends, the upper body goes from the held pose to the frame's own over this many
#: frames (the held one has drifted from the person meanwhile: going at once would jump).
RELEASE_FRAMES = 4
#: A pose whose sides are the other way round from the last good pose's is held for up to this
#: many frames in a row (see :class:`PoseHold`): the pose model swaps a turning person's sides
#: for a frame or two; a person who really turns round stays turned, and is followed after.
MAX_FLIP_HOLD_FRAMES = 6
#: The body's outline under the shoulders, in shoulder distances, that a collapsed pose is
#: spread to before any pose looked right (:func:`spread_shoulders`): about what the close-up
#: clip's good poses show (1.35-1.7), well inside the test of :func:`pose_plausible`.
SPREAD_OUTLINE = 1.6


def shoulder_distance(pose: Pose) -> float:
    """Pixels between the pose's shoulder landmarks."""
    xy = pose.xy
    return float(np.hypot(*(xy[int(L.LEFT_SHOULDER)] - xy[int(L.RIGHT_SHOULDER)])))


def pose_plausible(pose: Pose, person_mask: FloatArray, good_distance: float | None) -> bool:
    """Whether ``pose`` can be dressed as it is: its shoulders not well inside the body's
    outline (the test photo mode refuses on, :data:`MAX_OUTLINE_OVER_SHOULDERS_ALWAYS`) and,
    given the last good pose's shoulder distance, not collapsed below :data:`COLLAPSE_RATIO`
    of it. ``person_mask``: float32 (H, W) in the pose's pixels."""
    joints = pose.xy[[int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]].astype(np.float32)
    if outline_over_joints(joints, person_mask) > MAX_OUTLINE_OVER_SHOULDERS_ALWAYS:
        return False
    return good_distance is None or shoulder_distance(pose) >= COLLAPSE_RATIO * good_distance


def _outline_run(
    mask: npt.NDArray[np.bool_], mid: FloatArray, distance: float
) -> tuple[float, float] | None:
    """(narrowest width, centre) of the body's outline across the rows a quarter, half and
    three quarters of ``distance`` below ``mid``, in the run of the mask through ``mid``'s
    column (as :func:`~fitroom.dressing.person_checks.outline_over_joints` measures it); None
    when a row is outside the frame or the column is not on the body there."""
    h, w = mask.shape
    x = round(float(mid[0]))
    widths, centres = [], []
    for share in (0.25, 0.5, 0.75):
        y = round(float(mid[1]) + share * distance)
        if not (0 <= y < h and 0 <= x < w) or not mask[y, x]:
            return None
        row = mask[y]
        gaps_left = np.flatnonzero(~row[:x])
        gaps_right = np.flatnonzero(~row[x:])
        left = int(gaps_left[-1]) + 1 if gaps_left.size else 0
        right = x + int(gaps_right[0]) if gaps_right.size else w
        widths.append(right - left)
        centres.append(0.5 * (left + right))
    return float(min(widths)), float(np.mean(centres))


def spread_shoulders(pose: Pose, person_mask: FloatArray) -> Pose | None:
    """``pose`` with its shoulders spread to the body under them: moved apart about the
    outline's centre so that the outline is :data:`SPREAD_OUTLINE` shoulder distances wide
    (each keeping its side and its height), or None when the outline cannot be read there or
    the spread pose still is not plausible. ``person_mask``: float32 (H, W) in the pose's
    pixels."""
    mask = person_mask > 0.5
    ids = [int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]
    mid = pose.xy[ids].astype(np.float32).mean(axis=0)
    distance = max(shoulder_distance(pose), 1.0)
    centre = float(mid[0])
    # (The rows measured follow the distance: a few rounds settle it.)
    for _ in range(4):
        run = _outline_run(mask, np.array([centre, mid[1]], np.float32), distance)
        if run is None:
            return None
        width, centre = run
        distance = width / SPREAD_OUTLINE
    side = 1.0 if _faces_camera(pose) else -1.0
    landmarks = pose.landmarks.copy()
    landmarks[ids[0], 0] = centre + side * 0.5 * distance
    landmarks[ids[1], 0] = centre - side * 0.5 * distance
    spread = replace(pose, landmarks=landmarks, segmentation=None)
    return spread if pose_plausible(spread, person_mask, None) else None


def _centre(pose: Pose, pair: tuple[int, int]) -> FloatArray | None:
    """Midpoint of two landmarks when both are seen."""
    lm = pose.landmarks
    if min(float(lm[pair[0], 3]), float(lm[pair[1], 3])) < MIN_VISIBILITY:
        return None
    return np.asarray((lm[pair[0], :2] + lm[pair[1], :2]) * 0.5, np.float32)


def moved_pose(good: Pose, now: Pose) -> Pose:
    """The good pose's upper body (:data:`UPPER_BODY`) moved to where the person is now, with
    ``now``'s legs: shifted by how far the hips' midpoint moved (the hips stay put when the
    pose model loses the shoulders), else the shoulders' midpoint; not moved when neither is
    seen on both."""
    shift = np.zeros(2, np.float32)
    for pair in (
        (int(L.LEFT_HIP), int(L.RIGHT_HIP)),
        (int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)),
    ):
        before, after = _centre(good, pair), _centre(now, pair)
        if before is not None and after is not None:
            shift = after - before
            break
    landmarks = now.landmarks.copy()
    landmarks[UPPER_BODY] = good.landmarks[UPPER_BODY]
    landmarks[UPPER_BODY, :2] += shift
    return replace(now, landmarks=landmarks, segmentation=None)


def limit_shoulder_width(pose: Pose, last_distance: float, elapsed_ms: float) -> Pose:
    """``pose`` with its shoulders moved symmetrically about their midpoint so that their
    distance is within :data:`~fitroom.live.smoothing.MAX_WIDTH_STEP` per frame time
    (:data:`~fitroom.live.smoothing.FRAME_MS`) of ``last_distance``, ``elapsed_ms`` after it
    (the arms, hips and the rest stay where they are)."""
    now = shoulder_distance(pose)
    if now < 1.0 or last_distance < 1.0:
        return pose
    step = (1.0 + MAX_WIDTH_STEP) ** max(elapsed_ms / FRAME_MS, 1.0)
    target = float(np.clip(now, last_distance / step, last_distance * step))
    if target == now:
        return pose
    landmarks = pose.landmarks.copy()
    ids = [int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]
    mid = landmarks[ids, :2].mean(axis=0)
    landmarks[ids, :2] = mid + (landmarks[ids, :2] - mid) * np.float32(target / now)
    return replace(pose, landmarks=landmarks, segmentation=None)


class PoseHold:
    """Picks, frame by frame, the pose to dress with (state: the last good pose and the last
    pose dressed); None while there is nothing to draw yet.

    >>> hold = PoseHold()                                     # doctest: +SKIP
    >>> pose = hold(perceived_pose, person_mask, timestamp_ms)  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._good: Pose | None = None
        self._last: Pose | None = None  # the pose returned last
        self._last_ms: int | None = None
        self._release_left = 0  # frames left to go from a held pose to the frame's own
        self._flipped = 0  # frames in a row whose sides were the other way round
        self.held = False  # whether the last call returned a held pose
        self.spread = False  # whether it returned a pose spread to the body (spread_shoulders)

    def reset(self) -> None:
        """Forget the poses (the person left the view, or a new stream starts)."""
        self._good = None
        self._last = None
        self._last_ms = None
        self._release_left = 0
        self._flipped = 0
        self.held = False
        self.spread = False

    def __call__(self, pose: Pose, person_mask: FloatArray, timestamp_ms: int) -> Pose | None:
        """The pose to dress this frame with (in ``pose``'s pixels; ``person_mask`` float32
        (H, W) in the same pixels), or None while no pose has looked right yet and this one
        cannot be spread (see :func:`spread_shoulders`)."""
        if self._last is not None and self._last_ms is not None:
            frames = max((timestamp_ms - self._last_ms) / FRAME_MS, 1.0)
            if _jumped(self._last, pose, frames):
                self.reset()
        good, last, last_ms = self._good, self._last, self._last_ms
        good_distance = None if good is None else shoulder_distance(good)
        was_held = self.held
        # Sides the other way round from the last good pose's: the pose model swapping a
        # turning person's sides (the close-up clip's frames 12-14: the part map and skin
        # model built on the swapped pose took her cardigan for skin, and it stayed beside
        # the new top) — held, unless it lasts (the person really turned round).
        flipped = good is not None and _faces_camera(good) != _faces_camera(pose)
        self._flipped = self._flipped + 1 if flipped else 0
        swapped = 0 < self._flipped <= MAX_FLIP_HOLD_FRAMES
        self.held = swapped or not pose_plausible(pose, person_mask, good_distance)
        self.spread = False
        if self.held:
            if good is None:
                # (Nothing to hold yet: the shoulders spread to the body, or nothing drawn.)
                spread = spread_shoulders(pose, person_mask)
                if spread is None:
                    return None
                chosen = spread
                self.spread = True
            else:
                chosen = moved_pose(good, pose)
        else:
            self._good = chosen = pose
            if was_held and last is not None:
                self._release_left = RELEASE_FRAMES
            if self._release_left > 0 and last is not None:
                chosen = _towards(last, pose, 1.0 / self._release_left)
                self._release_left -= 1
        if last is not None and last_ms is not None and timestamp_ms > last_ms:
            chosen = limit_shoulder_width(chosen, shoulder_distance(last), timestamp_ms - last_ms)
        self._last, self._last_ms = chosen, timestamp_ms
        return chosen


def _jumped(before: Pose, now: Pose, frames: float) -> bool:
    """The hips' midpoint moved more than :data:`MAX_SHIFT` shoulder distances (of ``before``)
    per frame time between the two poses, ``frames`` frame times apart (a camera's frames are
    dropped when the pipeline is busy); False when the hips are not seen on both."""
    pair = (int(L.LEFT_HIP), int(L.RIGHT_HIP))
    a, b = _centre(before, pair), _centre(now, pair)
    if a is None or b is None:
        return False
    limit = MAX_SHIFT * max(shoulder_distance(before), 1.0) * frames
    return float(np.hypot(*(b - a))) > limit


#: Each landmark's counterpart on the other side of the body (itself on the midline).
SIDE_SWAP = np.array(
    [
        int(L[name.replace("LEFT", "RIGHT") if "LEFT" in name else name.replace("RIGHT", "LEFT")])
        for name in (L(i).name for i in range(len(L)))
    ],
    np.intp,
)


def _faces_camera(pose: Pose) -> bool:
    """The pose's left shoulder is on the image's right (facing the camera, or sides swapped
    by the pose model the other way)."""
    xy = pose.xy
    return bool(xy[int(L.LEFT_SHOULDER), 0] >= xy[int(L.RIGHT_SHOULDER), 0])


def _towards(before: Pose, now: Pose, share: float) -> Pose:
    """``now`` with its upper body (:data:`UPPER_BODY`) ``share`` of the way from ``before``'s
    to its own (the pose model swaps a person's sides now and then: ``before``'s are matched
    to ``now``'s first, or the two shoulders would meet in the middle)."""
    landmarks = now.landmarks.copy()
    start_all = before.landmarks
    if _faces_camera(before) != _faces_camera(now):
        start_all = start_all[SIDE_SWAP]
    start = start_all[UPPER_BODY, :2]
    landmarks[UPPER_BODY, :2] = start + np.float32(share) * (landmarks[UPPER_BODY, :2] - start)
    return replace(now, landmarks=landmarks, segmentation=None)


__all__ = [
    "COLLAPSE_RATIO",
    "MAX_FLIP_HOLD_FRAMES",
    "MAX_SHIFT",
    "RELEASE_FRAMES",
    "SIDE_SWAP",
    "SPREAD_OUTLINE",
    "UPPER_BODY",
    "PoseHold",
    "limit_shoulder_width",
    "moved_pose",
    "pose_plausible",
    "shoulder_distance",
    "spread_shoulders",
]
