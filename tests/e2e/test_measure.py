"""Measurements and the size badge in a real browser: the badge invites to add measurements,
the "My measurements" page stores typed ones and estimates from a real photo (refusals shown on
the page), and the badge then agrees with the API."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pytest

from fitroom.imaging import encode_png

if TYPE_CHECKING:
    from playwright.sync_api import Page

SnapFn = Callable[["Page", str], Path]
PASSWORD = "correct horse battery"
#: Full body, head cropped above the mouth (Dress Code): measured with a proportions scale.
FULL_BODY = "persons/dresscode_049205_0.jpg"
ESTIMATE_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.slow


def register(page: Page, email: str) -> None:
    page.goto("/register")
    page.get_by_label("Name").fill("Size Tester")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")


def badge_status(page: Page) -> str:
    page.wait_for_function("() => document.getElementById('size-badge').dataset.status")
    return str(page.locator("#size-badge").get_attribute("data-status"))


def test_measurements_page_and_size_badge(
    shared_data: Path,
    page: Page,
    shop_server: Any,
    snap: SnapFn,
    astronaut: npt.NDArray[np.uint8],
) -> None:
    from playwright.sync_api import expect

    garments = page.request.get("/api/v1/garments").json()["items"]
    tee = next(g for g in garments if g["subcategory"] == "t-shirt")

    # Not logged in: the badge invites to log in.
    page.goto(f"/products/{tee['id']}")
    assert badge_status(page) == "login"
    assert page.locator("#size-badge").get_by_role("link", name="Log in").is_visible()

    register(page, f"size-{secrets.token_hex(4)}@example.com")
    page.goto(f"/products/{tee['id']}")
    assert badge_status(page) == "no_measurements"
    page.locator("#size-badge").get_by_role("link", name="Add my measurements").click()
    page.wait_for_url("**/measurements?next=*")
    snap(page, "measure-01-empty")

    # Type them in (consent ticked) and save: the stored table shows them.
    form = page.locator("#typed-form")
    form.get_by_label("Height").fill("178")
    form.get_by_label("Chest / bust").fill("96")
    form.get_by_label("Waist").fill("82")
    form.get_by_label("Keep my measurements").check()
    form.get_by_role("button", name="Save measurements").click()
    page.locator("#measure-status").get_by_text("Saved.").wait_for()
    expect(page.locator("#stored-table tr[data-measurement=chest] td").first).to_have_text(
        "96.0 cm"
    )
    stored = page.request.get("/api/v1/measurements").json()
    assert stored["measurements_cm"] == {"height": 178.0, "chest": 96.0, "waist": 82.0}
    snap(page, "measure-02-typed")

    # Back on the product page the badge shows the API's advice, and that size is selected.
    page.get_by_role("link", name="Back to the product").click()
    page.wait_for_url(f"**/products/{tee['id']}")
    assert badge_status(page) == "ok"
    advice = page.request.get(f"/api/v1/garments/{tee['id']}/size-advice").json()["advice"]
    badge = page.locator("#size-badge")
    expect(badge).to_have_attribute("data-recommended", advice["recommended"])
    expect(page.locator("#size-badge-size")).to_have_text(advice["recommended"])
    zones = badge.locator(".zones li")
    expect(zones).to_have_count(len(advice["zones"]))
    assert {z.get_attribute("data-zone"): z.get_attribute("data-fit") for z in zones.all()} == {
        zone: fit["fit"] for zone, fit in advice["zones"].items()
    }
    expect(page.locator(f"input[name=size][value='{advice['recommended']}']")).to_be_checked()
    snap(page, "measure-03-badge")

    # Estimate from photos: a refused photo shows the reason on the page (422).
    page.goto("/measurements")
    estimate = page.locator("#estimate-form")
    estimate.get_by_label("Your height").fill("175")
    estimate.get_by_label("Front photo").set_input_files(
        {"name": "astronaut.png", "mimeType": "image/png", "buffer": encode_png(astronaut)}
    )
    estimate.get_by_role("button", name="Measure me").click()
    alert = page.locator("#measure-error")
    alert.wait_for(state="visible", timeout=ESTIMATE_TIMEOUT_MS)
    assert "whole body" in alert.inner_text()
    snap(page, "measure-04-refused")

    # A real full-body photo, not kept: shown, offered for correction, the stored ones unchanged.
    estimate.get_by_label("Front photo").set_input_files(str(shared_data / FULL_BODY))
    estimate.get_by_role("button", name="Measure me").click()
    page.locator("#measure-status").get_by_text("Measured, not kept").wait_for(
        timeout=ESTIMATE_TIMEOUT_MS
    )
    assert alert.is_hidden()
    assert page.locator("#stored-measurements h2").inner_text() == "Estimated (not kept)"
    assert page.locator("#stored-table tr").count() >= 6
    assert page.locator("#stored-warnings li").first.inner_text().startswith("the head")
    assert page.locator("#typed-form").get_by_label("Height").input_value() == "175"
    assert page.request.get("/api/v1/measurements").json() == stored
    snap(page, "measure-05-estimated")

    # Delete: gone from the API, and the badge invites again.
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete my measurements").click()
    page.locator("#measure-status").get_by_text("Deleted.").wait_for()
    assert page.request.get("/api/v1/measurements").status == 404
    page.goto(f"/products/{tee['id']}")
    assert badge_status(page) == "no_measurements"
