"""Mask what a clock measures in recorded ``--json`` outputs: durations, estimates made from
measured durations, and shares of time saved. Every other byte is kept as it was printed.

Usage: python mask.py OUTPUT_FILE TREE_PATH (TREE_PATH, where the outputs name it, is <tree>)
"""

import re
import sys
from pathlib import Path

_MEASURED = re.compile(r'("[a-z_]*(_s|_pct|approved)"\s*:\s*)-?[0-9.e-]+')
_ESTIMATES = re.compile(r'("(regenerate_all|high_impact_only|manual_review)"\s*:\s*)-?[0-9.e-]+')

text = Path(sys.argv[1]).read_text(encoding="utf-8")
text = _ESTIMATES.sub(r"\1<num>", _MEASURED.sub(r"\1<num>", text))
sys.stdout.write(text.replace(sys.argv[2], "<tree>"))
