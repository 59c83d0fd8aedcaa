"""fitroom's web shop: a FastAPI app with a fitting room, accounts, catalog and saved looks.

>>> from fitroom.server import Settings, create_app   # doctest: +SKIP
>>> app = create_app(Settings(environment="development"))  # doctest: +SKIP
"""

from fitroom.server.app import create_app
from fitroom.server.core.config import Settings

__all__ = ["Settings", "create_app"]
