"""``fitroom tryon`` on the public-domain astronaut with a drawn garment photo."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from fitroom.cli import tryon as tryon_cli
from fitroom.errors import NoPersonFound
from fitroom.imaging import decode_image, encode_png


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fitroom")
    tryon_cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_tryon_writes_result_and_debug(files: dict[str, Path], astronaut: np.ndarray) -> None:
    out = files["folder"] / "out.png"
    debug = files["folder"] / "debug"
    argv = ["tryon", str(files["person"]), str(files["tee"]), "-o", str(out)]
    args = _parse([*argv, "--size", "L", "--debug-dir", str(debug)])
    assert args.run(args) == 0
    result = decode_image(out)
    assert result.shape == astronaut.shape
    assert not np.array_equal(result, astronaut)
    for name in ("pose.png", "parts.png", "garment_mask.png", "timings.json"):
        assert (debug / name).is_file(), name
    mask = decode_image(debug / "garment_mask.png")
    assert mask.shape[:2] == astronaut.shape[:2] and mask.max() == 255
    timings = json.loads((debug / "timings.json").read_text())
    assert timings["timings_ms"]["total"] > 0


def test_tryon_without_person_is_a_typed_error(files: dict[str, Path]) -> None:
    from skimage import data

    coffee = files["folder"] / "coffee.png"
    coffee.write_bytes(encode_png(np.ascontiguousarray(data.coffee())))
    args = _parse(["tryon", str(coffee), str(files["tee"]), "-o", str(files["folder"] / "x.png")])
    with pytest.raises(NoPersonFound):
        args.run(args)
