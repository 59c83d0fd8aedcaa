"""The live fitting room in a real browser with a fake camera.

Chromium's fake capture device plays a motion-JPEG file (concatenated JPEG frames) made at test
time from ``../shared/data/video/vivid_upper1.mp4`` into a temporary folder — never into the
repository. The page must show dressed frames that differ from the camera's, switch the garment
named in the frames' headers, take a snapshot, and refuse the socket without a login.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from fitroom.imaging import decode_image

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SnapFn = Callable[["Page", str], Path]
PASSWORD = "correct horse battery"
#: Frames the page must have shown before the checks (the clip loops).
MIN_FRAMES = 8
#: A loaded 2-core machine loads the session's models and dresses a few frames a second.
LIVE_TIMEOUT_MS = 180_000
#: Share of pixels that must differ clearly between the camera frame and the shown frame.
MIN_CHANGED_SHARE = 0.02

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def camera_file(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """vivid_upper1.mp4 as a motion-JPEG file for Chromium's fake camera (in a temp folder)."""
    path = tmp_path_factory.mktemp("camera") / "vivid_upper1.mjpeg"
    capture = cv2.VideoCapture(str(shared_data / "video" / "vivid_upper1.mp4"))
    frames = 0
    with path.open("wb") as out:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            encoded, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
            assert encoded
            out.write(jpeg.tobytes())
            frames += 1
    capture.release()
    assert frames > 10, "the clip should have decoded"
    return path


