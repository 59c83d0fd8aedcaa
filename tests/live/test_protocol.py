"""The live message framing (fitroom.live.protocol)."""

from __future__ import annotations

import pytest

from fitroom.errors import ImageDecodeError
from fitroom.live.protocol import decode_message, encode_message


def test_message_framing_round_trips_and_rejects_garbage() -> None:
    assert decode_message(encode_message({"a": [1, 2]}, b"xyz")) == ({"a": [1, 2]}, b"xyz")
    for bad in (
        b"",
        b"\x00\x00",
        b"\x00\x00\x00\x09{}",
        b"\x00\x00\x00\x02[]",
        b"\x00\x00\x00\x01\xff",
    ):
        with pytest.raises(ImageDecodeError):
            decode_message(bad)
