"""Draw the README's try-on picture: docs/images/tryon_examples.png.

Made only from images we may publish: the public-domain astronaut photo (skimage.data) and
garments the project draws itself (fitroom.garments.synth), one of them in a recolour variant.
Each result shows its product photo (as tried on) in the top-left corner.

    python scripts/tryon_examples.py [-o docs/images/tryon_examples.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from fitroom.garments import ingest_garment
from fitroom.garments.recolour import recolour_garment
from fitroom.garments.synth import synth_garment
from fitroom.tryon import TryOn

#: (kind, seed, pattern, recolour RGB or None) of the three drawn garments shown.
EXAMPLES: tuple[tuple[str, int, str, tuple[int, int, int] | None], ...] = (
    ("shirt", 3, "checks", None),
    ("t-shirt", 1, "stripes", None),
    ("t-shirt", 2, "dots", (40, 110, 180)),
)
TILE = 384


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    repo = Path(__file__).resolve().parent.parent
    parser.add_argument("-o", "--output", default=str(repo / "docs/images/tryon_examples.png"))
    args = parser.parse_args()
    photo = np.ascontiguousarray(data.astronaut())
    tiles = [photo]
    with TryOn() as tryon:
        for kind, seed, pattern, colour in EXAMPLES:
            drawn = synth_garment(kind, seed=seed, pattern=pattern)
            garment = ingest_garment(drawn.image)
            product = drawn.image
            if colour is not None:
                garment = recolour_garment(garment, colour)
                shown = garment.cutout[..., 3:].astype(np.float32) / 255.0
                product = (garment.rgb * shown + drawn.image * (1.0 - shown)).astype(np.uint8)
            result = tryon.render(photo, [garment])
            out = result.image.copy()
            thumb = cv2.resize(product, (96, 128), interpolation=cv2.INTER_AREA)
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
