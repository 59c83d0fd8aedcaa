"""The context-manager protocol shared by every class that holds models or other resources."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closeable:
    """Base of model holders: ``with Holder() as h: ...`` calls ``close()`` on the way out."""

    def close(self) -> None:
        """Release what the object holds (models, buffers). Subclasses override this."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
