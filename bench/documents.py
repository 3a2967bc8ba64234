"""Document parsing: how fast a big imported document is detected, validated and extracted.

Prints, for a ~1 MB PRD made by repeating the sample PRD's functional requirements with unique
identifiers, the time to detect its type, validate it and extract its records (target <= 200
ms; best of 5, each run on a fresh document so no cached reading helps), and that time as a
share of the target.

Run: .venv/bin/python bench/documents.py
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spec_automation.core.documents import DocumentType, detect_type, process
from spec_automation.resources import resource_path

TARGET_S = 0.200
SIZE = 1_000_000
RUNS = 5


def big_prd(run: int) -> tuple[str, int]:
    """A ~1 MB PRD: the sample's head, then its requirements repeated with new identifiers.

    ``run`` goes into the title, so each run parses a document of its own.
    """
    sample = resource_path("samples", "clinic-scheduling", "documents", "prd.md")
    text = sample.read_text(encoding="utf-8")
    head, rest = text.split("### Rota building\n", 1)
    requirements, tail = rest.split("## 6. Non-functional requirements", 1)
    items = [f"- {item}" for item in re.split(r"^- ", requirements, flags=re.M)[1:]]
    parts = [head.replace("# ShiftCare", f"# ShiftCare (run {run})", 1)]
    size, count = len(parts[0]) + len(tail), 0
    while size < SIZE:
        parts.append(f"### Area {count // len(items) + 1}\n\n")
        for item in items:
            count += 1
            numbered = re.sub(r"FR-\d+", f"FR-{count}", item, count=1)
            parts.append(numbered)
            size += len(numbered)
    parts.append("## 6. Non-functional requirements" + tail)
    return "".join(parts), count


def measure() -> None:
    """Time detection + validation + extraction and print it against the target."""
    timings = []
    for run in range(RUNS):
        text, count = big_prd(run)
        start = time.perf_counter()
        detection = detect_type(text)
        processed = process(text, DocumentType.PRD)
        timings.append(time.perf_counter() - start)
        assert detection.type is DocumentType.PRD, detection.reasons
        assert not processed.errors, processed.errors[:3]
        assert len(processed.extraction.requirements) == count + 5  # and the five NFRs
    best = min(timings)
    print(
        f"document parsing: {len(text) / 1e6:.2f} MB PRD, {count} requirements: detection + "
        f"validation + extraction {best * 1000:.1f} ms (target <= {TARGET_S * 1000:.0f} ms; "
        f"{best / TARGET_S:.2f} of the target)"
    )


if __name__ == "__main__":
    measure()
