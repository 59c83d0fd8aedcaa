"""The Measurer on real photos: a cropped head falls back to a proportions scale only when asked
and only with the ankles in view; missing feet are refused either way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fitroom.errors import PersonNotUsable
from fitroom.imaging import decode_image
from fitroom.measure.measurer import Measurer

HEIGHT_CM = 172.0
#: Full body, head cropped above the mouth (Dress Code).
HEAD_CROPPED = "persons/dresscode_049205_0.jpg"
#: Head to mid-thigh: no feet (VITON-HD).
NO_FEET = "persons/vitonhd_00035_00.jpg"


@pytest.fixture(scope="module")
def measurer() -> Iterator[Measurer]:
    with Measurer() as m:
        yield m


def test_cropped_head_is_refused_by_default(shared_data: Path, measurer: Measurer) -> None:
    with pytest.raises(PersonNotUsable, match="head"):
        measurer.measure(decode_image(shared_data / HEAD_CROPPED), HEIGHT_CM)


def test_cropped_head_with_fallback_warns(shared_data: Path, measurer: Measurer) -> None:
    result = measurer.measure(
        decode_image(shared_data / HEAD_CROPPED), HEIGHT_CM, head_optional=True
    )
    assert "proportions" in result.warnings[0]
    assert result.measurements_cm["height"] == HEIGHT_CM
    # A grown man's chest, not a scale gone wrong by a factor.
    assert 70 < result.measurements_cm["chest"] < 130


def test_missing_feet_are_refused_even_with_fallback(shared_data: Path, measurer: Measurer) -> None:
    with pytest.raises(PersonNotUsable, match="feet"):
        measurer.measure(decode_image(shared_data / NO_FEET), HEIGHT_CM, head_optional=True)
