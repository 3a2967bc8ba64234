"""What the Run view says and asks before a run starts: which phases will run and why, and
what to do with artifacts carrying the user's edits that the run would rewrite."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable, Sequence

from spec_automation.services import ProjectService, RunPreview
from spec_automation.ui.dialogs import Prompter, ask_later
from spec_automation.ui.edits_dialog import KEEP, OVERWRITE, edits_to_decide

__all__ = ["EditsPrompt", "RunDeclined", "ask_with_dialog", "decide_with", "describe_preview"]

#: Asks what to do with these artifacts' edits: ``"keep"``, ``"overwrite"`` or ``None``
#: (cancel: nothing runs). Given the project, the artifacts and what would rewrite them.
EditsPrompt = Callable[[ProjectService, Sequence[str], str], Awaitable[str | None]]

_SHOWN = 6  # phases named in the banner before "and N more"


class RunDeclined(Exception):
    """The user chose not to run (the message says so)."""


def describe_preview(preview: RunPreview) -> str:
    """The banner's line: how many phases run, which and why."""
    count = len(preview.phases)
    items = [
        f"{html.escape(phase)} ({html.escape(why)})"
        for phase, why in list(preview.phases.items())[:_SHOWN]
    ]
    more = count - len(items)
    listed = "; ".join(items) + (f"; and {more} more" if more > 0 else "")
    noun = "phase" if count == 1 else "phases"
    return f"<b>Running {count} {noun}</b>: {listed}."


def decide_with(prompter: Prompter, parent: object = None) -> EditsPrompt:
    """An :data:`EditsPrompt` asking through ``prompter`` (the window's, in the app)."""

    async def decide(
        service: ProjectService, artifacts: Sequence[str], what: str
    ) -> str | None:
        edits = await asyncio.to_thread(edits_to_decide, service, artifacts)
        answer = await ask_later(lambda: prompter.decide_edits(parent, edits, what))  # type: ignore[arg-type]
        return {KEEP: "keep", OVERWRITE: "overwrite"}.get(answer)

    return decide


ask_with_dialog: EditsPrompt = decide_with(Prompter())
