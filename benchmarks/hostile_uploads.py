"""Server memory under hostile uploads: resident memory before and after 400 odd photos.

Starts ``fitroom serve`` (one worker, temporary folder, one demo garment) on 127.0.0.1, warms it
up with ordinary requests, then sends ``--count`` uploads cycling through hostile, large and odd
files — truncated and corrupt JPEGs, decompression bombs, huge pixel counts just under and over
the limit, 16-bit, palette, CMYK, animated and oversized files, random bytes, empty bodies — to
the photo try-on, the merchant's garment upload and gallery, and the measurement estimate. It
prints the server's resident memory after the warm-up and at the end (after the queued
ingestion jobs have finished), their ratio, the answers by status (5xx are failures) and a
summary line. The issue's acceptance: end within 20% of start.

    python benchmarks/hostile_uploads.py [--count 400] [--warmup 3] [--max-seconds 3600]
"""

from __future__ import annotations

import argparse
import io
import struct
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server_load import rss_mb, start_server

#: Limits high enough that the run measures memory, not the upload rate limits.
SETTINGS = {
    "FITROOM_UPLOAD_ATTEMPTS": "100000",
    "FITROOM_MERCHANT_GARMENT_QUOTA": "100000",
    "FITROOM_REGISTER_ATTEMPTS": "1000",
}
PASSWORD = "hostile-upload-password"
Payload = tuple[str, bytes, str]  # (file name, bytes, content type)


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **options)
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring ``width`` x ``height`` whose few data bytes inflate to rows of zeros:
    a decompression bomb (the declared size decides what a naive decoder allocates)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * min(width * 3 + 1, 1 << 20) * 4, 9)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def payloads(seed: int = 7) -> list[Payload]:
    """The kinds of upload the run cycles through (made here; nothing read from disk)."""
    rng = np.random.default_rng(seed)
    person = Image.fromarray(data.astronaut())
    big = person.resize((4800, 4800), Image.Resampling.BILINEAR)  # 23 MP: just under the limit
    noise = Image.fromarray(rng.integers(0, 256, (2400, 3200, 3), dtype=np.uint8))
    good_jpeg = encoded(person, "JPEG", quality=92)
    flipped = good_jpeg[:500] + bytes(b ^ 0xFF for b in good_jpeg[500:900]) + good_jpeg[900:]
    grey16 = Image.fromarray((rng.random((1500, 1200)) * 65535).astype(np.uint16))
    palette = person.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    frames = [person.resize((256, 256)).rotate(a) for a in range(0, 360, 30)]
    animated = {"save_all": True, "append_images": frames[1:]}
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999"/>'
    jpeg, png = "image/jpeg", "image/png"
    return [
        ("person.jpg", good_jpeg, jpeg),
        ("big.jpg", encoded(big, "JPEG", quality=80), jpeg),
        ("noise.jpg", encoded(noise, "JPEG", quality=95), jpeg),
        ("truncated.jpg", good_jpeg[: len(good_jpeg) // 2], jpeg),
        ("flipped.jpg", flipped, jpeg),
        ("bomb.png", png_header_only(60000, 60000), png),
        ("wide.png", png_header_only(200000, 8), png),
        ("grey16.png", encoded(grey16, "PNG"), png),
        ("palette.png", encoded(palette, "PNG"), png),
        ("cmyk.jpg", encoded(person.convert("CMYK"), "JPEG"), jpeg),
        ("animated.gif", encoded(frames[0], "GIF", loop=0, **animated), "image/gif"),
        ("animated.webp", encoded(frames[0], "WEBP", **animated), "image/webp"),
        ("alpha.png", encoded(person.convert("RGBA"), "PNG"), png),
        ("tiny.png", encoded(Image.new("RGB", (1, 1)), "PNG"), png),
        ("random.jpg", rng.integers(0, 256, 300_000, dtype=np.uint8).tobytes(), jpeg),
        ("empty.jpg", b"", jpeg),
        ("text.png", b"not an image at all\n" * 1000, png),
        ("svg.png", svg, "image/svg+xml"),
        ("oversize.jpg", good_jpeg + b"\x00" * (11 * 1024 * 1024), jpeg),
        ("exif.jpg", encoded(person, "JPEG", exif=b"Exif\x00\x00" + b"\x00" * 60000), jpeg),
    ]


class Shop:
    """A shopper and the demo merchant logged in to the server under test."""

    def __init__(self, base: str) -> None:
        self.shopper = httpx.Client(base_url=base, timeout=120)
        self.merchant = httpx.Client(base_url=base, timeout=120)
        token = self.shopper.get("/api/v1/auth/csrf").json()["csrf_token"]
        self.shopper.post(
            "/api/v1/auth/register",
            json={"email": "hostile@example.com", "password": PASSWORD, "display_name": "H"},
            headers={"X-CSRF-Token": token},
        ).raise_for_status()
        token = self.merchant.get("/api/v1/auth/csrf").json()["csrf_token"]
        self.merchant.post(
            "/api/v1/auth/login",
            json={"email": "merchant@example.com", "password": "demo-merchant-password"},
            headers={"X-CSRF-Token": token},
        ).raise_for_status()
        self.garment_id = self.shopper.get("/api/v1/garments").json()["items"][0]["id"]
        self.jobs: list[int] = []

    @staticmethod
    def csrf(client: httpx.Client) -> dict[str, str]:
        return {"X-CSRF-Token": client.cookies["fitroom_csrf"]}

    def tryon(self, photo: Payload) -> int:
        form = {"garment_id": str(self.garment_id), "size": "M"}
        r = self.shopper.post(
            "/api/v1/tryon", files={"photo": photo}, data=form, headers=self.csrf(self.shopper)
        )
        return r.status_code

    def estimate(self, photo: Payload) -> int:
        r = self.shopper.post(
            "/api/v1/measurements/estimate",
            files={"photo": photo},
            data={"height_cm": "175"},
            headers=self.csrf(self.shopper),
        )
        return r.status_code

    def add_garment(self, photo: Payload) -> int:
        r = self.merchant.post(
            "/api/v1/merchant/garments",
            files={"photo": photo},
            data={"name": "Hostile", "price_cents": "100", "sizes": "M"},
            headers=self.csrf(self.merchant),
        )
        if r.status_code == 202:
            self.jobs.append(r.json()["job"]["id"])
        return r.status_code

    def add_image(self, photo: Payload) -> int:
        r = self.merchant.post(
            f"/api/v1/merchant/garments/{self.garment_id}/images",
            files={"photo": photo},
            headers=self.csrf(self.merchant),
        )
        return r.status_code

    def wait_for_jobs(self, seconds: float) -> int:
        """Wait until every queued ingestion has finished; returns how many are still open."""
        deadline = time.monotonic() + seconds
        open_jobs = list(self.jobs)
        while open_jobs and time.monotonic() < deadline:
            status = self.merchant.get(f"/api/v1/merchant/jobs/{open_jobs[0]}").json()["status"]
            if status in ("done", "failed"):
                open_jobs.pop(0)
            else:
                time.sleep(0.5)
        return len(open_jobs)

    def close(self) -> None:
        self.shopper.close()
        self.merchant.close()


def schedule(shop: Shop, count: int) -> Iterator[tuple[str, Callable[[Payload], int], Payload]]:
    """(endpoint, sender, payload) for ``count`` uploads, every payload on every endpoint in turn.

    Half go to the merchant's gallery (decode and re-encode: the allocator's worst case, and
    cheap); the try-on, the estimate and the garment upload (whose ingestion jobs queue behind)
    run the models and take the rest, so 400 uploads finish in minutes on a busy machine.
    """
    kinds = payloads()
    senders = [
        ("gallery", shop.add_image),
        ("tryon", shop.tryon),
        ("gallery", shop.add_image),
        ("garment", shop.add_garment),
        ("gallery", shop.add_image),
        ("estimate", shop.estimate),
        ("gallery", shop.add_image),
        ("tryon", shop.tryon),
        ("gallery", shop.add_image),
        ("estimate", shop.estimate),
    ]
    for i in range(count):
        name, send = senders[i % len(senders)]
        yield name, send, kinds[(i // len(senders) + i) % len(kinds)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400, help="hostile uploads (default 400)")
    parser.add_argument("--warmup", type=int, default=3, help="rounds of ordinary requests first")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop sending after")
    parser.add_argument(
        "--no-bound-memory",
        action="store_true",
        help="serve with FITROOM_BOUND_MEMORY=false (malloc untuned: for comparison)",
    )
    args = parser.parse_args()
    settings = {**SETTINGS, "FITROOM_BOUND_MEMORY": "false" if args.no_bound_memory else "true"}
    with tempfile.TemporaryDirectory(prefix="fitroom-hostile-") as tmp:
        proc, base = start_server(1, Path(tmp), settings)
        try:
            shop = Shop(base)
            person = payloads()[0]
            for _ in range(args.warmup):  # models, garment cache, thread pools
                for send in (shop.tryon, shop.estimate, shop.add_image):
                    send(person)
            shop.add_garment(person)
            shop.wait_for_jobs(600)
            start_mb = rss_mb(proc.pid)
            print(f"after warm-up: {start_mb:.0f} MB resident", flush=True)
            answers: Counter[str] = Counter()
            seconds: Counter[str] = Counter()
            peak_mb, began = start_mb, time.monotonic()
            for i, (endpoint, send, payload) in enumerate(schedule(shop, args.count), 1):
                t0 = time.monotonic()
                if time.monotonic() - began > args.max_seconds:
                    print(f"stopped after {i - 1} uploads (--max-seconds)")
                    break
                try:
                    answers[f"{endpoint} {send(payload)}"] += 1
                except httpx.HTTPError as exc:
                    answers[f"{endpoint} {type(exc).__name__}"] += 1
                seconds[endpoint] += time.monotonic() - t0
                peak_mb = max(peak_mb, rss_mb(proc.pid))
                if i % 25 == 0:
                    print(f"{i:4d} uploads: {rss_mb(proc.pid):.0f} MB", flush=True)
            still_open = shop.wait_for_jobs(900)
            time.sleep(2.0)  # let the last responses' buffers go
            end_mb = rss_mb(proc.pid)
            shop.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    failures = sum(n for k, n in answers.items() if k.split()[-1].startswith("5"))
    for key, n in sorted(answers.items()):
        print(f"  {key:28s} {n}")
    print("seconds per endpoint:", {k: round(v) for k, v in seconds.items()})
    ratio = end_mb / start_mb
    print(f"resident memory: start {start_mb:.0f} MB, peak {peak_mb:.0f} MB, end {end_mb:.0f} MB")
    print(
        f"summary: {sum(answers.values())} hostile uploads, {failures} answers 5xx, "
        f"{still_open} jobs unfinished, end/start RSS {ratio:.2f} "
        f"({'within' if ratio <= 1.2 else 'OVER'} the 1.20 bound)"
    )
    return 0 if ratio <= 1.2 and failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