def with_fake_camera(launch_chromium: Callable[[list[str]], Browser], video: Path) -> Browser:
    """A Chromium whose camera plays the motion-JPEG file ``video`` (permission granted)."""
    return launch_chromium(
        [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
    )


@pytest.fixture
def camera_page(
    launch_chromium: Callable[[list[str]], Browser],
    camera_file: Path,
    page_on: Callable[[Browser], AbstractContextManager[Page]],
) -> Iterator[Page]:
    """A page in a Chromium whose camera plays ``camera_file`` (permission granted)."""
    with page_on(with_fake_camera(launch_chromium, camera_file)) as page:
        yield page


def register(page: Page, email: str) -> None:
    page.goto("/register")
    page.get_by_label("Name").fill("Live Tester")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")


def shown_and_camera(page: Page) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """The dressed frame on show and the camera's current frame, at the same size."""
    # The page swaps the <img> to each new frame; caught mid-swap it has no size yet (and the
    # canvas copy is empty), so wait for a loaded frame and copy both in the same task.
    urls: list[str] = page.evaluate(
        """async () => {
            const img = document.getElementById('live-output');
            const video = document.getElementById('live-camera');
            const draw = (source, w, h) => {
                const c = document.createElement('canvas');
                c.width = w; c.height = h;
                c.getContext('2d').drawImage(source, 0, 0, w, h);
                return c.toDataURL('image/png');
            };
            const deadline = performance.now() + 60000;  // a state to wait for, not a delay
            while (performance.now() < deadline) {
                if (img.complete && img.naturalWidth > 0 && video.videoWidth > 0) {
                    const w = img.naturalWidth, h = img.naturalHeight;
                    return [draw(img, w, h), draw(video, w, h)];
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            return ["data:,", "data:,"];
        }"""
    )
    assert all(u.split(",", 1)[1] for u in urls), "no loaded dressed frame on the page in 60 s"
    shown, camera = (decode_image(base64.b64decode(u.split(",", 1)[1])) for u in urls)
    return shown, camera


def test_live_fitting_room_with_a_fake_camera(
    camera_page: Page, shop_server: Any, snap: SnapFn
) -> None:
    from playwright.sync_api import expect

    page = camera_page
    register(page, f"live-{secrets.token_hex(4)}@example.com")
    garments = page.request.get("/api/v1/live/garments").json()
    uppers = [g for g in garments if g["category"] == "upper"]
    assert len(uppers) >= 2
    first, second = uppers[0], uppers[1]

    # From the product page's link to the fitting room, with that garment chosen.
    page.goto(f"/products/{first['garment_id']}")
    page.get_by_role("link", name="try it on live with your camera").click()
    page.wait_for_url(f"**/live?garment={first['garment_id']}")
    live = page.locator("#live")
    assert live.get_attribute("data-chosen") == first["id"]
    assert page.locator(".garment-pick").count() == len(garments)
    snap(page, "live-01-ready")

    page.get_by_role("button", name="Start camera").click()
    page.wait_for_function(
        f"() => Number(document.getElementById('live').dataset.frames || 0) >= {MIN_FRAMES}",
        timeout=LIVE_TIMEOUT_MS,
    )
    assert live.get_attribute("data-garment") == first["id"]
    assert page.locator("#live-error").is_hidden()
    shown, camera = shown_and_camera(page)
    assert shown.shape == camera.shape
    changed = np.abs(shown.astype(np.int16) - camera.astype(np.int16)).max(axis=2) > 40
    assert changed.mean() > MIN_CHANGED_SHARE, f"{changed.mean():.1%} of the pixels changed"
    snap(page, "live-02-dressed")

    # Switching garment: the frames' headers name the new one.
    page.locator(f".garment-pick[data-garment='{second['id']}']").click()
    page.wait_for_function(
        f"() => document.getElementById('live').dataset.garment === {second['id']!r}",
        timeout=LIVE_TIMEOUT_MS,
    )
    frames = int(live.get_attribute("data-frames") or 0)
    page.wait_for_function(
        f"() => Number(document.getElementById('live').dataset.frames) >= {frames + 3}",
        timeout=LIVE_TIMEOUT_MS,
    )
    assert live.get_attribute("data-garment") == second["id"]

    page.get_by_role("button", name="Snapshot").click()
    expect(page.locator("#live-snapshots img")).to_have_count(1)
    snap(page, "live-03-switched")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Start camera")).to_be_enabled()


def test_live_socket_refuses_without_login(page: Page, shop_server: Any) -> None:
    page.goto("/live")
    page.wait_for_url("**/login?next=/live")
    code_and_reason = page.evaluate(
        """() => new Promise((resolve) => {
            const ws = new WebSocket(`ws://${location.host}/api/v1/live/ws`);
            ws.onclose = (event) => resolve([event.code, event.reason]);
        })"""
    )
    assert code_and_reason[0] == 4401
    assert "log in" in code_and_reason[1]


@pytest.fixture(scope="session")
def astronaut_camera_file(
    astronaut: npt.NDArray[np.uint8], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The public-domain astronaut as a still motion-JPEG camera: a smiling face to read."""
    from fitroom.imaging.decode import encode_jpeg

    path = tmp_path_factory.mktemp("camera") / "astronaut.mjpeg"
    path.write_bytes(encode_jpeg(astronaut, quality=90) * 30)
    return path


def test_live_reactions_are_posted_only_while_consented(
    launch_chromium: Callable[[list[str]], Browser],
    astronaut_camera_file: Path,
    page_on: Callable[[Browser], AbstractContextManager[Page]],
    shop_server: Any,
    snap: SnapFn,
) -> None:
    from playwright.sync_api import expect

    chromium = with_fake_camera(launch_chromium, astronaut_camera_file)
    with page_on(chromium) as page:
        register(page, f"reactions-{secrets.token_hex(4)}@example.com")
        uppers = [
            g for g in page.request.get("/api/v1/live/garments").json() if g["category"] == "upper"
        ]
        first, second = uppers[0], uppers[1]
        page.goto(f"/live?garment={first['garment_id']}")
        live = page.locator("#live")
        consent = page.get_by_label("Share my reactions")
        assert not consent.is_checked()
        page.get_by_role("button", name="Start camera").click()
        page.wait_for_function(
            "() => Number(document.getElementById('live').dataset.frames || 0) >= 6",
            timeout=LIVE_TIMEOUT_MS,
        )
        assert int(live.get_attribute("data-readings") or 0) == 0  # not asked without consent

        # Consent: readings arrive; switching garment posts the first garment's summary.
        consent.check()
        page.wait_for_function(
            "() => Number(document.getElementById('live').dataset.readings || 0) >= 2",
            timeout=LIVE_TIMEOUT_MS,
        )
        page.locator(f".garment-pick[data-garment='{second['id']}']").click()
        page.wait_for_function(
            "() => document.getElementById('live').dataset.reactionsSent === '1'",
            timeout=LIVE_TIMEOUT_MS,
        )
        snap(page, "live-04-reactions")
        # Consent withdrawn: what was read for the second garment is dropped, nothing is posted.
        page.wait_for_function(
            "() => Number(document.getElementById('live').dataset.readings || 0) >= 1",
            timeout=LIVE_TIMEOUT_MS,
        )
        posted: list[str] = []
        page.on(
            "request",
            lambda r: (
                posted.append(r.url) if r.method == "POST" and "/reactions" in r.url else None
            ),
        )
        consent.uncheck()
        page.get_by_role("button", name="Stop").click()
        # Stopping posts (or not) synchronously in the click handler: once the page is stopped,
        # a round trip from the page orders after any request that handler began.
        expect(page.get_by_role("button", name="Start camera")).to_be_enabled()
        page.evaluate("() => fetch('/api/v1/reactions/mine').then((r) => r.ok)")
        assert posted == []
        assert live.get_attribute("data-reactions-sent") == "1"

        mine = page.request.get("/api/v1/reactions/mine").json()
        (item,) = mine["items"]
        assert (item["garment_id"], item["source"]) == (first["garment_id"], "live")
        assert item["frames"] >= 2 and item["dominant"] == "happy"


#: Makes every ``Blob.arrayBuffer`` in the page take a while once ``window.slowBlobs`` is set, so
#: the camera can be stopped while a frame's bytes are still being read.
SLOW_BLOBS = """
(() => {
  const read = Blob.prototype.arrayBuffer;
  window.slowBlobs = false;
  window.blobsReading = 0;
  Blob.prototype.arrayBuffer = async function () {
    if (!window.slowBlobs) return read.call(this);
    window.blobsReading += 1;
    await new Promise((resolve) => setTimeout(resolve, 800));
    window.blobsReading -= 1;
    return read.call(this);
  };
})();
"""


def test_stopping_mid_frame_and_starting_again(
    launch_chromium: Callable[[list[str]], Browser],
    astronaut_camera_file: Path,
    page_on: Callable[[Browser], AbstractContextManager[Page]],
    shop_server: Any,
) -> None:
    from playwright.sync_api import expect

    chromium = with_fake_camera(launch_chromium, astronaut_camera_file)
    # page_on fails the test on any JavaScript error on the page, at the end of this block.
    with page_on(chromium) as page:
        page.add_init_script(SLOW_BLOBS)
        register(page, f"stop-{secrets.token_hex(4)}@example.com")
        page.goto("/live")
        page.get_by_role("button", name="Start camera").click()
        page.wait_for_function(
            "() => Number(document.getElementById('live').dataset.frames || 0) >= 2",
            timeout=LIVE_TIMEOUT_MS,
        )
        page.evaluate("() => { window.slowBlobs = true; }")
        page.wait_for_function("() => window.blobsReading > 0", timeout=LIVE_TIMEOUT_MS)
        page.get_by_role("button", name="Stop").click()
        expect(page.get_by_role("button", name="Start camera")).to_be_enabled()
        # The frame being read finishes after the stop; it must not be sent on a closed socket.
        page.wait_for_function("() => window.blobsReading === 0", timeout=LIVE_TIMEOUT_MS)
        page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 100))")
        sent = int(page.locator("#live").get_attribute("data-sent") or 0)
        page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 300))")
        assert int(page.locator("#live").get_attribute("data-sent") or 0) == sent

        # Started again: a new socket, and frames flow as before.
        page.evaluate("() => { window.slowBlobs = false; }")
        frames = int(page.locator("#live").get_attribute("data-frames") or 0)
        page.get_by_role("button", name="Start camera").click()
        page.wait_for_function(
            f"() => Number(document.getElementById('live').dataset.frames) >= {frames + 4}",
            timeout=LIVE_TIMEOUT_MS,
        )
        expect(page.get_by_role("button", name="Stop")).to_be_enabled()
