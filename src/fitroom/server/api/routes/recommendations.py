"""Recommendations: for me, similar garments, and complete the look.

``GET /recommendations/for-me``, ``/garments/{id}/similar``, ``/garments/{id}/complete-the-look``.

Content recommendations come from :mod:`fitroom.recommend.content` on profiles built from each
garment's ingested features (cached per app by garment). "For
me" ranks with the sequential model when one is configured (``Settings.recs_model_path``, item
ids = garment ids) and it knows the shopper's recent garments. That file is the model as
evaluated (``fitroom recs train``, ``benchmarks/recs_eval.py``): the SASRec network blended with
its recency-weighted item-kNN part at the weight chosen on held-out shoppers, and it ranks as
evaluated — the shopper's own recent garments are left out. Otherwise "for me" uses the shopper's
events as feedback — a cart weighs most, then a like, a smile during a
try-on, a try-on, a view; a dislike excludes the garment — blended with popularity; a shopper
with no history gets popularity alone (cold start). Every list keeps only garments in stock (in
the requested size when one is given) and leaves out what the shopper already carted.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fitroom.errors import FitroomError
from fitroom.recommend.content import (
    GarmentProfile,
    Recommendation,
    centroid_scores,
    complete_the_look,
    profile_from_features,
    similar_garments,
)
from fitroom.server import crud
from fitroom.server.api.deps import (
    CurrentUser,
    IdPath,
    MerchantUser,
    OptionalUser,
    ServicesDep,
    SessionDep,
)
from fitroom.server.models import FeedbackEvent, Garment, ReactionRecord, User
from fitroom.server.schemas import MAX_ID, GarmentSummary
from fitroom.server.services import Services
from fitroom.server.services.catalog import garment_summary, visible_garment

if TYPE_CHECKING:
    from fitroom.recommend.sequential import SequentialRecommender

log = logging.getLogger(__name__)
router = APIRouter(tags=["recommendations"])

#: How much each kind of event says about a shopper's taste (a dislike excludes instead).
EVENT_WEIGHTS = {"add_to_cart": 3.0, "like": 2.0, "rating": 1.0, "tryon": 1.0, "view": 0.3}
#: Extra weight of a try-on per unit of its reaction's smile share.
SMILE_WEIGHT = 2.0
#: Weight of each kind in popularity.
POPULARITY_WEIGHTS = {"view": 0.1, "tryon": 1.0, "like": 2.0, "add_to_cart": 3.0}
#: Share of taste (content) versus popularity in "for me" once a shopper has a history.
TASTE_SHARE = 0.7
#: The shopper's most recent events used as history.
HISTORY_LENGTH = 50
_MODEL_LOCK = threading.Lock()
#: Events that make up a shopper's sequence for the sequential model.
SEQUENCE_KINDS = ("view", "tryon", "like", "add_to_cart", "rating")

K = Annotated[int, Query(ge=1, le=24)]
SizeFilter = Annotated[str | None, Query(max_length=8, description="only garments in this size")]


class RecommendedGarment(BaseModel):
    garment: GarmentSummary
    score: float
    reason: str


class RecommendationList(BaseModel):
    strategy: str
    items: list[RecommendedGarment]


@dataclass
class ProfileCache:
    """Garment profiles by garment id, rebuilt when the package key, name or description change.

    A garment's package is written once, at ingestion, so a cached profile stays valid; a hit
    costs no package load (the try-on cache keeps only a few dozen decoded garments).
    """

    _entries: dict[int, tuple[tuple[str, str, str], GarmentProfile]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def profile(self, services: Services, row: Garment) -> GarmentProfile | None:
        key = (row.package_key or "", row.name, row.description)
        with self._lock:
            cached = self._entries.get(row.id)
            if cached is not None and cached[0] == key:
                return cached[1]
        try:
            model = services.garment_model(row.package_key)
        except FitroomError:
            return None
        profile = profile_from_features(
            row.id,
            category=model.category,
            subcategory=model.subcategory,
            features=model.features,
            text=f"{row.name} {row.description}",
        )
        with self._lock:
            self._entries[row.id] = (key, profile)
        return profile


def profile_cache(request: Request) -> ProfileCache:
    state: Any = request.app.state
    cache: ProfileCache | None = getattr(state, "garment_profiles", None)
    if cache is None:
        cache = ProfileCache()
        state.garment_profiles = cache
    return cache


def in_stock(row: Garment, size: str | None) -> bool:
    wanted = size.strip().upper() if size else None
    return any(v.stock > 0 and (wanted is None or v.size == wanted) for v in row.variants)


def carted_ids(session: Session, user_id: int | None) -> set[int]:
    if user_id is None:
        return set()
    return set(
        session.scalars(
            select(FeedbackEvent.garment_id).where(
                FeedbackEvent.user_id == user_id, FeedbackEvent.kind == "add_to_cart"
            )
        )
    )


@dataclass(frozen=True)
class Catalog:
    rows: dict[int, Garment]
    profiles: dict[int, GarmentProfile]


def load_catalog(
    request: Request, services: Services, session: Session, size: str | None
) -> Catalog:
    """Active garments in stock (in ``size`` when given) with their profiles."""
    cache = profile_cache(request)
    rows = {g.id: g for g in crud.list_garments(session, limit=100_000) if in_stock(g, size)}
    profiles = {}
    for gid, row in rows.items():
        profile = cache.profile(services, row)
        if profile is not None:
            profiles[gid] = profile
    return Catalog(rows=rows, profiles=profiles)


def to_list(
    strategy: str, recs: Sequence[Recommendation], rows: dict[int, Garment]
) -> RecommendationList:
    return RecommendationList(
        strategy=strategy,
        items=[
            RecommendedGarment(
                garment=garment_summary(rows[r.garment_id]), score=r.score, reason=r.reason
            )
            for r in recs
            if r.garment_id in rows
        ],
    )


def popularity(session: Session) -> dict[int, float]:
    """Weighted event counts per garment over every shopper, scaled to [0, 1]."""
    rows = session.execute(
        select(FeedbackEvent.garment_id, FeedbackEvent.kind).where(
            FeedbackEvent.kind.in_(tuple(POPULARITY_WEIGHTS))
        )
    )
    scores: defaultdict[int, float] = defaultdict(float)
    for garment_id, kind in rows:
        scores[garment_id] += POPULARITY_WEIGHTS[kind]
    top = max(scores.values(), default=0.0)
    return {g: s / top for g, s in scores.items()} if top > 0 else {}


def sequential_model(request: Request, services: Services) -> SequentialRecommender | None:
    """The configured sequential recommender, loaded once per app (None when not configured)."""
    state: Any = request.app.state
    with _MODEL_LOCK:
        if hasattr(state, "recs_model"):
            model: SequentialRecommender | None = state.recs_model
            return model
        path = services.settings.recs_model_path
        model = None
        if path is not None:
            from fitroom.recommend.sequential import SequentialRecommender

            try:
                model = SequentialRecommender.load(path, threads=1)
            except (FitroomError, OSError) as exc:
                log.warning("recommendation model %s not loaded (%s); using content", path, exc)
        state.recs_model = model
        return model


def engagement_sequences(session: Session, user_id: int | None = None) -> dict[int, list[str]]:
    """Each shopper's garments in the order they engaged with them (the model's item ids).

    Views, try-ons, likes, ratings and add-to-carts count; a repeat of the previous garment is
    dropped. One shopper when ``user_id`` is given, else everyone with an account.
    """
    stmt = select(FeedbackEvent.user_id, FeedbackEvent.garment_id).where(
        FeedbackEvent.user_id.is_not(None), FeedbackEvent.kind.in_(SEQUENCE_KINDS)
    )
    if user_id is not None:
        stmt = stmt.where(FeedbackEvent.user_id == user_id)
    sequences: defaultdict[int, list[str]] = defaultdict(list)
    for uid, garment_id in session.execute(
        stmt.order_by(FeedbackEvent.created_at, FeedbackEvent.id)
    ):
        if uid is None:  # excluded by the query; narrows the type
            continue
        items = sequences[uid]
        if not items or items[-1] != str(garment_id):
            items.append(str(garment_id))
    return dict(sequences)


def event_sequence(session: Session, user_id: int) -> list[str]:
    """The shopper's most recent engagement sequence, oldest first."""
    return engagement_sequences(session, user_id).get(user_id, [])[-HISTORY_LENGTH:]


