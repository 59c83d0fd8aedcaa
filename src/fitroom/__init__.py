"""fitroom: a self-hosted virtual fitting room that runs in real time on a plain CPU.

Stages: :mod:`fitroom.imaging` (images in), :mod:`fitroom.vision` (perception),
:mod:`fitroom.garments` (garment ingestion); :mod:`fitroom.errors` holds the one error tree.
"""

__version__ = "0.1.0"
