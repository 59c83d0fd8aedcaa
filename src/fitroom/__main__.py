"""``python -m fitroom`` runs the command line."""

import sys

from fitroom.cli import main

sys.exit(main())