@dataclass(frozen=True)
class TasteHistory:
    """A shopper's recent signals: (garment id, weight) pairs, what they disliked, and whether
    anything beyond looking (a try-on, like, good rating, cart or smile) is among them."""

    weights: list[tuple[int, float]]
    disliked: set[int]
    engaged: bool


def taste_reason(history: TasteHistory) -> str:
    """Why "for me" shows its picks: only what the shopper did (views alone are not liking)."""
    if history.engaged:
        return "matches what you tried and liked"
    return "like what you looked at"


def taste_history(session: Session, user_id: int) -> TasteHistory:
    """The shopper's recent weighted signals and the garments they disliked."""
    events = session.execute(
        select(FeedbackEvent.garment_id, FeedbackEvent.kind, FeedbackEvent.rating)
        .where(FeedbackEvent.user_id == user_id)
        .order_by(FeedbackEvent.id.desc())
        .limit(HISTORY_LENGTH)
    ).all()
    smiles = session.execute(
        select(ReactionRecord.garment_id, ReactionRecord.smile_share).where(
            ReactionRecord.user_id == user_id
        )
    ).all()
    weights: defaultdict[int, float] = defaultdict(float)
    disliked: set[int] = set()
    engaged: set[int] = set()
    for garment_id, kind, rating in events:
        if kind == "dislike" or (kind == "rating" and rating is not None and rating <= 2):
            disliked.add(garment_id)
        elif kind != "view" and EVENT_WEIGHTS.get(kind, 0.0) > 0:
            engaged.add(garment_id)
        weights[garment_id] += EVENT_WEIGHTS.get(kind, 0.0)
    for garment_id, smile in smiles:
        weights[garment_id] += SMILE_WEIGHT * float(smile)
        engaged.add(garment_id)
    return TasteHistory(
        weights=[(g, w) for g, w in weights.items() if w > 0 and g not in disliked],
        disliked=disliked,
        engaged=bool(engaged - disliked),
    )


