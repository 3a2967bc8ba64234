"""``python -m spec_automation``."""

import sys

from spec_automation.cli import main

sys.exit(main())
