"""The web shop in a real browser: shopper journey, catalog filters, photo try-on, saved looks,
account deletion (checked on disk), and merchant ingestion (accepted and refused photos).

The live fitting room (fake camera → WebSocket) is in ``test_live.py``; measurements and the
size badge are in ``test_measure.py``.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pytest

from fitroom.imaging import decode_image, encode_png

if TYPE_CHECKING:
    from playwright.sync_api import Page

SnapFn = Callable[["Page", str], Path]
#: A front-facing photo of one person, head to thighs, from the research set (VITON-HD).
PERSON_PHOTO = "persons/vitonhd_00034_00.jpg"
PASSWORD = "correct horse battery"
#: A try-on recolours the garment region only: at least this share of pixels must change a lot
#: (the garment is there) and at most the upper share (the background and face stay).
CHANGED_SHARE_RANGE = (0.02, 0.6)
CHANGED_LEVEL = 40
#: Ingestion runs in a background job; a loaded 2-core machine can take a while.
JOB_TIMEOUT_MS = 180_000
TRYON_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.slow


def api_json(base_url: str, path: str) -> Any:
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        return json.load(response)


def image_bytes(page: Page, selector: str) -> bytes:
    """The bytes behind an ``<img>``'s src (blob: and same-origin URLs alike), via the page."""
    data_url: str = page.eval_on_selector(
        selector,
        """async (img) => {
            const blob = await (await fetch(img.src)).blob();
            return await new Promise((resolve, reject) => {
                const reader = new FileReader();
                reader.onload = () => resolve(reader.result);
                reader.onerror = () => reject(reader.error);
                reader.readAsDataURL(blob);
            });
        }""",
    )
    return base64.b64decode(data_url.split(",", 1)[1])


def rendered(page: Page, selector: str) -> bool:
    """Wait until the first ``<img>`` matching ``selector`` has loaded and decoded to a
    non-empty picture (a page reloaded by its script has not finished loading when its DOM
    appears); fails on the page's default timeout.
    """
    img = page.locator(selector).first.element_handle()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=img)
    return True


def finished_job_message(page: Page, box_id: str = "job-status") -> str:
    """The job status message, read the moment the merchant page marks the job done or failed."""
    handle = page.wait_for_function(
        """(id) => {
            const box = document.getElementById(id);
            const over = box && ['done', 'failed'].some((c) => box.classList.contains(c));
            return over ? box.textContent : null;
        }""",
        arg=box_id,
        timeout=JOB_TIMEOUT_MS,
    )
    return str(handle.json_value())