@router.get("/recommendations/for-me")
def for_me(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
    k: K = 8,
    size: SizeFilter = None,
    not_: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]],
        Query(
            alias="not",
            max_length=50,
            description="garment ids to leave out (e.g. the product on screen)",
        ),
    ] = [],  # noqa: B006 - FastAPI copies query defaults per request
) -> RecommendationList:
    """Garments for the logged-in shopper: taste from their events blended with popularity."""
    catalog = load_catalog(request, services, session, size)
    history = taste_history(session, user.id)
    exclude = carted_ids(session, user.id) | history.disliked | set(not_)
    popular = popularity(session)
    candidates = [p for g, p in catalog.profiles.items() if g not in exclude]
    past = [(catalog.profiles[g], w) for g, w in history.weights if g in catalog.profiles]
    if past:
        taste = centroid_scores([p for p, _ in past], candidates, [w for _, w in past])
        scores = {
            p.garment_id: TASTE_SHARE * taste[p.garment_id]
            + (1 - TASTE_SHARE) * popular.get(p.garment_id, 0.0)
            for p in candidates
        }
        strategy, reason = "content+popularity", taste_reason(history)
    else:
        scores = {p.garment_id: popular.get(p.garment_id, 0.0) for p in candidates}
        strategy, reason = "popularity", "popular in the shop"
    order = sorted(scores, key=lambda g: (-scores[g], g))[:k]
    recs = [Recommendation(g, round(scores[g], 6), reason) for g in order]
    model = sequential_model(request, services)
    if model is not None:
        # The served model's blended top-k over the in-stock garments, without what the shopper
        # carted, disliked or has on screen, nor their own recent garments (as evaluated).
        ranked = model.top_k(
            event_sequence(session, user.id),
            k,
            exclude=[str(g) for g in exclude],
            allowed=[str(p.garment_id) for p in candidates],
        )
        if ranked.source == "sequential" and ranked.item_ids:
            picked = [
                Recommendation(int(i), round(float(s), 6), "picked from your recent activity")
                for i, s in zip(ranked.item_ids, ranked.scores, strict=True)
            ]
            seen = {r.garment_id for r in picked}
            # Fill up with the content ranking when the filters left the model fewer than k.
            recs = (picked + [r for r in recs if r.garment_id not in seen])[:k]
            strategy = "sequential"
    return to_list(strategy, recs, catalog.rows)


def content_list(
    strategy: str,
    rank: Callable[[GarmentProfile, list[GarmentProfile], int], list[Recommendation]],
    garment_id: int,
    request: Request,
    services: Services,
    session: Session,
    user: User | None,
    k: int,
    size: str | None,
) -> RecommendationList:
    """A content ranking around one garment, over the in-stock garments not already carted."""
    row = visible_garment(session, garment_id, user)
    catalog = load_catalog(request, services, session, size)
    target = profile_cache(request).profile(services, row)
    if target is None:
        return RecommendationList(strategy=strategy, items=[])
    exclude = carted_ids(session, user.id if user else None)
    pool = [p for g, p in catalog.profiles.items() if g not in exclude]
    return to_list(strategy, rank(target, pool, k), catalog.rows)


@router.get("/garments/{garment_id}/similar")
def similar(
    garment_id: IdPath,
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    user: OptionalUser,
    k: K = 6,
    size: SizeFilter = None,
) -> RecommendationList:
    """Garments that look and read like this one (content only)."""
    return content_list(
        "content", similar_garments, garment_id, request, services, session, user, k, size
    )


@router.get("/garments/{garment_id}/complete-the-look")
def complete_look(
    garment_id: IdPath,
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    user: OptionalUser,
    k: K = 4,
    size: SizeFilter = None,
) -> RecommendationList:
    """Garments of the other category whose colours go with this one (a bottom for a top)."""
    return content_list(
        "outfit", complete_the_look, garment_id, request, services, session, user, k, size
    )


@router.get("/recommendations/training-sequences", response_class=PlainTextResponse)
def training_sequences(session: SessionDep, user: MerchantUser) -> PlainTextResponse:
    """The shop's engagement sequences for ``fitroom recs train`` (merchants only).

    One line per shopper with at least two garments, ``u<id> garment garment ...`` oldest first;
    the item ids are garment ids, as "for me" expects of a configured model.
    """
    lines = [
        f"u{uid} {' '.join(items)}"
        for uid, items in sorted(engagement_sequences(session).items())
        if len(items) >= 2
    ]
    return PlainTextResponse(
        "\n".join(lines) + "\n" if lines else "",
        headers={"Content-Disposition": 'attachment; filename="fitroom-sequences.txt"'},
    )
