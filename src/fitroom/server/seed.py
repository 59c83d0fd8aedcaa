"""The demo shop: a demo merchant and the project's own generated garments (idempotent)."""

from __future__ import annotations

import numpy as np

from fitroom.garments import ingest_garment
from fitroom.garments.synth import DEMO_CATALOG, synth_garment
from fitroom.server import crud
from fitroom.server.db import session_scope
from fitroom.server.services import Services
from fitroom.server.services.ingestion import store_ingested

DEMO_SIZES = ("XS", "S", "M", "L", "XL")
#: Prices in cents by kind.
DEMO_PRICES = {
    "t-shirt": 1990,
    "shirt": 3990,
    "tank": 1490,
    "dress": 5990,
    "trousers": 4990,
    "shorts": 2990,
    "skirt": 3490,
}
#: Body chest/waist/hip ranges (cm) per letter size, a common European grading.
_CHEST = {"XS": (80, 86), "S": (86, 92), "M": (92, 100), "L": (100, 108), "XL": (108, 116)}
_WAIST = {"XS": (64, 70), "S": (70, 76), "M": (76, 84), "L": (84, 92), "XL": (92, 100)}
_HIP = {"XS": (86, 92), "S": (92, 98), "M": (98, 104), "L": (104, 110), "XL": (110, 116)}


#: How a pattern reads in a product description.
PATTERN_WORDS = {
    "solid": "plain",
    "stripes": "striped",
    "dots": "dotted",
    "checks": "checked",
    "print": "printed",
}


def demo_size_chart(kind: str) -> dict[str, dict[str, list[float]]]:
    """A size chart for a demo garment (upper garments by chest, lower by waist and hip)."""
    chart: dict[str, dict[str, list[float]]] = {}
    for size in DEMO_SIZES:
        rows: dict[str, tuple[int, int]] = {}
        if kind in ("t-shirt", "shirt", "tank", "dress"):
            rows["chest"] = _CHEST[size]
        if kind not in ("t-shirt", "shirt", "tank"):
            rows["waist"] = _WAIST[size]
            rows["hip"] = _HIP[size]
        chart[size] = {m: [float(lo), float(hi)] for m, (lo, hi) in rows.items()}
    return chart


def display_name(slug: str) -> str:
    return slug.replace("-", " ").title()


def seed_demo(services: Services) -> int:
    """Create the demo merchant and any missing demo garment; returns how many were added."""
    settings = services.settings
    with session_scope(services.sessions) as session:
        merchant = crud.get_user_by_email(session, email=settings.demo_merchant_email)
        if merchant is None:
            merchant = crud.create_user(
                session,
                email=settings.demo_merchant_email,
                password=settings.demo_merchant_password,
                display_name="Demo Merchant",
                role="merchant",
            )
        merchant_id = merchant.id
    catalog = DEMO_CATALOG[: settings.seed_limit] if settings.seed_limit else DEMO_CATALOG
    added = 0
    for slug, kind, pattern, seed in catalog:
        with session_scope(services.sessions) as session:
            existing = crud.get_garment_by_slug(session, slug=slug)
            if existing is not None and existing.status == "active":
                continue
            if existing is None:
                existing = crud.create_garment(
                    session,
                    name=display_name(slug),
                    slug=slug,
                    merchant_id=merchant_id,
                    price_cents=DEMO_PRICES[kind],
                    sizes=DEMO_SIZES,
                    description=(
                        f"A {PATTERN_WORDS.get(pattern, pattern)} {kind} from the fitroom demo "
                        "collection, drawn by the project itself."
                    ),
                    size_chart=demo_size_chart(kind),
                )
            garment_id = existing.id
        drawn = synth_garment(kind, seed=seed, pattern=pattern)
        # The drawing comes with its exact alpha; hand it over so no cut-out guess is needed.
        rgba = np.dstack([drawn.image, np.round(drawn.alpha * 255).astype(np.uint8)])
        garment = ingest_garment(
            rgba,
            name=display_name(slug),
            category_hint=kind,
            size_chart=None,
            source_name=f"{slug}.png",
        )
        store_ingested(services, garment_id, garment)
        added += 1
    return added
