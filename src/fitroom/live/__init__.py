"""Live try-on: the fitting room on a camera or video stream.

>>> from fitroom.live import LiveSession                      # doctest: +SKIP
>>> with LiveSession([garment]) as session:                   # doctest: +SKIP
...     stats = session.run(frames, sink=show)
...     print(stats.summary_line())
"""

from fitroom.live.gesture import SwipeDetector
from fitroom.live.scenes import SCENES, fit_background, replace_background, scene_image
from fitroom.live.session import LiveFrame, LiveOptions, LiveSession, LiveStats
from fitroom.live.smoothing import AnchorSmoother
from fitroom.live.video import read_video, video_frames

__all__ = [
    "SCENES",
    "AnchorSmoother",
    "LiveFrame",
    "LiveOptions",
    "LiveSession",
    "LiveStats",
    "SwipeDetector",
    "fit_background",
    "read_video",
    "replace_background",
    "scene_image",
    "video_frames",
]
