"""The merchant dashboard in a real browser: every chart drawn, numbers equal to the API and CSV."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

SnapFn = Callable[["Page", str], Path]
CHARTS = ("funnel", "reactions", "per-day", "per-garment", "sizes", "never-bought")


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Log in").click()


def expected_metrics(board: dict[str, Any]) -> dict[str, int]:
    """What the page's ``data-metric`` numbers must be, from the API's dashboard."""
    metrics = {f"funnel.{s['stage']}": s["count"] for s in board["funnel"]}
    metrics["totals.size_advice"] = board["totals"]["size_advice"]
    metrics["reactions.count"] = board["reactions"]["count"]
    if board["advice_followed"]["share"] is not None:
        metrics["advice.followed"] = board["advice_followed"]["followed"]
        metrics["advice.carts_after_advice"] = board["advice_followed"]["carts_after_advice"]
    for g in board["tryons_per_garment"]:
        metrics[f"tryons_per_garment.{g['garment_id']}"] = g["tryons"]
    return metrics


def csv_metrics(text: str) -> dict[str, int]:
    """The same numbers read from the CSV export."""
    metrics: dict[str, int] = {}
    for row in csv.DictReader(io.StringIO(text)):
        section, key, value = row["section"], row["key"], row["value"]
        if section == "funnel":
            metrics[f"funnel.{key}"] = int(value)
        elif section == "totals" and key == "size_advice":
            metrics["totals.size_advice"] = int(value)
        elif section == "reactions" and key == "count":
            metrics["reactions.count"] = int(value)
        elif section == "advice":
            metrics[f"advice.{key}"] = int(value)
        elif section == "tryons_per_garment":
            metrics[f"tryons_per_garment.{key}"] = int(value)
    return metrics


def test_dashboard_matches_api_and_csv(page: Page, shop_server: Any, snap: SnapFn) -> None:
    log_in(page, "merchant@example.com", "demo-merchant-password")
    page.get_by_role("link", name="Analytics").click()
    page.wait_for_url("**/merchant/analytics")
    for chart in CHARTS:
        bars = page.locator(f"#chart-{chart} svg rect[data-value]")
        assert bars.count() > 0, f"the {chart} chart drew nothing"
    shown = {
        el.get_attribute("data-metric") or "": int(el.inner_text().replace(",", ""))
        for el in page.locator("[data-metric]").all()
    }
    api = page.request.get("/api/v1/analytics/dashboard")
    assert api.ok, api.text()
    board = api.json()
    assert board["totals"]["tryon"] > 100, "the demo events should have been seeded"
    assert shown == expected_metrics(board)
    export = page.request.get(page.locator("#csv-export").get_attribute("href") or "")
    assert export.ok
    from_csv = csv_metrics(export.text())
    assert {k: from_csv[k] for k in shown} == shown
    # The picture's funnel bars carry the same numbers.
    funnel_bars = page.locator("#chart-funnel svg rect[data-value]")
    assert [float(funnel_bars.nth(i).get_attribute("data-value") or "nan") for i in range(4)] == [
        float(s["count"]) for s in board["funnel"]
    ]
    snap(page, "20-merchant-analytics")

    # The date filter: one day, through the form; page, API and CSV agree again.
    day = board["tryons_per_day"][-1]["day"]
    page.locator("#date-filter input[name=from]").fill(day)
    page.locator("#date-filter input[name=to]").fill(day)
    with page.expect_navigation():
        page.locator("#date-filter").get_by_role("button", name="Apply").click()
    assert f"from={day}" in page.url
    one_day = page.request.get(f"/api/v1/analytics/dashboard?from={day}&to={day}").json()
    shown_day = {
        el.get_attribute("data-metric") or "": int(el.inner_text().replace(",", ""))
        for el in page.locator("[data-metric]").all()
    }
    assert shown_day == expected_metrics(one_day)
    assert shown_day["funnel.tryon"] == board["tryons_per_day"][-1]["tryons"]
    day_csv = page.request.get(page.locator("#csv-export").get_attribute("href") or "").text()
    assert {k: csv_metrics(day_csv)[k] for k in shown_day} == shown_day
    snap(page, "21-merchant-analytics-one-day")


def test_visitor_cannot_open_the_dashboard(page: Page, shop_server: Any) -> None:
    response = page.goto("/merchant/analytics")
    assert response is not None and "/login" in page.url
    api = page.request.get("/api/v1/analytics/dashboard")
    assert api.status == 401


def test_product_page_shows_recommendation_panels(
    page: Page, shop_server: Any, snap: SnapFn
) -> None:
    tops = page.request.get("/api/v1/garments?category=upper").json()["items"]
    tee = next(g for g in tops if g["slug"] == "striped-tee")
    page.goto(f"/products/{tee['id']}")
    similar = page.locator('[data-recs="similar"]')
    outfit = page.locator('[data-recs="complete-the-look"]')
    similar.locator(".card").first.wait_for()
    outfit.locator(".card").first.wait_for()
    similar_api = page.request.get(f"/api/v1/garments/{tee['id']}/similar?k=6").json()
    outfit_api = page.request.get(f"/api/v1/garments/{tee['id']}/complete-the-look?k=4").json()
    assert similar.locator(".card h3").all_inner_texts() == [
        item["garment"]["name"] for item in similar_api["items"]
    ]
    assert outfit.locator(".card h3").all_inner_texts() == [
        item["garment"]["name"] for item in outfit_api["items"]
    ]
    assert {item["garment"]["category"] for item in outfit_api["items"]} == {"lower"}
    snap(page, "22-product-recommendations")


def test_shopper_sees_the_garment_they_smiled_most_in(
    page: Page, shop_server: Any, snap: SnapFn
) -> None:
    from playwright.sync_api import expect

    email = f"smiles-{secrets.token_hex(4)}@example.com"
    page.goto("/register")
    page.get_by_label("Name").fill("Smiler")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    tops = page.request.get("/api/v1/garments?category=upper").json()["items"]
    grin, glum = tops[0], tops[1]
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "fitroom_csrf")
    happy = [0.02, 0.02, 0.02, 0.8, 0.04, 0.05, 0.05]
    neutral = [0.02, 0.02, 0.02, 0.04, 0.05, 0.05, 0.8]
    page.goto("/account")
    consent = page.locator("#reactions-consent")
    expect(consent).not_to_be_checked()
    # Tick only once the page's script listens (it marks the box), and wait for the PUT that
    # stores the setting, not for any reactions/mine fetch (the page's own first one can answer
    # before the click, which is how this test once posted before consent was stored).
    expect(consent).to_have_attribute("data-bound", "1")
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/reactions/consent") and r.request.method == "PUT"
    ) as stored:
        consent.check()  # the account setting: summaries are kept from now on
    assert stored.value.ok, stored.value.text()
    page.reload()
    expect(consent).to_be_checked()  # rendered from the stored account
    for garment, frames in ((glum, [neutral] * 5), (grin, [happy, happy, neutral])):
        response = page.request.post(
            "/api/v1/reactions",
            data={"garment_id": garment["id"], "frames": frames},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status == 201, response.text()
    page.reload()
    expect(page.locator("#reactions-insight")).to_have_text(f"You smiled most in {grin['name']}.")
    expect(page.locator("#reactions-list li")).to_have_count(2)
    snap(page, "23-account-reactions")
