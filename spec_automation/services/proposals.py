"""Applying a sprint change proposal: its edits written into the artifacts they name, and what
they affect regenerated, on the user's choice.

``preview_proposal`` maps each proposed edit to its artifact and shows the combined impact of
all of them, as the impact of a hand edit is shown (nothing is written). ``apply_proposal``
writes each applicable edit as a user version of its artifact (kept as the artifact: nothing
rewrites it), then regenerates what the edits affect as the chosen strategy says, in one
regeneration recorded against the proposal. A choice that would be refused is refused before
any edit is written.

An edit is a request in words, so it is written as a change note in the section it names
(:mod:`spec_automation.core.documents.applying`); a model provider rewrites the dependents
from the edited artifacts, the offline provider carries the notes on.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from spec_automation.core.changes import ChangedBy, ChangeDetector, ImpactLevel
from spec_automation.core.documents import DocumentType, ProposedEdit, process
from spec_automation.core.documents.applying import apply_edits
from spec_automation.core.events import EventSink
from spec_automation.core.impact import ImpactAnalysis, ImpactAnalyzer, Strategy
from spec_automation.core.regeneration import RegenerationError, RegenerationPlanner, parse_strategy
from spec_automation.services.artifacts import file_text, scan, user_edited
from spec_automation.services.context import ProjectState
from spec_automation.services.documents import Documents
from spec_automation.services.errors import EditsAtRisk, ProjectError
from spec_automation.services.freshness import inputs_now
from spec_automation.services.impact import impact_report
from spec_automation.services.options import RunOptions
from spec_automation.services.regeneration import Trigger, regenerate_after
from spec_automation.services.reports import (
    ChangeInfo,
    ImpactReport,
    RegenerationReport,
    SectionChangeInfo,
)
from spec_automation.services.runs import PhaseRunnerFactory
from spec_automation.store.errors import StoreError
from spec_automation.workspace import RunLockedError, run_lock

__all__ = ["EditPlan", "ProposalPreview", "apply_proposal", "preview_proposal"]

_LEVELS = (ImpactLevel.LOW, ImpactLevel.MEDIUM, ImpactLevel.HIGH)


@dataclass(frozen=True, slots=True)
class EditPlan:
    """One proposed edit and what applying it does."""

    target: str  # the artifact it names ("" when it names none)
    section: str  # the section it names ("" when none)
    change: str
    line: int  # in the proposal
    applies: bool
    lands_in: str  # the section of the artifact its note is written in ("" when not applied)
    reason: str  # why it is not applied, as a sentence ("" when it is)


@dataclass(frozen=True, slots=True)
class ProposalPreview:
    """A sprint change proposal mapped onto the project: each edit, and the combined impact.

    ``impact.change`` describes the proposal's edits as one change (id 0: not recorded yet),
    one section per edit, as ``prd.md › Functional requirements``.
    """

    document: str  # inputs/NAME
    edits: tuple[EditPlan, ...]
    targets: tuple[str, ...]  # the artifacts the applicable edits change
    impact: ImpactReport


@dataclass(frozen=True, slots=True)
class _Prepared:
    preview: ProposalPreview
    analysis: ImpactAnalysis
    texts: dict[str, str]  # target -> its text with the edits written in


def preview_proposal(project: ProjectState, name: str) -> ProposalPreview:
    """What applying the proposal ``name`` (as imported) would change and affect."""
    return _prepare(project, name).preview


async def apply_proposal(
    project: ProjectState,
    name: str,
    strategy: Strategy | str,
    artifacts: Sequence[str] = (),
    *,
    confirm: bool = False,
    on_event: EventSink | None = None,
    options: RunOptions,
    phase_runner: PhaseRunnerFactory,
) -> RegenerationReport:
    """Write the proposal's edits as user versions, then regenerate what they affect."""

    targets: list[str] = []

    async def written() -> Trigger:
        await asyncio.to_thread(scan, project)
        prepared = await asyncio.to_thread(_prepare, project, name)
        if not prepared.texts:
            raise ProjectError(
                f"every edit of {prepared.preview.document} is applied already; nothing to do"
            )
        await asyncio.to_thread(
            _refuse_before_writing, project, prepared, strategy, artifacts, confirm, options
        )
        changes = await asyncio.to_thread(_write, project, prepared)
        preview = prepared.preview
        targets.extend(preview.targets)
        return Trigger(
            changes[0].id if changes else None,
            preview.impact,
            prepared.analysis,
            f"the change proposal {preview.document} (edits to {', '.join(preview.targets)})",
            written=preview.targets,
        )

    report = await regenerate_after(
        project,
        written,
        strategy,
        artifacts,
        confirm=confirm,
        on_event=on_event,
        options=options,
        phase_runner=phase_runner,
    )
    # An edited artifact downstream of another (epics.md after prd.md) was kept as made from
    # what came before the regeneration; the proposal is one change, so it is kept as made
    # from what its phase reads now.
    try:
        with run_lock(project.paths.lock):
            await asyncio.to_thread(_keep, project, targets)
    except RunLockedError:
        pass  # another run started: it judges the edited artifacts as it finds them
    return report


