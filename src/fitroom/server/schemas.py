"""Request and response bodies of the JSON API, one family per resource."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: An e-mail address: one @, something either side, no spaces (delivery is not checked).
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
]
#: Largest row id (the id columns are 32-bit integers on PostgreSQL); a larger one is a 422.
MAX_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
#: A size-chart bound in cm: finite, and no body is a kilometre round.
ChartCm = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]
SizeLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8)]
ColourName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
SizeChartBody = dict[
    SizeLabel, dict[Annotated[str, StringConstraints(max_length=40)], tuple[ChartCm, ChartCm]]
]


class UserCreate(BaseModel):
    email: Email
    password: str = Field(min_length=8, max_length=256)
    display_name: str = Field(min_length=1, max_length=100)


class UserLogin(BaseModel):
    email: Email
    password: str = Field(min_length=1, max_length=256)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    role: str


class VariantPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    colour: str
    size: str
    stock: int


class GarmentSummary(BaseModel):
    id: int
    slug: str
    name: str
    category: str
    subcategory: str
    price_cents: int
    currency: str
    colours: list[str]
    sizes: list[str]
    image_url: str | None


class GarmentPublic(GarmentSummary):
    description: str
    status: str
    size_chart: dict[str, dict[str, list[float]]] | None
    image_urls: list[str]
    variants: list[VariantPublic]


class GarmentList(BaseModel):
    """One page of garments; ``count`` is how many match in all (not the page's length)."""

    items: list[GarmentSummary]
    count: int
    offset: int
    limit: int


class GarmentUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    price_cents: int | None = Field(default=None, ge=0, le=10_000_000)
    sizes: list[SizeLabel] | None = Field(default=None, min_length=1, max_length=12)
    colours: list[ColourName] | None = Field(default=None, min_length=1, max_length=12)
    size_chart: SizeChartBody | None = None


class RefusedItem(BaseModel):
    """A catalogue item an import refused, and why."""

    sku: str
    photo: str
    reason: str


class ImportProgress(BaseModel):
    """How far a catalogue import is: items listed and finished; of those, added, already in
    the shop (skipped) and refused (with the reason)."""

    total: int = 0
    done: int = 0
    added: int = 0
    skipped: int = 0
    refused: list[RefusedItem] = Field(default_factory=list)


class JobPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    error: str | None
    garment_id: int | None
    created_at: datetime
    finished_at: datetime | None
    attempts: int = 0
    progress: ImportProgress | None = None


class LookPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    garment_id: int | None
    size: str | None
    has_photo: bool
    image_url: str
    created_at: datetime


#: What a shopper may post; try-ons are counted by the try-on endpoints themselves.
FeedbackKind = Literal["view", "like", "dislike", "rating", "comment", "add_to_cart"]


class FeedbackCreate(BaseModel):
    garment_id: RowId
    kind: FeedbackKind
    look_id: RowId | None = None
    rating: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)
    size: str | None = Field(default=None, max_length=8, description="the size carted")


class FeedbackPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    garment_id: int
    kind: str
    rating: int | None
    comment: str | None
    created_at: datetime


class CommentPublic(BaseModel):
    author: str
    comment: str
    rating: int | None
    created_at: datetime


class Message(BaseModel):
    message: str
