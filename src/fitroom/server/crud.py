"""Database operations; every function takes keyword-only arguments after the session."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TypedDict, Unpack

from sqlalchemy import ColumnElement, Select, delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from fitroom.server.core.security import hash_password, token_digest, verify_password
from fitroom.server.models import (
    AuthSession,
    FeedbackEvent,
    Garment,
    GarmentVariant,
    Job,
    Look,
    ProductImage,
    User,
)

SIZE_ORDER = ("XXS", "XS", "S", "M", "L", "XL", "XXL")


def size_key(size: str) -> tuple[int, str]:
    """Sort key putting letter sizes in wearing order and anything else after them."""
    upper = size.upper()
    return (SIZE_ORDER.index(upper) if upper in SIZE_ORDER else len(SIZE_ORDER), upper)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")
    return slug or "garment"


# --- users and sessions -------------------------------------------------------------------------


def create_user(
    session: Session, *, email: str, password: str, display_name: str, role: str = "shopper"
) -> User:
    user = User(
        email=email.lower(),
        password_hash=hash_password(password),
        display_name=display_name,
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, *, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.lower()))


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    user = get_user_by_email(session, email=email)
    if user is None:
        # Hash anyway so a missing account takes as long as a wrong password.
        verify_password(password, hash_password("timing-equaliser"))
        return None
    return user if verify_password(password, user.password_hash) else None


def create_auth_session(session: Session, *, user: User, token: str, hours: int) -> AuthSession:
    now = datetime.now(UTC)
    row = AuthSession(
        token_sha256=token_digest(token),
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return row


def user_for_token(session: Session, *, token: str) -> User | None:
    row = session.scalar(select(AuthSession).where(AuthSession.token_sha256 == token_digest(token)))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires < datetime.now(UTC):
        session.delete(row)
        return None
    return row.user


def delete_auth_session(session: Session, *, token: str) -> None:
    session.execute(delete(AuthSession).where(AuthSession.token_sha256 == token_digest(token)))


def delete_user(session: Session, *, user: User) -> None:
    """Remove a user and the rows that are theirs (the caller removes their files)."""
    session.execute(delete(FeedbackEvent).where(FeedbackEvent.user_id == user.id))
    session.execute(delete(Look).where(Look.user_id == user.id))
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    session.delete(user)


# --- garments -----------------------------------------------------------------------------------


def _with_children(stmt: Select[Garment]) -> Select[Garment]:
    return stmt.options(selectinload(Garment.variants), selectinload(Garment.images))


class GarmentFilters(TypedDict, total=False):
    """What a garment listing can be narrowed by (every key optional)."""

    category: str | None
    colour: str | None
    size: str | None
    min_price_cents: int | None
    max_price_cents: int | None
    query: str | None
    merchant_id: int | None
    statuses: Sequence[str]


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its ``%`` and ``_`` taken literally
    (escaped with a backslash: use ``.like(pattern, escape="\\")``)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def garment_conditions(**filters: Unpack[GarmentFilters]) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a listing (active garments when no status is given)."""
    conditions: list[ColumnElement[bool]] = [
        Garment.status.in_(filters.get("statuses", ("active",)))
    ]
    if (merchant_id := filters.get("merchant_id")) is not None:
        conditions.append(Garment.merchant_id == merchant_id)
    if category := filters.get("category"):
        conditions.append(Garment.category == category)
    if (low := filters.get("min_price_cents")) is not None:
        conditions.append(Garment.price_cents >= low)
    if (high := filters.get("max_price_cents")) is not None:
        conditions.append(Garment.price_cents <= high)
    if query := filters.get("query"):
        like = like_pattern(query)
        conditions.append(
            or_(
                func.lower(Garment.name).like(like, escape="\\"),
                func.lower(Garment.description).like(like, escape="\\"),
            )
        )
    colour, size = filters.get("colour"), filters.get("size")
    if colour or size:
        variant = select(GarmentVariant.garment_id)
        if colour:
            variant = variant.where(func.lower(GarmentVariant.colour) == colour.lower())
        if size:
            variant = variant.where(func.upper(GarmentVariant.size) == size.upper())
        conditions.append(Garment.id.in_(variant))
    return conditions


def list_garments(
    session: Session, *, limit: int = 60, offset: int = 0, **filters: Unpack[GarmentFilters]
) -> list[Garment]:
    """One page of the garments matching ``filters``, oldest first."""
    stmt = select(Garment).where(*garment_conditions(**filters))
    stmt = _with_children(stmt.order_by(Garment.id).limit(limit).offset(offset))
    return list(session.scalars(stmt))


def count_garments(session: Session, **filters: Unpack[GarmentFilters]) -> int:
    """How many garments match ``filters`` (over every page)."""
    stmt = select(func.count()).select_from(Garment).where(*garment_conditions(**filters))
    return int(session.scalar(stmt) or 0)


def facet_values(session: Session) -> dict[str, list[str]]:
    """The categories, colours and sizes present in the active catalog (for filter menus)."""
    active = select(Garment.id).where(Garment.status == "active")
    categories = session.scalars(
        select(Garment.category).where(Garment.status == "active").distinct()
    )
    colours = session.scalars(
        select(GarmentVariant.colour).where(GarmentVariant.garment_id.in_(active)).distinct()
    )
    sizes = session.scalars(
        select(GarmentVariant.size).where(GarmentVariant.garment_id.in_(active)).distinct()
    )
    return {
        "categories": sorted(categories),
        "colours": sorted(colours),
        "sizes": sorted(sizes, key=size_key),
    }


def get_garment(session: Session, *, garment_id: int) -> Garment | None:
    return session.scalar(_with_children(select(Garment).where(Garment.id == garment_id)))


