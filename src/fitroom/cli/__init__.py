"""fitroom's command line: a thin shell over the library.

Each subcommand lives in its own module with ``register(subparsers)``; ``main`` builds the parser,
turns library errors into a one-line message and exit code 2, and never shows a traceback for
bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fitroom.errors import FitroomError


def build_parser() -> argparse.ArgumentParser:
    """The ``fitroom`` argument parser with every subcommand registered."""
    from fitroom.cli import analyze, garment, live, measure, serve, tryon, worker

    parser = argparse.ArgumentParser(prog="fitroom", description="Self-hosted virtual fitting room")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for models (default 2)")
    sub = parser.add_subparsers(dest="command", required=True)
    analyze.register(sub)
    garment.register(sub)
    measure.register(sub)
    tryon.register(sub)
    serve.register(sub)
    worker.register(sub)
    live.register(sub)
    from fitroom.cli import recs

    recs.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fitroom`` command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except FitroomError as exc:
        print(f"fitroom: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        # Reading or writing a path the user gave failed (disk full, permission, ...): their
        # input to fix, said in one line like every other refusal.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"fitroom: error: {where}{exc.strerror or _one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


__all__ = ["build_parser", "main"]
