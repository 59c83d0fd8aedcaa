"""Fitting a dressing's garments and the cache of prepared garments (fitroom.dressing.fit)."""

from __future__ import annotations

import pytest

from fitroom.dressing import fit as fit_module
from fitroom.dressing.fit import PreparedGarments, layering_order
from fitroom.garments import Garment, ingest_garment
from fitroom.garments.synth import synth_garment


@pytest.fixture(scope="module")
def trousers() -> Garment:
    return ingest_garment(synth_garment("trousers", seed=2, pattern="solid").image, name="trousers")


class TestPreparedGarments:
    def test_a_garment_is_prepared_once(
        self, tee: Garment, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: list[float] = []
        real = fit_module.prepare_garment

        def counting(garment: Garment, factor: float):  # type: ignore[no-untyped-def]
            calls.append(factor)
            return real(garment, factor)

        monkeypatch.setattr(fit_module, "prepare_garment", counting)
        prepared = PreparedGarments()
        first = prepared(tee, 0.5)
        assert prepared(tee, 0.5) is first
        assert prepared(tee, 0.5000001) is first  # the same step of the factor
        assert calls == [0.5]
        prepared(tee, 0.75)
        assert calls == [0.5, 0.75]

    def test_the_oldest_goes_when_full(self, tee: Garment) -> None:
        prepared = PreparedGarments(capacity=2)
        first = prepared(tee, 0.5)
        prepared(tee, 0.6)
        prepared(tee, 0.7)
        assert prepared(tee, 0.5) is not first  # prepared again

    def test_an_empty_cache_is_still_used_by_the_fitters(self) -> None:
        # The fitters take ``prepared or prepare_garment``: an empty cache must not be falsy.
        assert PreparedGarments()


def test_lower_garments_are_drawn_first(tee: Garment, trousers: Garment) -> None:
    assert layering_order([tee, trousers]) == [1, 0]
    assert layering_order([trousers, tee]) == [0, 1]
    assert layering_order([tee, tee]) == [0, 1]
