from __future__ import annotations

from sqlalchemy import func, select

from fitroom.server.models import Garment, User
from fitroom.server.seed import demo_size_chart, seed_demo
from fitroom.server.services import Services


def counts(services: Services) -> tuple[int, int]:
    with services.sessions() as session:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        garments = session.scalar(select(func.count()).select_from(Garment)) or 0
    return users, garments


def test_seed_is_idempotent(services: Services) -> None:
    before = counts(services)
    assert seed_demo(services) == 0
    assert counts(services) == before
    with services.sessions() as session:
        merchant = session.scalar(
            select(User).where(User.email == services.settings.demo_merchant_email)
        )
        assert merchant is not None and merchant.role == "merchant"
        seeded = session.scalar(select(Garment).where(Garment.slug == "striped-tee"))
        assert seeded is not None and seeded.package_key
        assert services.storage.exists(seeded.package_key)


def test_demo_size_charts_grow_with_size() -> None:
    upper = demo_size_chart("t-shirt")
    lows = [upper[s]["chest"][0] for s in ("XS", "S", "M", "L", "XL")]
    assert lows == sorted(lows) and len(set(lows)) == 5
    assert set(demo_size_chart("trousers")["M"]) == {"waist", "hip"}
