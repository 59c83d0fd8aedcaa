"""Fitting a dressing's garments and the cache of prepared garments (fitroom.dressing.fit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitroom.dressing import fit as fit_module
from fitroom.dressing.fit import PreparedGarments, fit_garment, layering_order
from fitroom.fitting.anchors import BodyAnchors, body_anchors
from fitroom.fitting.dress_fit import dress_targets
from fitroom.fitting.garment_fit import torso_targets
from fitroom.fitting.strap_top_fit import strap_top_targets
from fitroom.garments import Garment, ingest_garment
from fitroom.garments.synth import synth_garment
from fitroom.imaging import decode_image
from fitroom.vision import Perceiver


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


@pytest.fixture(scope="module")
def anchors_in_a_dress(shared_data: Path) -> BodyAnchors:
    """The body anchors of a shared photo of a woman in a white halter midi dress."""
    photo = decode_image(shared_data / "persons" / "dresscode_053514_0.jpg")
    with Perceiver(num_threads=1) as perceiver:
        person = perceiver.process(photo).single()
    assert person.parts is not None
    return body_anchors(person.pose, person.parts, (photo.shape[1], photo.shape[0]))


class TestFitGarment:
    def test_a_dress_clothes_the_whole_body_by_its_own_rules(
        self, anchors_in_a_dress: BodyAnchors
    ) -> None:
        dress = ingest_garment(synth_garment("dress", seed=7, pattern="solid").image)
        assert (dress.category, dress.subcategory) == ("full", "dress")
        fitted = fit_garment(dress, anchors_in_a_dress, 1.04, PreparedGarments())
        # Region "full": it replaces the old top and the old skirt or trousers.
        assert fitted.region == "full"
        assert fitted.targets == dress_targets(dress, anchors_in_a_dress)[0]
        hem = 0.5 * (fitted.targets["hem_left"][1] + fitted.targets["hem_right"][1])
        assert hem <= float(anchors_in_a_dress.ankles[:, 1].mean()) + 0.5

    def test_a_top_stays_an_upper_garment(
        self, tee: Garment, anchors_in_a_dress: BodyAnchors
    ) -> None:
        fitted = fit_garment(tee, anchors_in_a_dress, 1.04, PreparedGarments())
        assert fitted.region == "upper"
        assert fitted.targets == torso_targets(tee, anchors_in_a_dress, 1.04)[0]

    def test_a_halter_top_is_sized_by_its_chest_and_ends_above_the_knees(
        self, shared_data: Path, anchors_in_a_dress: BodyAnchors
    ) -> None:
        # Placed by its neck tie onto the shoulder seams, the shared halter top hung to the
        # calves of full-body persons, over the backdrop between the legs.
        halter = ingest_garment(shared_data / "garments" / "vitonhd_04825_00.jpg")
        fitted = fit_garment(halter, anchors_in_a_dress, 1.04, PreparedGarments())
        assert fitted.region == "upper"
        assert fitted.targets == strap_top_targets(halter, anchors_in_a_dress, 1.04)[0]
        assert fitted.scale < 0.6 * torso_targets(halter, anchors_in_a_dress, 1.04)[1]
        hem = 0.5 * (fitted.targets["hem_left"][1] + fitted.targets["hem_right"][1])
        assert hem < float(anchors_in_a_dress.knees[:, 1].mean())
