"""The live try-on's message framing: a JSON header and a payload (a JPEG) in one binary message.

``[4-byte big-endian header length][UTF-8 JSON header][payload]`` both ways; the headers' keys
and the WebSocket that carries the messages are :mod:`fitroom.server.live_socket`'s.
"""

from __future__ import annotations

import json
import struct
from typing import Any

from fitroom.errors import ImageDecodeError

#: Largest message accepted (bytes); a 1280×720 JPEG at quality 90 is about 300 kB.
MAX_MESSAGE_BYTES = 2_000_000
#: Largest frame accepted (pixels): 1920×1080.
MAX_FRAME_PIXELS = 1920 * 1080
#: Largest header (bytes).
MAX_HEADER_BYTES = 4096


def encode_message(header: dict[str, Any], payload: bytes) -> bytes:
    """``[4-byte big-endian length][JSON header][payload]``.

    >>> decode_message(encode_message({"ts": 5}, b"jpeg"))
    ({'ts': 5}, b'jpeg')
    """
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return struct.pack(">I", len(text)) + text + payload


def decode_message(data: bytes) -> tuple[dict[str, Any], bytes]:
    """Split a message into its JSON header (a dict) and payload.

    Raises:
        ImageDecodeError: the framing or the header is not as the protocol says.
    """
    if len(data) < 4:
        raise ImageDecodeError(
            f"a live message starts with a 4-byte header length; got {len(data)} bytes"
        )
    (size,) = struct.unpack(">I", data[:4])
    if size > MAX_HEADER_BYTES or 4 + size > len(data):
        raise ImageDecodeError(
            f"the header length {size} does not fit the message of {len(data)} bytes "
            f"(at most {MAX_HEADER_BYTES} header bytes)"
        )
    try:
        header = json.loads(data[4 : 4 + size].decode("utf-8")) if size else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImageDecodeError(f"the frame header is not UTF-8 JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ImageDecodeError("the frame header must be a JSON object")
    return header, data[4 + size :]


__all__ = [
    "MAX_FRAME_PIXELS",
    "MAX_HEADER_BYTES",
    "MAX_MESSAGE_BYTES",
    "decode_message",
    "encode_message",
]
