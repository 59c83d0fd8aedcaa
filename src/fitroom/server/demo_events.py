"""Simulated shoppers and events for the demo dashboard (idempotent, seeded, no images).

Demo shoppers browse the demo merchant's garments over the last 30 days: each garment has an
appeal, each shopper a true size; a view may lead to a try-on (with a reaction summary when the
shopper consented), a size advice, a like or dislike, and an add-to-cart, mostly in the advised
size. One garment is made to be tried often and never bought, so every chart has something to
show.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fitroom.reactions import summarize_reactions
from fitroom.server import crud
from fitroom.server.core.security import hash_password
from fitroom.server.db import session_scope
from fitroom.server.models import FeedbackEvent, Garment, ReactionRecord, User
from fitroom.vision.core import EXPRESSIONS

DEMO_SHOPPER_DOMAIN = "shoppers.fitroom.invalid"
DEMO_DAYS = 30
SIZES = ("XS", "S", "M", "L", "XL")


def demo_shopper_email(i: int) -> str:
    return f"demo-shopper-{i}@{DEMO_SHOPPER_DOMAIN}"


def simulated_frames(rng: np.random.Generator, appeal: float, frames: int) -> np.ndarray:
    """Softmax-like expression probabilities, happier for more appealing garments."""
    logits = rng.normal(0.0, 0.6, size=(frames, len(EXPRESSIONS)))
    logits[:, EXPRESSIONS.index("happy")] += 2.2 * appeal - 0.4
    logits[:, EXPRESSIONS.index("neutral")] += 1.0
    logits[:, EXPRESSIONS.index("surprise")] += rng.uniform(-0.5, 0.8)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def seed_demo_events(
    sessions: sessionmaker[Session], *, merchant_email: str, count: int, seed: int = 0
) -> int:
    """Add about ``count`` simulated events on the garments of the merchant ``merchant_email``.

    Returns how many events were added.

    Does nothing (returns 0) when the demo shoppers exist already or there is no demo garment.
    """
    if count <= 0:
        return 0
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with session_scope(sessions) as session:
        if crud.get_user_by_email(session, email=demo_shopper_email(0)) is not None:
            return 0
        merchant = crud.get_user_by_email(session, email=merchant_email)
        if merchant is None:
            return 0
        garments = list(
            session.scalars(
                select(Garment.id).where(
                    Garment.merchant_id == merchant.id, Garment.status == "active"
                )
            )
        )
        if not garments:
            return 0
        # One hash for every demo shopper: a random password nobody knows, so none can log in.
        locked = hash_password(secrets.token_urlsafe(32))
        shoppers = []
        for i in range(max(20, count // 60)):
            user = User(
                email=demo_shopper_email(i),
                display_name=f"Demo shopper {i + 1}",
                password_hash=locked,
                role="shopper",
                reactions_consent=bool(rng.random() < 0.6),
                created_at=now - timedelta(days=DEMO_DAYS + 1),
            )
            session.add(user)
            shoppers.append(user)
        session.flush()
        appeal = {g: float(rng.uniform(0.2, 1.0)) for g in garments}
        never_bought = min(garments, key=lambda g: appeal[g])
        appeal[never_bought] = 0.95  # tried a lot...
        true_size = {u.id: SIZES[int(rng.integers(0, len(SIZES)))] for u in shoppers}
        weights = np.array([appeal[g] for g in garments])
        weights /= weights.sum()
        events: list[FeedbackEvent] = []
        reactions: list[tuple[FeedbackEvent, np.ndarray]] = []

        def add(user: User, garment: int, kind: str, at: datetime, **extra: object) -> None:
            event = FeedbackEvent(user_id=user.id, garment_id=garment, kind=kind, created_at=at)
            for key, value in extra.items():
                setattr(event, key, value)
            events.append(event)

        while len(events) < count:
            user = shoppers[int(rng.integers(0, len(shoppers)))]
            garment = garments[int(rng.choice(len(garments), p=weights))]
            a = appeal[garment]
            # More recent days are busier.
            at = now - timedelta(days=float(DEMO_DAYS * rng.power(0.7)), minutes=5)
            add(user, garment, "view", at)
            if rng.random() > 0.25 + 0.5 * a:
                continue
            at += timedelta(minutes=1)
            add(user, garment, "tryon", at)
            if user.reactions_consent:
                reaction = FeedbackEvent(
                    user_id=user.id, garment_id=garment, kind="reaction", created_at=at
                )
                events.append(reaction)
                frames = 1 if rng.random() < 0.5 else int(rng.integers(5, 60))
                reactions.append((reaction, simulated_frames(rng, a, frames)))
            advised = None
            if rng.random() < 0.6:
                advised = true_size[user.id]
                add(user, garment, "size_advice", at + timedelta(seconds=20), size=advised)
            if rng.random() < 0.55 * a:
                add(user, garment, "like", at + timedelta(seconds=40))
            elif rng.random() < 0.25 * (1 - a):
                add(user, garment, "dislike", at + timedelta(seconds=40))
            if garment != never_bought and rng.random() < 0.4 * a:
                size = advised or true_size[user.id]
                if rng.random() < 0.2:
                    size = SIZES[min(len(SIZES) - 1, SIZES.index(size) + 1)]
                add(user, garment, "add_to_cart", at + timedelta(minutes=2), size=size)
        session.add_all(events)
        session.flush()
        for event, probabilities in reactions:
            summary = summarize_reactions(probabilities)
            session.add(
                ReactionRecord(
                    event_id=event.id,
                    user_id=event.user_id,
                    garment_id=event.garment_id,
                    source="photo" if summary.frames == 1 else "live",
                    frames=summary.frames,
                    smile_share=summary.smile_share,
                    peak_surprise=summary.peak_surprise,
                    dominant=summary.dominant,
                    mean={k: round(v, 5) for k, v in summary.mean_by_class().items()},
                    created_at=event.created_at,
                )
            )
        return len(events)
