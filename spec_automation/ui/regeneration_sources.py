"""What a regeneration starts from: a recorded edit, or a sprint change proposal to apply.

Both take the regeneration flow's way (the impact dialog, the live run, the notification);
what differs is the service call the run makes (``service.regenerate`` of the change, or
``service.documents.apply_proposal``, which writes the proposal's edits and then regenerates)
and the words. A proposal is reviewed on the service's ``preview_proposal``: the combined
impact of its edits, one changed section per edit; its words say what the dialog shows ("The
change proposal … edits prd.md, …"), what its buttons do, and what the app says when nothing
is applied.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import PurePosixPath
from typing import Any

from spec_automation.services import (
    ImpactReport,
    ProjectService,
    RegenerationReport,
    RunOptions,
)
from spec_automation.services.proposals import EditPlan, ProposalPreview
from spec_automation.ui.impact_dialog import DialogWords, ImpactChoice

__all__ = [
    "Regeneration",
    "StartRegeneration",
    "applied_already",
    "edit_regeneration",
    "listed",
    "not_applied",
    "proposal_regeneration",
    "proposal_words",
]

#: Starts the service's regeneration once the user has chosen: given the choice, the run
#: options and the event sink (None: no live view), the service's coroutine.
StartRegeneration = Callable[
    [ImpactChoice, RunOptions, Any], Coroutine[Any, Any, RegenerationReport]
]


@dataclass(frozen=True, slots=True)
class Regeneration:
    """What the flow runs once the user has chosen, and how it speaks of it."""

    start: StartRegeneration
    cause: str  # what the run comes after: "your change to prd.md"
    ignored: str  # said when the user chose Ignore
    what: str = "This regeneration"  # what the question about the user's edits names
    declined: str = "Nothing was regenerated: your edits are untouched."
    failure: str = "Could not regenerate"
    later: str = (  # how to go on when a run was going
        "regenerate when it has finished (Run ▸ Impact of the latest change)."
    )


def edit_regeneration(service: ProjectService, report: ImpactReport) -> Regeneration:
    """Regenerating after a recorded edit: ``service.regenerate`` of its change."""
    change_id = report.change.id

    def start(
        choice: ImpactChoice, options: RunOptions, sink: Any
    ) -> Coroutine[Any, Any, RegenerationReport]:
        return service.regenerate(
            change_id,
            choice.strategy,
            artifacts=choice.manual_pick,
            confirm=choice.confirm,
            on_event=sink,
            options=options,
        )

    trigger = report.trigger_artifact
    return Regeneration(
        start,
        cause=f"your change to {trigger}",
        ignored=(
            f"Ignored the change to {trigger}: nothing was regenerated (the affected artifacts "
            "stay marked stale)."
        ),
    )


def proposal_regeneration(
    service: ProjectService, name: str, targets: Sequence[str]
) -> Regeneration:
    """Applying the imported change proposal ``name`` (which edits ``targets``):
    ``service.documents.apply_proposal``, which writes the edits, then regenerates."""

    def start(
        choice: ImpactChoice, options: RunOptions, sink: Any
    ) -> Coroutine[Any, Any, RegenerationReport]:
        return service.documents.apply_proposal(
            name,
            choice.strategy,
            artifacts=choice.manual_pick,
            confirm=choice.confirm,
            on_event=sink,
            options=options,
        )

    return Regeneration(
        start,
        cause=f"applying the change proposal {name}",
        ignored=(
            f"Applied the change proposal {name}: its edits are written into "
            f"{listed(targets)}; nothing was regenerated (what they affect stays "
            "marked stale)."
        ),
        what="Applying the proposal",
        declined="Nothing was applied: the proposal's edits are not written, and your edits "
        "are untouched.",
        failure=f"Could not apply the change proposal {name}",
        later="apply the proposal when it has finished (Review and apply… in its inspector).",
    )


def listed(names: Sequence[str]) -> str:
    """Names as a sentence lists them: "a", "a and b", "a, b and c"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def _name(preview: ProposalPreview) -> str:
    return PurePosixPath(preview.document).name


def proposal_words(preview: ProposalPreview) -> DialogWords:
    """The impact dialog's words for applying ``preview``'s proposal."""
    name = _name(preview)
    return DialogWords(
        window_title=f"Apply the change proposal {name}",
        title=(
            f"The change proposal <b>{escape(name)}</b> edits {escape(listed(preview.targets))}"
        ),
        cancel_note=(
            "Cancel writes nothing: the proposal stays imported, to apply later (Review and "
            "apply… in its inspector)."
        ),
        action="A&pply and regenerate",
        ignore_action="A&pply the edits only",
        ignore_what="write the edits, regenerate nothing; what they affect stays stale",
        ignore_leaves=(
            "Applying only the edits leaves them as they are, out of date with the proposal."
        ),
        ignore_kept="The edits are written as your versions either way.",
        note=not_applied(preview.edits),
        parts=("section", "edited"),
    )


def not_applied(edits: Sequence[EditPlan]) -> str:
    """A sentence on the proposal's edits that are not applied ('' when every one is)."""
    skipped = [
        f"edit {number} ({plan.target or 'no artifact'}, line {plan.line}): {plan.reason}"
        for number, plan in enumerate(edits, start=1)
        if not plan.applies
    ]
    if not skipped:
        return ""
    return "Left out: " + "; ".join(skipped) + "."


def applied_already(preview: ProposalPreview) -> str:
    """What the app says when every edit of the proposal is in its artifact already."""
    targets = listed(list(dict.fromkeys(plan.target for plan in preview.edits if plan.target)))
    return (
        f"The change proposal {preview.document} is applied already: its edits are in "
        f"{targets}; there is nothing left to apply."
    )
