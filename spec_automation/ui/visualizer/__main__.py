"""``python -m spec_automation.ui.visualizer PROJECT_DIR [--sample] [--theme dark|light]``."""

from __future__ import annotations

import sys

from spec_automation.ui.visualizer.standalone import main

if __name__ == "__main__":
    sys.exit(main())
