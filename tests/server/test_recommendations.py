"""Recommendation API: similar, complete the look, and "for me" with its filters."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fitroom.garments import ingest_garment
from fitroom.garments.synth import synth_garment
from fitroom.server import crud
from fitroom.server.db import session_scope
from fitroom.server.models import FeedbackEvent
from fitroom.server.services import Services
from fitroom.server.services.ingestion import store_ingested

Csrf = Callable[[TestClient], dict[str, str]]
_n = itertools.count()


@pytest.fixture
def trousers_id(services: Services) -> Iterator[int]:
    """An active pair of trousers (the seeded test catalog holds only tops); archived afterwards."""
    drawn = synth_garment("trousers", seed=11, pattern="solid")
    rgba = np.dstack([drawn.image, np.round(drawn.alpha * 255).astype(np.uint8)])
    model = ingest_garment(
        rgba, name="Test trousers", category_hint="trousers", size_chart=None, source_name="t.png"
    )
    with session_scope(services.sessions) as session:
        owner = crud.create_user(
            session,
            email=f"recs-merchant-{next(_n)}@example.com",
            password="correct horse battery",
            display_name="Recs",
            role="merchant",
        )
        row = crud.create_garment(
            session, name="Test trousers", merchant_id=owner.id, price_cents=4990, sizes=["M", "L"]
        )
        garment_id = row.id
    store_ingested(services, garment_id, model)
    yield garment_id
    with session_scope(services.sessions) as session:
        row = crud.get_garment(session, garment_id=garment_id)
        assert row is not None
        row.status = "archived"


def ids(response_json: dict[str, object]) -> list[int]:
    items = response_json["items"]
    assert isinstance(items, list)
    return [int(item["garment"]["id"]) for item in items]


def upper_ids(client: TestClient) -> list[int]:
    items = client.get("/api/v1/garments", params={"category": "upper"}).json()["items"]
    return [int(g["id"]) for g in items]


def test_similar_lists_other_garments_best_first(anon: TestClient, garment_id: int) -> None:
    response = anon.get(f"/api/v1/garments/{garment_id}/similar", params={"k": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["strategy"] == "content"
    found = ids(body)
    assert found and garment_id not in found
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert all(item["reason"] for item in body["items"])
    assert anon.get("/api/v1/garments/999999/similar").status_code == 404


def test_complete_the_look_gives_a_bottom_for_a_top(
    anon: TestClient, garment_id: int, trousers_id: int
) -> None:
    look = anon.get(f"/api/v1/garments/{garment_id}/complete-the-look").json()
    assert ids(look) == [trousers_id]
    assert look["items"][0]["garment"]["category"] == "lower"
    back = anon.get(f"/api/v1/garments/{trousers_id}/complete-the-look").json()
    assert set(ids(back)) == set(upper_ids(anon))
    # The size filter keeps only garments stocked in that size.
    sized = anon.get(f"/api/v1/garments/{garment_id}/complete-the-look", params={"size": "XS"})
    assert ids(sized.json()) == []


def test_for_me_starts_popular_then_follows_the_shopper(
    shopper: TestClient, anon: TestClient, csrf: Csrf, garment_id: int
) -> None:
    assert anon.get("/api/v1/recommendations/for-me").status_code == 401
    cold = shopper.get("/api/v1/recommendations/for-me").json()
    assert cold["strategy"] == "popularity"
    assert set(ids(cold)) == set(upper_ids(shopper))

    def send(kind: str, gid: int, **extra: object) -> None:
        body = {"garment_id": gid, "kind": kind, **extra}
        response = shopper.post("/api/v1/feedback", json=body, headers=csrf(shopper))
        assert response.status_code == 201, response.text

    others = [g for g in upper_ids(shopper) if g != garment_id]
    send("like", garment_id)
    send("dislike", others[0])
    warm = shopper.get("/api/v1/recommendations/for-me").json()
    assert warm["strategy"] == "content+popularity"
    assert others[0] not in ids(warm)  # disliked
    assert garment_id in ids(warm)
    # The product page leaves out the garment on screen.
    on_page = shopper.get("/api/v1/recommendations/for-me", params={"not": garment_id}).json()
    assert garment_id not in ids(on_page) and set(ids(on_page)) == set(ids(warm)) - {garment_id}
    send("add_to_cart", garment_id, size="M")
    carted = shopper.get("/api/v1/recommendations/for-me").json()
    assert garment_id not in ids(carted)  # already in the cart
    assert set(ids(carted)) == set(others[1:])


def test_add_to_cart_records_the_size(
    shopper: TestClient, csrf: Csrf, garment_id: int, services: Services
) -> None:
    response = shopper.post(
        "/api/v1/feedback",
        json={"garment_id": garment_id, "kind": "add_to_cart", "size": " m "},
        headers=csrf(shopper),
    )
    assert response.status_code == 201
    with session_scope(services.sessions) as session:
        event = session.get(FeedbackEvent, response.json()["id"])
        assert event is not None and event.size == "M"


def test_product_and_catalog_pages_carry_the_panels(
    shopper: TestClient, anon: TestClient, garment_id: int
) -> None:
    page = anon.get(f"/products/{garment_id}").text
    assert 'data-recs="similar"' in page and 'data-recs="complete-the-look"' in page
    assert 'data-recs="for-me"' not in page  # anonymous: no personal panel
    assert 'data-recs="for-me"' in shopper.get("/").text
    assert "/static/recs.js" in page
    assert anon.get("/static/recs.js").status_code == 200


def test_for_me_uses_the_configured_sequential_model(
    app: FastAPI,
    services: Services,
    shopper: TestClient,
    csrf: Csrf,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fitroom.recommend import ItemKNN, parse_sequences
    from fitroom.recommend.sequential import SASRecConfig, TrainingOptions, train_sequential

    a, b, c = (str(g) for g in sorted(upper_ids(shopper))[:3])
    # Shoppers always go a → b → c: after a, the model should offer b.
    sequences = parse_sequences([f"u{i} {a} {b} {c}" for i in range(40)])
    config = SASRecConfig(
        num_items=sequences.num_items, max_length=10, hidden=16, blocks=1, heads=1, dropout=0.1
    )
    network, _ = train_sequential(
        sequences,
        None,
        config,
        TrainingOptions(max_epochs=200, learning_rate=0.01, threads=1, seed=0),
    )
    # The served file is the blend as evaluated: network, item-kNN part and its weight.
    path = tmp_path / "recs.pt"
    network.with_knn(ItemKNN.fit(sequences, recency=0.5), 1.0).save(path)
    monkeypatch.setattr(services.settings, "recs_model_path", path)
    monkeypatch.delattr(app.state, "recs_model", raising=False)

    def send(kind: str, gid: str, **extra: object) -> None:
        body = {"garment_id": int(gid), "kind": kind, **extra}
        response = shopper.post("/api/v1/feedback", json=body, headers=csrf(shopper))
        assert response.status_code == 201, response.text

    def set_stock(gid: str, stock: int) -> None:
        with session_scope(services.sessions) as session:
            row = crud.get_garment(session, garment_id=int(gid))
            assert row is not None
            for variant in row.variants:
                variant.stock = stock

    try:
        cold = shopper.get("/api/v1/recommendations/for-me").json()
        assert cold["strategy"] == "popularity"  # no history: the model has nothing to go on
        send("like", a)
        warm = shopper.get("/api/v1/recommendations/for-me", params={"k": 2}).json()
        assert app.state.recs_model.knn is not None and app.state.recs_model.knn_weight == 1.0
        assert warm["strategy"] == "sequential"
        assert ids(warm)[0] == int(b)
        assert int(a) not in ids(warm)  # the shopper's own recent garment, as evaluated
        assert len(ids(warm)) == 2
        # Out of stock: the model's favourite gives way to the next one.
        set_stock(b, 0)
        try:
            restocked = shopper.get("/api/v1/recommendations/for-me", params={"k": 1}).json()
            assert ids(restocked) == [int(c)]
        finally:
            set_stock(b, 10)
        # Already carted: never offered again.
        send("add_to_cart", b, size="M")
        carted = shopper.get("/api/v1/recommendations/for-me", params={"k": 2}).json()
        assert carted["strategy"] == "sequential"
        assert int(b) not in ids(carted) and ids(carted)[0] == int(c)
    finally:
        if hasattr(app.state, "recs_model"):
            del app.state.recs_model


def test_training_sequences_are_for_merchants_and_follow_the_events(
    merchant: TestClient, shopper: TestClient, anon: TestClient, csrf: Csrf
) -> None:
    url = "/api/v1/recommendations/training-sequences"
    assert anon.get(url).status_code == 401
    assert shopper.get(url).status_code == 403
    a, b = upper_ids(shopper)[:2]
    for gid, kind in ((a, "like"), (a, "view"), (b, "like"), (a, "add_to_cart")):
        body = {"garment_id": gid, "kind": kind}
        assert shopper.post("/api/v1/feedback", json=body, headers=csrf(shopper)).status_code == 201
    me = shopper.get("/api/v1/auth/me").json()["id"]
    response = merchant.get(url)
    assert response.status_code == 200
    lines = {line.split()[0]: line.split()[1:] for line in response.text.splitlines()}
    # Repeats of the same garment in a row collapse; the order is the shopper's.
    assert lines[f"u{me}"] == [str(a), str(b), str(a)]
    assert all(len(items) >= 2 for items in lines.values())


def test_finding_11_new_account_is_not_told_it_tried_and_liked(
    shopper: TestClient, csrf: Csrf, garment_id: int
) -> None:
    # A brand-new account opens a product page (a view) and sees "Recommended for you".
    assert shopper.get(f"/products/{garment_id}").status_code == 200
    fresh = shopper.get("/api/v1/recommendations/for-me", params={"not": garment_id}).json()
    assert fresh["items"]
    reasons = {item["reason"] for item in fresh["items"]}
    assert "matches what you tried and liked" not in reasons
    # Once they like something, the reason says so.
    body = {"garment_id": garment_id, "kind": "like"}
    assert shopper.post("/api/v1/feedback", json=body, headers=csrf(shopper)).status_code == 201
    liked = shopper.get("/api/v1/recommendations/for-me").json()
    assert {item["reason"] for item in liked["items"]} == {"matches what you tried and liked"}
