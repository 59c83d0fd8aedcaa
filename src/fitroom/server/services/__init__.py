"""The service layer: what routes share, below the routes.

:class:`Services` is what the app holds for its whole life (database, storage, cipher, models,
job queue), built once in the app's ``lifespan`` and reached through ``api.deps``; the modules
of this package hold the logic more than one route needs (catalogue views, accounts, measuring,
photo try-on, reactions, live catalogue, garment ingestion). Route modules import from here and
never from one another.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fitroom.errors import GarmentNotFound
from fitroom.garments import Garment as GarmentModel
from fitroom.garments import load_garment_bytes
from fitroom.measure.measurer import Measurer
from fitroom.server.core.config import Settings
from fitroom.server.core.crypto import MediaCipher
from fitroom.server.core.security import CsrfTokens
from fitroom.server.limits import RateLimiter
from fitroom.server.services.jobqueue import JobQueue
from fitroom.server.storage import MediaStorage
from fitroom.tryon import TryOn, TryOnOptions, TryOnResult

#: Garment packages kept decoded in memory.
GARMENT_CACHE_SIZE = 64


@dataclass
class Services:
    """The long-lived parts of a running shop."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    storage: MediaStorage
    cipher: MediaCipher
    csrf: CsrfTokens
    # Counts in the database: every process limits the same events.
    limiter: RateLimiter
    queue: JobQueue = field(init=False)
    _tryon: TryOn | None = None
    # TryOn keeps per-call state; one render at a time per process.
    _tryon_lock: threading.Lock = field(default_factory=threading.Lock)
    _garments: OrderedDict[str, GarmentModel] = field(default_factory=OrderedDict)
    _garments_lock: threading.Lock = field(default_factory=threading.Lock)
    _measurer: Measurer | None = None
    _measurer_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def tryon(self) -> TryOn:
        """The try-on models, loaded on first use (web processes load them at start-up)."""
        with self._tryon_lock:
            if self._tryon is None:
                # The try-on route records the face's expression as a reaction.
                self._tryon = TryOn(num_threads=self.settings.model_threads, expression=True)
            return self._tryon

    def measurer(self) -> Measurer:
        """The shop's measurer, made on first use (most shoppers never measure from a photo)."""
        with self._measurer_lock:
            if self._measurer is None:
                self._measurer = Measurer(num_threads=self.settings.model_threads)
            return self._measurer

    def garment_model(self, package_key: str | None) -> GarmentModel:
        """The try-on-ready garment stored under ``package_key`` (cached)."""
        if not package_key or not self.storage.exists(package_key):
            raise GarmentNotFound("this garment has no try-on package yet; wait for ingestion")
        with self._garments_lock:
            cached = self._garments.get(package_key)
            if cached is not None:
                self._garments.move_to_end(package_key)
                return cached
        garment = load_garment_bytes(self.storage.get(package_key))
        with self._garments_lock:
            self._garments[package_key] = garment
            while len(self._garments) > GARMENT_CACHE_SIZE:
                self._garments.popitem(last=False)
        return garment

    def forget_garment(self, package_key: str | None) -> None:
        with self._garments_lock:
            self._garments.pop(package_key or "", None)

    def render(
        self, photo: npt.NDArray[np.uint8], garment: GarmentModel, options: TryOnOptions
    ) -> TryOnResult:
        """Dress ``photo`` (RGB uint8 (H, W, 3)) in ``garment``; blocking, call from a thread."""
        tryon = self.tryon
        with self._tryon_lock:
            return tryon.render(photo, [garment], options)

    def close(self) -> None:
        with self._measurer_lock:
            if self._measurer is not None:
                self._measurer.close()
                self._measurer = None
        with self._tryon_lock:
            if self._tryon is not None:
                self._tryon.close()
                self._tryon = None
        self.engine.dispose()
