"""The names of the project's own texts beside its artifacts: the brief, the constitution and
the documents imported into ``inputs/``. The store versions them under these names, staleness
keys a phase's ``made_from`` by them, and the folder holds them under them."""

from __future__ import annotations

__all__ = ["BRIEF", "CONSTITUTION", "INPUTS_PREFIX"]

BRIEF = "brief.md"
CONSTITUTION = "constitution.md"
#: How the names of imported documents start, in the store as in the folder.
INPUTS_PREFIX = "inputs/"