def _prepare(project: ProjectState, name: str) -> _Prepared:
    documents = Documents(project)
    detail = documents.show(name)
    document = detail.document
    if document.type != DocumentType.SPRINT_CHANGE_PROPOSAL:
        raise ProjectError(
            f"{document.path} is a {DocumentType(document.type).label}, not a sprint change "
            "proposal: only a proposal's edits can be applied"
        )
    edits = process(documents.text(document.name), DocumentType.SPRINT_CHANGE_PROPOSAL)
    by_target: dict[str, list[ProposedEdit]] = {}
    reasons: dict[str, str] = {}
    for edit in edits.extraction.proposed_edits:
        reason = _unusable(project, edit.target)
        if reason:
            reasons[edit.target] = reason
        else:
            by_target.setdefault(edit.target, []).append(edit)
    if not by_target:
        said = "; ".join(f"{t or 'an edit'}: {r}" for t, r in reasons.items()) or "it has none"
        raise ProjectError(
            f"none of the edits of {document.path} can be applied to this project ({said})"
        )
    detector = ChangeDetector(clock=project.clock)
    texts: dict[str, str] = {}
    landed: dict[tuple[str, int], str] = {}
    sections: list[SectionChangeInfo] = []
    levels: list[ImpactLevel] = []
    for target, edits_of in by_target.items():
        old = file_text(project.paths, project.paths.artifact(target)) or ""
        new, applied = apply_edits(old, edits_of, document.path)
        for item in applied:
            landed[(target, item.edit.line)] = item.section
        change = detector.detect(old, new, changed_by=ChangedBy.USER)
        if change is None:  # every note is there already: applied before
            continue
        texts[target] = new
        levels.append(change.impact_level)
        sections += [
            SectionChangeInfo(f"{target} › {s.name}", s.kind.value, s.old_text, s.new_text)
            for s in change.sections
        ]
    plans = tuple(
        EditPlan(
            target=edit.target,
            section=edit.section,
            change=edit.change,
            line=edit.line,
            applies=edit.target in texts,
            lands_in=landed.get((edit.target, edit.line), "") if edit.target in texts else "",
            reason=reasons.get(edit.target, "")
            or ("" if edit.target in texts else f"already applied: its note is in {edit.target}"),
        )
        for edit in edits.extraction.proposed_edits
    )
    targets = tuple(t for t in project.spec.artifacts if t in texts)
    level = max(levels, key=_LEVELS.index, default=ImpactLevel.LOW)
    analyzer = ImpactAnalyzer.for_graph(project.graph, {document.path: targets})
    measured = project.regenerations.measured_durations(list(project.spec.phases))
    analysis = analyzer.analyze(
        document.path,
        level,
        user_edited=user_edited(project, project.spec.artifacts),
        measured_s=measured,
        changed=targets,
    )
    summary = ChangeInfo(
        id=0,
        artifact=document.path,
        detected_at=project.clock.now(),
        changed_by=ChangedBy.USER.value,
        impact_level=level.value,
        cosmetic=False,
        sections=tuple(sections),
        old_hash=None,
        new_hash=document.content_hash,
        old_version_id=None,
        new_version_id=0,
    )
    preview = ProposalPreview(
        document=document.path,
        edits=plans,
        targets=targets,
        impact=impact_report(summary, analysis, analyzer, measured),
    )
    return _Prepared(preview, analysis, texts)


def _unusable(project: ProjectState, target: str) -> str:
    """Why an edit of ``target`` cannot be applied ('' when it can)."""
    if not target:
        return "not applied: it names no artifact"
    if target not in project.spec.artifacts:
        return f"not applied: this project's spec has no artifact {target}"
    if file_text(project.paths, project.paths.artifact(target)) is None:
        return f"not applied: {target} has not been generated yet (or cannot be read as text)"
    return ""


def _refuse_before_writing(
    project: ProjectState,
    prepared: _Prepared,
    strategy: Strategy | str,
    artifacts: Sequence[str],
    confirm: bool,
    options: RunOptions,
) -> None:
    """Refuse, with nothing written, a choice the regeneration would refuse after the edits."""
    try:
        plan = RegenerationPlanner(project.graph).plan(
            prepared.analysis, parse_strategy(strategy), artifacts, confirm=confirm
        )
    except (ValueError, RegenerationError) as exc:
        raise ProjectError(str(exc)) from None
    if plan.user_edits_replaced and options.edits == "ask":
        raise EditsAtRisk(plan.user_edits_replaced, what="applying the proposal")


def _write(project: ProjectState, prepared: _Prepared) -> list[ChangeInfo]:
    """Each edited artifact as a user version, kept as the artifact (made from what its
    phase reads now, so it is not stale and no run rewrites it)."""
    changes = []
    for target in prepared.preview.targets:
        phase = project.spec.producer_of(target).name
        path = project.paths.artifact(target)
        try:
            _, change = project.history.record(
                target,
                prepared.texts[target],
                changed_by=ChangedBy.USER,
                phase=phase,
                write=functools.partial(project.paths.write_text, path),
            )
        except StoreError as exc:
            raise ProjectError(str(exc)) from None
        except OSError as exc:
            raise ProjectError(f"cannot write {path}: {exc.strerror or exc}") from None
        if change is not None:
            changes.append(change)
        project.history.keep({target: inputs_now(project, phase)})
    return changes


def _keep(project: ProjectState, targets: Sequence[str]) -> None:
    """Keep each artifact the proposal edited, if it still holds that edit, as made from
    what its phase reads now."""
    kept = {}
    for name in targets:
        latest = project.history.latest(name)
        if latest is not None and latest.kind == "user_edit":
            kept[name] = inputs_now(project, project.spec.producer_of(name).name)
    project.history.keep(kept)
