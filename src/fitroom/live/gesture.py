"""A raised-hand swipe, read from the pose: the kiosk's way to switch garments hands-free."""

from __future__ import annotations

from collections import deque

from fitroom.vision.core import Pose
from fitroom.vision.landmarks import PoseLandmark


class SwipeDetector:
    """Detects a sideways swipe of a raised hand (wrist above the shoulders).

    A swipe is the raised wrist travelling sideways by ``distance`` × the shoulder distance
    within ``window_ms``; after one, nothing fires for ``cooldown_ms``. Feed it every frame's pose
    (or None when nobody is tracked).

    Returns from :meth:`update`: +1 for a swipe towards the image's right, -1 towards its left,
    0 otherwise.
    """

    def __init__(
        self,
        *,
        distance: float = 0.8,
        window_ms: int = 700,
        cooldown_ms: int = 1000,
        min_visibility: float = 0.5,
    ) -> None:
        self.distance = distance
        self.window_ms = window_ms
        self.cooldown_ms = cooldown_ms
        self.min_visibility = min_visibility
        self._tracks: dict[int, deque[tuple[int, float]]] = {}
        self._quiet_until = -1

    def reset(self) -> None:
        """Forget the hand's history."""
        self._tracks.clear()
        self._quiet_until = -1

    def update(self, pose: Pose | None, timestamp_ms: int) -> int:
        """The swipe direction seen at this frame (+1, -1) or 0."""
        if pose is None:
            self._tracks.clear()
            return 0
        lm = pose.landmarks
        ls, rs = lm[int(PoseLandmark.LEFT_SHOULDER)], lm[int(PoseLandmark.RIGHT_SHOULDER)]
        shoulder_y = 0.5 * float(ls[1] + rs[1])
        width = float(abs(ls[0] - rs[0]))
        if width < 1.0:
            return 0
        fired = 0
        for wrist_id in (int(PoseLandmark.LEFT_WRIST), int(PoseLandmark.RIGHT_WRIST)):
            wrist = lm[wrist_id]
            track = self._tracks.setdefault(wrist_id, deque())
            raised = float(wrist[3]) >= self.min_visibility and float(wrist[1]) < shoulder_y
            if not raised:
                track.clear()
                continue
            track.append((timestamp_ms, float(wrist[0])))
            while track and timestamp_ms - track[0][0] > self.window_ms:
                track.popleft()
            travel = track[-1][1] - track[0][1]
            if timestamp_ms >= self._quiet_until and abs(travel) >= self.distance * width:
                fired = 1 if travel > 0 else -1
                self._quiet_until = timestamp_ms + self.cooldown_ms
                track.clear()
        return fired


__all__ = ["SwipeDetector"]
