"""``python -m fitroom.cli``: the ``fitroom`` command without its console script."""

from fitroom.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
