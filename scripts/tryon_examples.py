"""Draw the README's try-on picture: docs/images/tryon_examples.png.

Made only from images we may publish: the public-domain astronaut photo (skimage.data) and
garments the project draws itself (fitroom.garments.synth). Each result shows its product photo
in the top-left corner.

    python scripts/tryon_examples.py [-o docs/images/tryon_examples.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from fitroom.garments import ingest_garment
from fitroom.garments.synth import synth_garment
from fitroom.tryon import TryOn

#: (kind, seed, pattern) of the three drawn garments shown.
EXAMPLES = (("t-shirt", 2, "dots"), ("t-shirt", 1, "stripes"), ("t-shirt", 11, "print"))
TILE = 384


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    repo = Path(__file__).resolve().parent.parent
    parser.add_argument("-o", "--output", default=str(repo / "docs/images/tryon_examples.png"))
    args = parser.parse_args()
    photo = np.ascontiguousarray(data.astronaut())
    tiles = [photo]
    with TryOn() as tryon:
        for kind, seed, pattern in EXAMPLES:
            drawn = synth_garment(kind, seed=seed, pattern=pattern)
            result = tryon.render(photo, [ingest_garment(drawn.image)])
            out = result.image.copy()
            thumb = cv2.resize(drawn.image, (96, 128), interpolation=cv2.INTER_AREA)
            out[6:138, 6:102] = 255
            out[8:136, 8:100] = thumb[:, 2:94]
            tiles.append(out)
    small = [cv2.resize(t, (TILE, TILE), interpolation=cv2.INTER_AREA) for t in tiles]
    sheet = np.hstack(small)
    cv2.imwrite(
        args.output, cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9]
    )
    print(f"wrote {args.output} ({Path(args.output).stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
