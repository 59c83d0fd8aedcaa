"""One error tree for the whole library.

Every error fitroom raises on purpose derives from :class:`FitroomError`. Errors caused by what a
caller handed in derive from :class:`InputError` (a ``ValueError``), so the web layer can map the
whole family to HTTP 4xx in one handler and a script can catch ``ValueError`` as usual. Messages say
what was expected, what was found, and what to do instead.
"""

from __future__ import annotations


class FitroomError(Exception):
    """Base class of every error fitroom raises on purpose."""

    #: HTTP status the web layer answers with for this error.
    http_status: int = 500


class InputError(FitroomError, ValueError):
    """The input (image, garment, option) cannot be used; the caller can fix it."""

    http_status = 422


class ImageDecodeError(InputError):
    """Bytes or a file that are not a decodable JPEG, PNG or WebP image."""

    http_status = 415


class ImageTooLarge(InputError):
    """An image whose pixel count or byte size exceeds the configured limit."""

    http_status = 413


class NoPersonFound(InputError):
    """No person was found where one was required."""


class MultiplePeople(InputError):
    """Several people were found where exactly one was required."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


class PersonNotUsable(InputError):
    """A person was found but the photo cannot be used (cut off, seen from the back, too small)."""


class GarmentError(InputError):
    """A garment photo or package that cannot be used."""


class GarmentNotFound(GarmentError):
    """No garment could be found in a product photo, or a garment id is unknown."""

    http_status = 404


class GarmentPhotoRejected(GarmentError):
    """A product photo that cannot be turned into a garment (busy background, cut off, several)."""


class GarmentPackageError(GarmentError):
    """A garment package that is corrupt, of an unknown version, or fails schema validation."""


class UnsupportedGarment(InputError):
    """A garment that cannot be fitted to the body visible in the photo."""


class VideoError(InputError):
    """A video that cannot be opened or read."""


class InteractionDataError(InputError):
    """An interaction file or event list that is not "user item item ..." sequences."""


class RecommenderModelError(InputError):
    """A recommender model file that is corrupt, of an unknown version, or not a fitroom model."""


class ModelIntegrityError(FitroomError):
    """A shipped model file is missing or its SHA-256 differs from the one listed in NOTICE."""


__all__ = [
    "FitroomError",
    "GarmentError",
    "GarmentNotFound",
    "GarmentPackageError",
    "GarmentPhotoRejected",
    "ImageDecodeError",
    "ImageTooLarge",
    "InputError",
    "InteractionDataError",
    "ModelIntegrityError",
    "MultiplePeople",
    "NoPersonFound",
    "PersonNotUsable",
    "RecommenderModelError",
    "UnsupportedGarment",
    "VideoError",
]
