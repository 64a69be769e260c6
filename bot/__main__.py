"""`python -m bot` is the `dramabot` command."""

import sys

from .cli import main

sys.exit(main())
