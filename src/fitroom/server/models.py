"""The shop's tables (SQLAlchemy 2 typed ORM)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("shopper", "merchant")
GARMENT_STATUSES = ("processing", "active", "failed", "archived")
FEEDBACK_KINDS = ("view", "tryon", "like", "dislike", "rating", "comment", "add_to_cart")
#: Events the shop records itself (not posted through /feedback).
RECORDED_KINDS = ("reaction", "size_advice")
JOB_STATUSES = ("queued", "running", "done", "failed")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}  # noqa: RUF012 (SQLAlchemy reads it)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="shopper")
    # Reactions (expression summaries) are stored only when this is on or a try-on asks for it.
    reactions_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuthSession(Base):
    """A login; only the token's SHA-256 is stored."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class Garment(Base):
    __tablename__ = "garments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(16), default="upper", index=True)
    subcategory: Mapped[str] = mapped_column(String(32), default="")
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    status: Mapped[str] = mapped_column(String(16), default="processing", index=True)
    package_key: Mapped[str | None] = mapped_column(String(300))
    size_chart: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The catalogue item a ``fitroom garment import`` made it from (a rerun finds it again).
    import_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("merchant_id", "import_key", name="uq_garment_import_key"),)

    variants: Mapped[list[GarmentVariant]] = relationship(
        back_populates="garment", cascade="all, delete-orphan", order_by="GarmentVariant.id"
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="garment", cascade="all, delete-orphan", order_by="ProductImage.position"
    )


class GarmentVariant(Base):
    """One colour × size of a garment."""

    __tablename__ = "garment_variants"
    __table_args__ = (UniqueConstraint("garment_id", "colour", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    garment_id: Mapped[int] = mapped_column(
        ForeignKey("garments.id", ondelete="CASCADE"), index=True
    )
    colour: Mapped[str] = mapped_column(String(40), index=True)
    size: Mapped[str] = mapped_column(String(8), index=True)
    stock: Mapped[int] = mapped_column(Integer, default=10)

    garment: Mapped[Garment] = relationship(back_populates="variants")


class ProductImage(Base):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    garment_id: Mapped[int] = mapped_column(
        ForeignKey("garments.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(40), default="image/jpeg")
    position: Mapped[int] = mapped_column(Integer, default=0)

    garment: Mapped[Garment] = relationship(back_populates="images")


class Look(Base):
    """A saved try-on result (encrypted at rest); the photo is kept only when asked."""

    __tablename__ = "looks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    garment_id: Mapped[int | None] = mapped_column(
        ForeignKey("garments.id", ondelete="SET NULL"), index=True
    )
    size: Mapped[str | None] = mapped_column(String(8))
    image_key: Mapped[str] = mapped_column(String(300))
    photo_key: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackEvent(Base):
    __tablename__ = "feedback_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    garment_id: Mapped[int] = mapped_column(
        ForeignKey("garments.id", ondelete="CASCADE"), index=True
    )
    look_id: Mapped[int | None] = mapped_column(ForeignKey("looks.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    # The size carted (add_to_cart) or advised (size_advice).
    size: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """A background job (garment ingestion, catalogue import) with a visible status.

    The row is the job's truth whichever queue delivers it: a delivery of a job already done or
    failed does nothing, so a job delivered twice makes one garment. ``payload_key`` names the
    uploaded photo in media storage until the job ends; ``claimed_by`` is the ``host:pid`` of the
    process running it and ``attempts`` how many deliveries started it.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    garment_id: Mapped[int | None] = mapped_column(ForeignKey("garments.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payload_key: Mapped[str | None] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: A catalogue import's progress: items total and done, added, skipped, and the refused
    #: items with the reason (``{"total", "done", "added", "skipped", "refused": [...]}``).
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class MediaBlob(Base):
    """Media bytes kept in the database (PostgreSQL), so every machine of a cluster sees them."""

    __tablename__ = "media_blobs"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MeasurementProfile(Base):
    """A shopper's body measurements, kept only with their consent and encrypted at rest.

    ``sealed`` is the AES-GCM blob of the measurements' JSON (``BodyMeasurements.as_dict`` plus
    the fit preference), bound to the user id, so the numbers never sit in the clear in the
    database.
    """

    __tablename__ = "measurement_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, index=True
    )
    source: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReactionRecord(Base):
    """A try-on's reaction summary, stored only with the shopper's consent.

    Only numbers: never an image, a face crop or landmarks. ``mean`` maps each expression class
    to its mean probability.
    """

    __tablename__ = "reaction_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_events.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    garment_id: Mapped[int] = mapped_column(
        ForeignKey("garments.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(8))
    frames: Mapped[int] = mapped_column(Integer)
    smile_share: Mapped[float] = mapped_column(Float)
    peak_surprise: Mapped[float] = mapped_column(Float)
    dominant: Mapped[str] = mapped_column(String(16))
    mean: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RateLimitHit(Base):
    """One counted event of a limiter (a failed log-in, a registration, an upload).

    Kept in the database so every process of the shop counts the same events. ``key`` is the
    SHA-256 of what is limited (an e-mail, an address, a merchant id), never the value itself.
    """

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_scope_key_at", "scope", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
