"""``fitroom garment ...`` (placeholder until garment ingestion lands)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Register the ``garment`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser("garment", help="garment ingestion")
    parser.set_defaults(run=lambda args: parser.error("garment ingestion is not built yet") or 2)
