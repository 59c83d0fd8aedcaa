"""Dressing: the steps that put garments on a person in a picture, shared by photo and live.

The modules are the steps, in the order :func:`dress` (in :mod:`~fitroom.dressing.core`) runs
them: ``person_checks`` (anchors and checks) → ``fit`` (garments laid on the body; sleeves on the
arms in :mod:`fitroom.fitting.sleeves`) → ``old_garment`` (what the person wears, analysed once)
→ ``waistband`` (tucking in) → ``limbs`` → ``render``: ``old_garment_removal`` (where the old
garment is removed) with ``skin`` and ``background``, ``shading``, ``composite``.

>>> from fitroom.dressing import DressOptions, PreparedGarments, dress  # doctest: +SKIP
>>> cache = PreparedGarments()  # doctest: +SKIP
>>> dressed = dress(image, pose, parts, mask, [garment], DressOptions(), cache)  # doctest: +SKIP
"""

from fitroom.dressing.core import REGULAR_EASE, Dressed, DressingStream, DressOptions, dress
from fitroom.dressing.fit import PreparedGarments, fit_garment, layering_order
from fitroom.dressing.limbs import Limb, Limbs
from fitroom.dressing.old_garment import OldGarment, analyse_old_garment
from fitroom.dressing.person_checks import (
    check_garment,
    check_person,
    check_pose_outline,
    outline_over_shoulders,
)
from fitroom.dressing.render import render_fitted

__all__ = [
    "REGULAR_EASE",
    "DressOptions",
    "Dressed",
    "DressingStream",
    "Limb",
    "Limbs",
    "OldGarment",
    "PreparedGarments",
    "analyse_old_garment",
    "check_garment",
    "check_person",
    "check_pose_outline",
    "dress",
    "fit_garment",
    "layering_order",
    "outline_over_shoulders",
    "render_fitted",
]