def register(page: Page, name: str, email: str) -> None:
    page.goto("/register")
    page.get_by_label("Name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    # The form posts and the server answers with a redirect or the page with an error.
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    page.locator("header").get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    assert page.locator("header").get_by_role("link", name="Log in").is_visible()


def test_shopper_journey(shared_data: Path, page: Page, shop_server: Any, snap: SnapFn) -> None:
    from playwright.sync_api import expect

    token = secrets.token_hex(4)
    name, email = f"Ada {token}", f"ada-{token}@example.com"
    header = page.locator("header")

    # Register: the account is created and logged in at once.
    page.goto("/register")
    snap(page, "01-register")
    register(page, name, email)
    assert header.get_by_role("link", name=name).is_visible()
    log_out(page)

    # A wrong password is refused with a message on the page; the right one logs in.
    log_in(page, email, "not the password")
    assert page.get_by_role("alert").is_visible()
    assert "/login" in page.url
    snap(page, "02-login-refused")
    log_in(page, email, PASSWORD)
    page.wait_for_url("**/")
    assert header.get_by_role("link", name=name).is_visible()
    assert header.get_by_role("link", name="My looks").is_visible()
    snap(page, "03-catalog")

    # Filter the catalog by category and colour through the form; the grid shows exactly what
    # the API lists for the same filters, all of it matching them.
    everything = api_json(shop_server.base_url, "/api/v1/garments")["items"]
    tee = next(g for g in everything if g["subcategory"] == "t-shirt")
    category, colour = tee["category"], tee["colours"][0]
    page.get_by_label("Category").select_option(category)
    page.get_by_label("Colour").select_option(colour)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/?*")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["category"] == [category] and query["colour"] == [colour]
    expected = api_json(
        shop_server.base_url,
        "/api/v1/garments?" + urllib.parse.urlencode({"category": category, "colour": colour}),
    )["items"]
    cards = page.locator(".grid .card")
    names = [n.strip() for n in cards.locator("h3").all_inner_texts()]
    assert names == [g["name"] for g in expected]
    assert 0 < len(names) < len(everything)
    assert all(colour in g["colours"] and g["category"] == category for g in expected)
    snap(page, "04-catalog-filtered")

    # Open the product from the filtered grid: sizes and size chart are there.
    cards.filter(has_text=tee["name"]).click()
    page.wait_for_url(f"**/products/{tee['id']}")
    assert page.locator("h1").inner_text().strip() == tee["name"]
    chips = page.locator("fieldset.sizes .chip")
    assert [c.strip() for c in chips.all_inner_texts()] == tee["sizes"]
    assert page.locator(".size-chart table tbody tr").count() == len(tee["sizes"])
    assert rendered(page, ".gallery img")
    snap(page, "05-product")

    # Photo try-on with a real photo: the result appears and differs from the photo where the
    # garment goes, not everywhere.
    photo_path = shared_data / PERSON_PHOTO
    assert page.locator("#after-actions").is_hidden()  # nothing to save or rate yet
    page.locator("#tryon-form input[type=file]").set_input_files(str(photo_path))
    page.locator("#tryon-form").get_by_role("button", name="Try on").click()
    page.locator("#compare").wait_for(state="visible", timeout=TRYON_TIMEOUT_MS)
    assert page.locator("#tryon-error").is_hidden()
    assert page.locator("#after-actions").is_visible()
    page.wait_for_function(
        "() => ['#before', '#after'].every((s) => {"
        " const i = document.querySelector(s); return i.complete && i.naturalWidth > 0; })"
    )
    before = decode_image(image_bytes(page, "#before"))
    after = decode_image(image_bytes(page, "#after"))
    assert np.array_equal(before, decode_image(photo_path))
    assert after.shape == before.shape
    changed = np.abs(after.astype(np.int16) - before.astype(np.int16)).max(axis=2)
    share = float((changed > CHANGED_LEVEL).mean())
    low, high = CHANGED_SHARE_RANGE
    assert low < share < high, f"{share:.1%} of the pixels changed"
    page.locator("#slider").fill("20")
    expect(page.locator("#after-clip")).to_have_attribute("style", re.compile("20%"))
    snap(page, "06-tryon-result")

    # Like and rate the try-on.
    page.locator("[data-feedback=like]").click()
    page.get_by_text("Thanks — liked.").wait_for()
    page.locator(".star[data-rating='4']").click()
    page.wait_for_function("() => document.querySelectorAll('.star.on').length === 4")

    # Save the look (keeping the photo too), then find it in My looks.
    page.get_by_label("Also keep my original photo").check()
    page.get_by_role("button", name="Save to My looks").click()
    page.locator("#look-status").get_by_text("Saved.").wait_for(timeout=TRYON_TIMEOUT_MS)
    page.get_by_role("link", name="See My looks").click()
    page.wait_for_url("**/looks")
    looks = page.locator(".grid.looks figure.card")
    assert looks.count() == 1
    assert looks.first.get_by_role("link", name=tee["name"]).is_visible()
    assert rendered(page, ".grid.looks figure.card img")
    snap(page, "07-my-looks")

    # The saved files are on the server's disk, under the user's folder, and encrypted.
    me = page.request.get("/api/v1/auth/me").json()
    user_dir = shop_server.media_root / "users" / str(me["id"])
    stored = [p for p in user_dir.rglob("*") if p.is_file()]
    assert len(stored) >= 2, stored  # the look and the kept photo
    assert not any(p.read_bytes().startswith(b"\xff\xd8") for p in stored), "stored in clear"

    page.goto("/account")
    assert page.get_by_text(email).is_visible()
    snap(page, "08-account")
    log_out(page)
    page.goto("/looks")
    page.wait_for_url("**/login?next=/looks")

    # Delete the account: the user's files leave the disk and the login stops working.
    log_in(page, email, PASSWORD)
    page.wait_for_url("**/")
    page.goto("/account")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(shop_server.base_url + "/")
    assert header.get_by_role("link", name="Log in").is_visible()
    assert not user_dir.exists()
    assert all(not p.exists() for p in stored)
    log_in(page, email, PASSWORD)
    assert "/login" in page.url
    assert page.get_by_role("alert").is_visible()
    snap(page, "09-login-after-delete")


def test_tryon_refusal_is_shown_on_the_page(
    page: Page, shop_server: Any, snap: SnapFn, coffee: npt.NDArray[np.uint8]
) -> None:
    token = secrets.token_hex(4)
    register(page, f"Bo {token}", f"bo-{token}@example.com")
    garment = api_json(shop_server.base_url, "/api/v1/garments?category=upper")["items"][0]
    page.goto(f"/products/{garment['id']}")
    page.locator("#tryon-form input[type=file]").set_input_files(
        {"name": "coffee.png", "mimeType": "image/png", "buffer": encode_png(coffee)}
    )
    page.locator("#tryon-form").get_by_role("button", name="Try on").click()
    error = page.locator("#tryon-error")
    error.wait_for(state="visible", timeout=TRYON_TIMEOUT_MS)
    assert len(error.inner_text().strip()) > 20, error.inner_text()
    assert page.locator("#compare").is_hidden()
    assert page.locator("#after-actions").is_hidden()
    # The button is usable again for another photo.
    assert page.locator("#tryon-form").get_by_role("button", name="Try on").is_enabled()
    snap(page, "15-tryon-refused")


def test_anonymous_visitor_is_asked_to_log_in(page: Page, shop_server: Any, snap: SnapFn) -> None:
    garment = api_json(shop_server.base_url, "/api/v1/garments")["items"][0]
    page.goto(f"/products/{garment['id']}")
    assert page.locator("#tryon-form").count() == 0
    page.locator(".tryon").get_by_role("link", name="Log in").click()
    page.wait_for_url(f"**/login?next=/products/{garment['id']}")
    snap(page, "10-login")


def test_merchant_ingests_a_photo_and_sees_refusals(
    page: Page, shop_server: Any, snap: SnapFn, coffee: npt.NDArray[np.uint8]
) -> None:
    from fitroom.garments.synth import synth_garment

    log_in(page, "merchant@example.com", "demo-merchant-password")
    page.wait_for_url("**/")
    page.locator("header").get_by_role("link", name="My shop").click()
    page.wait_for_url("**/merchant")
    snap(page, "11-merchant")

    # A product photo the project draws itself is accepted and ingested in the background.
    name = f"Test Shirt {secrets.token_hex(3)}"
    form = page.locator("#add-garment")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Price (cents)").fill("3490")
    form.get_by_label("Sizes").fill("S,M,L")
    photo = synth_garment("shirt", seed=4242, pattern="checks").image
    form.get_by_label("Product photo").set_input_files(
        {"name": "shirt.png", "mimeType": "image/png", "buffer": encode_png(photo)}
    )
    form.get_by_role("button", name="Upload").click()
    status = page.locator("#job-status")
    # The page reloads itself shortly after a job is done: read the message in the same task
    # that sees the job end, not in a later call that may land on the reloaded page.
    message = finished_job_message(page)
    assert "Ingested" in message, message
    snap(page, "12-merchant-ingested")
    # The page reloads itself after a successful job; the garment is listed as active.
    row = page.locator("table#garments tbody tr").filter(has_text=name)
    row.wait_for()
    assert row.locator(".status").inner_text().strip() == "active"
    assert rendered(page, f"table#garments tbody tr:has-text('{name}') img.mini")
    page.goto("/?" + urllib.parse.urlencode({"q": name}))
    card = page.locator(".grid .card").filter(has_text=name)
    assert card.count() == 1
    card.click()
    page.wait_for_url("**/products/*")
    assert page.locator("h1").inner_text().strip() == name
    assert [c.strip() for c in page.locator("fieldset.sizes .chip").all_inner_texts()] == [
        "S",
        "M",
        "L",
    ]
    snap(page, "13-merchant-product")

    # A photo with no garment in it is refused, and the page says why.
    page.goto("/merchant")
    form.get_by_label("Name").fill("Coffee cup")
    form.get_by_label("Product photo").set_input_files(
        {"name": "coffee.png", "mimeType": "image/png", "buffer": encode_png(coffee)}
    )
    form.get_by_role("button", name="Upload").click()
    message = finished_job_message(page)
    assert message.startswith("Refused:"), message
    assert len(message) > len("Refused: ") + 20, message
    assert status.is_visible()
    snap(page, "14-merchant-refused")
    # The refused garment stays in the merchant's list, marked failed, and out of the shop.
    page.reload()
    row = page.locator("table#garments tbody tr").filter(has_text="Coffee cup")
    assert row.locator(".status").inner_text().strip() == "failed"
    page.goto("/?q=Coffee")
    assert page.locator(".grid .card").count() == 0
    assert page.get_by_text("Nothing matches these filters").is_visible()


def test_merchant_imports_a_catalogue_and_sees_its_refusals(
    page: Page, shop_server: Any, snap: SnapFn
) -> None:
    import io
    import zipfile

    from fitroom.garments.synth import synth_garment

    sku = f"E2E-{secrets.token_hex(3)}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "catalog.csv",
            f"sku,name,price_cents,photo\n{sku}-1,Imported Tee {sku},1990,tee.png\n"
            f"{sku}-2,Blank Card,100,card.png\n",
        )
        archive.writestr("tee.png", encode_png(synth_garment("t-shirt", seed=77).image))
        archive.writestr("card.png", encode_png(np.full((480, 360, 3), 128, np.uint8)))
    log_in(page, "merchant@example.com", "demo-merchant-password")
    page.wait_for_url("**/")
    page.goto("/merchant")
    form = page.locator("#import-catalogue")
    form.get_by_label("Catalogue (ZIP)").set_input_files(
        {"name": "catalogue.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}
    )
    form.get_by_role("button", name="Import").click()
    message = finished_job_message(page, "import-status")
    assert message == "Imported: 1 added, 0 already in the shop, 1 refused.", message
    snap(page, "16-merchant-imported")
    # The page reloads itself: the garment is listed, the refusal says which SKU and why.
    row = page.locator("table#garments tbody tr").filter(has_text=f"Imported Tee {sku}")
    row.wait_for()
    assert row.locator(".status").inner_text().strip() == "active"
    refused = page.locator("table#jobs details.refused").first
    refused.locator("summary").click()
    assert f"{sku}-2" in refused.inner_text()