def get_garment_by_import_key(
    session: Session, *, merchant_id: int, import_key: str
) -> Garment | None:
    """The merchant's garment a catalogue import made from the item ``import_key``."""
    return session.scalar(
        select(Garment).where(Garment.merchant_id == merchant_id, Garment.import_key == import_key)
    )


def get_garment_by_slug(session: Session, *, slug: str) -> Garment | None:
    return session.scalar(_with_children(select(Garment).where(Garment.slug == slug)))


def unique_slug(session: Session, *, name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while session.scalar(select(Garment.id).where(Garment.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_garment(
    session: Session,
    *,
    name: str,
    merchant_id: int | None,
    price_cents: int,
    sizes: Sequence[str],
    colours: Sequence[str] = (),
    description: str = "",
    size_chart: dict[str, dict[str, list[float]]] | None = None,
    slug: str | None = None,
    status: str = "processing",
    import_key: str | None = None,
) -> Garment:
    garment = Garment(
        slug=slug or unique_slug(session, name=name),
        import_key=import_key,
        name=name,
        merchant_id=merchant_id,
        price_cents=price_cents,
        description=description,
        size_chart=size_chart,
        status=status,
    )
    session.add(garment)
    session.flush()
    set_variants(session, garment=garment, colours=colours or ("unknown",), sizes=sizes)
    return garment


def set_variants(
    session: Session, *, garment: Garment, colours: Sequence[str], sizes: Sequence[str]
) -> None:
    """Replace the garment's variants by every colour × size."""
    garment.variants.clear()
    session.flush()
    for colour in dict.fromkeys(c.strip().lower() for c in colours if c.strip()):
        for size in dict.fromkeys(s.strip().upper() for s in sizes if s.strip()):
            garment.variants.append(GarmentVariant(colour=colour, size=size))
    session.flush()


def add_product_image(
    session: Session, *, garment: Garment, storage_key: str, content_type: str = "image/jpeg"
) -> ProductImage:
    image = ProductImage(
        garment_id=garment.id,
        storage_key=storage_key,
        content_type=content_type,
        position=len(garment.images),
    )
    session.add(image)
    session.flush()
    session.refresh(garment)
    return image


def get_product_image(session: Session, *, image_id: int) -> ProductImage | None:
    return session.get(ProductImage, image_id)


# --- looks --------------------------------------------------------------------------------------


def create_look(
    session: Session,
    *,
    user_id: int,
    garment_id: int,
    size: str | None,
    image_key: str,
    photo_key: str | None,
) -> Look:
    look = Look(
        user_id=user_id, garment_id=garment_id, size=size, image_key=image_key, photo_key=photo_key
    )
    session.add(look)
    session.flush()
    return look


def list_looks(session: Session, *, user_id: int) -> list[Look]:
    return list(
        session.scalars(select(Look).where(Look.user_id == user_id).order_by(Look.id.desc()))
    )


def get_own_look(session: Session, *, look_id: int, user_id: int) -> Look | None:
    """The look when it belongs to ``user_id``; None otherwise (another user's look is absent)."""
    return session.scalar(select(Look).where(Look.id == look_id, Look.user_id == user_id))


# --- feedback -----------------------------------------------------------------------------------


def create_feedback(
    session: Session,
    *,
    user_id: int | None,
    garment_id: int,
    kind: str,
    look_id: int | None = None,
    rating: int | None = None,
    comment: str | None = None,
    size: str | None = None,
) -> FeedbackEvent:
    event = FeedbackEvent(
        user_id=user_id,
        garment_id=garment_id,
        kind=kind,
        look_id=look_id,
        rating=rating,
        comment=comment,
        size=size,
    )
    session.add(event)
    session.flush()
    return event


def list_comments(
    session: Session, *, garment_id: int, limit: int = 50
) -> list[tuple[str, FeedbackEvent]]:
    rows = session.execute(
        select(User.display_name, FeedbackEvent)
        .join(User, User.id == FeedbackEvent.user_id)
        .where(FeedbackEvent.garment_id == garment_id, FeedbackEvent.comment.is_not(None))
        .order_by(FeedbackEvent.id.desc())
        .limit(limit)
    )
    return [(name, event) for name, event in rows]


def feedback_counts(session: Session, *, garment_id: int) -> dict[str, int]:
    rows = session.execute(
        select(FeedbackEvent.kind, func.count())
        .where(FeedbackEvent.garment_id == garment_id)
        .group_by(FeedbackEvent.kind)
    )
    return {kind: int(n) for kind, n in rows}


# --- jobs ---------------------------------------------------------------------------------------


def create_job(
    session: Session, *, kind: str, garment_id: int | None, created_by: int | None
) -> Job:
    job = Job(kind=kind, garment_id=garment_id, created_by=created_by, status="queued")
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def claim_job(session: Session, *, job_id: int, worker: str, statuses: Sequence[str]) -> Job | None:
    """Mark the job running for ``worker`` if its status is one of ``statuses``; else None.

    One conditional UPDATE, so of two processes claiming a queued job only one gets it.
    """
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(list(statuses)))
        .values(
            status="running",
            claimed_by=worker,
            attempts=Job.attempts + 1,
            started_at=datetime.now(UTC),
        )
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    session.flush()
    job = session.get(Job, job_id, populate_existing=True)
    return job


def list_jobs(session: Session, *, created_by: int, limit: int = 20) -> list[Job]:
    """The newest jobs a user started."""
    return list(
        session.scalars(
            select(Job).where(Job.created_by == created_by).order_by(Job.id.desc()).limit(limit)
        )
    )


def finish_job(session: Session, *, job: Job, error: str | None) -> None:
    job.status = "failed" if error else "done"
    job.error = error
    job.finished_at = datetime.now(UTC)
