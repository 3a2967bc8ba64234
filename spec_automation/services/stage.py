"""The implementation stage: the developer's files into the code folder, and the Dev-QA loop.

Every phase goes through the agents' runner as usual. Two kinds get more:

* an ``implementation`` phase's reply carries code files besides its manifest: they are
  written to the code folder, never over a file you edited (those are named in the manifest);
* a ``quality`` phase runs the project's quality gates on the code folder. When one fails and
  a repair round is left, the developer (the implementation phase upstream) is given the
  findings, its fixed files are written, and the gates run again. Every round is recorded
  with the workflow run; the phase writes the report of the last round, and fails when a gate
  still fails after the last round.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from spec_automation.agents.runner import AgentPhaseRunner, writes_code
from spec_automation.core.fan_out import FanOutItem
from spec_automation.core.ports import PhaseError, PhaseOutput, PhaseRequest, ProgressCallback
from spec_automation.core.quality import Finding
from spec_automation.core.spec import PhaseSpec
from spec_automation.llm.offline import OfflineProvider
from spec_automation.llm.provider import Provider
from spec_automation.services.code_folder import CodeFolder, CodeWrite
from spec_automation.services.quality import Quality, QualityRunReport

__all__ = ["DEFAULT_REPAIR_ROUNDS", "StageRunner", "quality_report"]

#: Repair rounds the developer gets when a gate fails (then the phase fails).
DEFAULT_REPAIR_ROUNDS = 1
#: Findings listed per gate in the report (all of them are recorded).
_SHOWN_FINDINGS = 20


class StageRunner(AgentPhaseRunner):
    """The agents' runner, with the code folder and the quality gates of one project."""

    def __init__(
        self,
        provider: Provider | OfflineProvider,
        *,
        code: CodeFolder,
        quality: Callable[[], Quality],
        repair_rounds: int = DEFAULT_REPAIR_ROUNDS,
        **options: Any,
    ) -> None:
        """``options`` are the agents' runner's (cache, constitution, spec, ...)."""
        super().__init__(provider, **options)
        self.code = code
        self._quality = quality
        self.repair_rounds = repair_rounds
        #: (run, phase) → code file → the part of a fanned-out phase that wrote it, and the
        #: parts whose files are written.
        self._parts: dict[tuple[int, str], dict[str, FanOutItem]] = {}
        self._finished: dict[tuple[int, str], set[int]] = {}

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        """Run the phase; write an implementation's files; check the code for a quality
        phase."""
        if request.phase.phase_type == "quality":
            return await self._gates(request, progress)
        output = await super().run(request, progress)
        if not writes_code(request.phase):
            return output
        return await self._written(request.phase, output, progress, request)

    async def _written(
        self,
        phase: PhaseSpec,
        output: PhaseOutput,
        progress: ProgressCallback,
        request: PhaseRequest | None = None,
    ) -> PhaseOutput:
        files, shared = self._own_files(request, output.files)
        result = await asyncio.to_thread(self.code.write, files)
        progress(0, _wrote(result))
        first = phase.produces[0]
        artifacts = dict(output.artifacts)
        manifest = _with_shared(_with_kept(artifacts[first], result), shared)
        whole = self._whole_pass(request, files)
        if whole is not None:
            removed = await asyncio.to_thread(self.code.remove_stale, whole)
            manifest = _with_removed(manifest, removed)
        artifacts[first] = manifest
        return dataclasses.replace(output, artifacts=artifacts, files={})

    def _whole_pass(
        self, request: PhaseRequest | None, files: Mapping[str, str]
    ) -> set[str] | None:
        """Every file the developer writes now, once its whole pass is written (one call,
        or the last part of a phase written one epic at a time), when it is the spec's one
        implementation phase (so the files the app wrote before are its own); else None (a
        repair's files, or a part before the last)."""
        if request is None:
            return None  # a repair writes only the files it fixes
        written = set(files)
        if request.item is not None:
            key = (request.run_id, request.phase.name)
            finished = self._finished.setdefault(key, set())
            finished.add(request.item.index)
            if len(finished) < request.item.count:
                return None
            del self._finished[key]
            written = set(self._parts.pop(key, {}))
        if self.spec is not None:
            writers = [p for p in self.spec.phases.values() if p.phase_type == "implementation"]
            if len(writers) != 1:
                return None
        return written

    def _own_files(
        self, request: PhaseRequest | None, files: Mapping[str, str]
    ) -> tuple[dict[str, str], list[tuple[str, FanOutItem, FanOutItem]]]:
        """The files one part of a fanned-out phase may write, and (file, earlier part, later
        part) for each file another part writes too: the earlier part's version is the one
        kept, whichever call ends first."""
        item = request.item if request is not None else None
        if request is None or item is None:
            return dict(files), []
        owners = self._parts.setdefault((request.run_id, request.phase.name), {})
        mine: dict[str, str] = {}
        shared: list[tuple[str, FanOutItem, FanOutItem]] = []
        for path, text in files.items():
            owner = owners.get(path)
            if owner is not None and owner.index != item.index:
                earlier, later = sorted((owner, item), key=lambda part: part.index)
                shared.append((path, earlier, later))
                if owner.index < item.index:
                    continue
            owners[path] = item
            mine[path] = text
        return mine, shared

    async def _gates(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        quality = self._quality()
        phase = request.phase
        rounds: list[QualityRunReport] = []
        for number in range(1, self.repair_rounds + 2):
            progress(0, f"round {number}: running the quality gates")
            report = await quality.run(
                run_id=request.run_id or None,
                round=number,
                phase=phase.name,
                on_progress=lambda gate, state: progress(0, f"{gate}: {state}"),
            )
            rounds.append(report)
            if _checked(report) or number > self.repair_rounds:
                break
            developer = self._developer(phase)
            if developer is None:
                break  # nothing upstream writes the code: nobody to repair it
            progress(0, f"round {number}: {len(report.problems)} problems to the developer")
            fix = await super().run(
                dataclasses.replace(
                    request,
                    phase=developer,
                    inputs=self._inputs_of(developer, request.inputs),
                    feedback=_findings_note(report),
                    item=None,
                ),
                progress,
            )
            if fix.files:
                await self._written(developer, fix, progress)
        last = rounds[-1]
        body = quality_report(rounds)
        missing = [g for g in last.gates if g.status == "missing"]
        if missing and len(missing) == len(last.gates):
            raise PhaseError(
                "the code was not checked: no quality gate's tool is installed. "
                + missing[0].message
                + " The app looks in the code folder's .venv, on PATH and beside its own "
                "Python."
            )
        if not _checked(last):
            failed = [g for g in last.gates if g.status not in ("passed", "missing")]
            raise PhaseError(
                f"{len(failed)} quality gate{'s' if len(failed) != 1 else ''} still failing "
                f"after {len(rounds)} round{'s' if len(rounds) != 1 else ''}: "
                + "; ".join(
                    f"{g.name} {g.status} ({g.message or _counted(g.counts)})" for g in failed
                )
            )
        return PhaseOutput(
            artifacts={phase.produces[0]: body},
            provider="quality gates",
            model=", ".join(g.name for g in last.gates if g.status != "missing"),
            notes=tuple(f"not checked by {g.name}: {g.message}" for g in missing),
        )

    def _developer(self, phase: PhaseSpec) -> PhaseSpec | None:
        """The implementation phase upstream of ``phase`` that writes the code."""
        if self.spec is None:
            return None
        for name in self.order_of_upstream(phase.name):
            candidate = self.spec.phases[name]
            if candidate.phase_type == "implementation":
                return candidate
        return None

    def _inputs_of(self, developer: PhaseSpec, available: Mapping[str, str]) -> Mapping[str, str]:
        """What the developer reads, from what the quality phase was given (``reads: all``
        gives it everything upstream): the repair sees the specification it wrote from."""
        if self.spec is None or developer.reads_all_upstream:
            return available
        wanted = set(self.spec.direct_inputs(developer.name)) | set(developer.reads)
        return MappingProxyType({n: c for n, c in available.items() if n in wanted})

    def order_of_upstream(self, name: str) -> list[str]:
        """The phases upstream of ``name``, nearest first."""
        assert self.spec is not None
        seen: list[str] = []
        frontier = list(self.spec.phases[name].depends_on)
        while frontier:
            current = frontier.pop(0)
            if current not in seen:
                seen.append(current)
                frontier.extend(self.spec.phases[current].depends_on)
        return seen


def _checked(report: QualityRunReport) -> bool:
    """Whether every gate that could run passed: a gate whose tool is not installed is not
    the code's fault, so the developer is not sent back for it (the report says it)."""
    return all(g.status in ("passed", "missing") for g in report.gates)


def quality_report(rounds: Sequence[QualityRunReport]) -> str:
    """quality-report.md: the last round's gates, their findings, and what each round did."""
    last = rounds[-1]
    missing = [g for g in last.gates if g.status == "missing"]
    ran = len(last.gates) - len(missing)
    outcome = (
        "every gate passed."
        if last.passed
        else "every gate that ran passed."
        if _checked(last)
        else "some gates still fail."
    )
    lines = [
        "# Quality report",
        f"The code in `{last.code_dir}` checked by {ran} gate{'s' if ran != 1 else ''} in "
        f"{len(rounds)} round{'s' if len(rounds) != 1 else ''}: {outcome}",
        "## Gates",
        "| Gate | Status | Time | Counts |\n|---|---|---|---|",
    ]
    lines[-1] += "".join(
        f"\n| {g.name} | {g.status} | {g.duration_s:.1f} s | {_counted(g.counts) or '—'} |"
        for g in last.gates
    )
    if missing:
        lines[1] += (
            " Not checked by "
            + ", ".join(g.name for g in missing)
            + ": "
            + " ".join(g.message for g in missing)
        )
    lines.append("## Findings")
    shown = []
    for gate in last.gates:
        problems = gate.problems
        for finding in problems[:_SHOWN_FINDINGS]:
            shown.append(f"- {gate.name}: {_where(finding)}: {finding.rule} {finding.message}")
        if len(problems) > _SHOWN_FINDINGS:
            shown.append(
                f"- {gate.name}: {len(problems) - _SHOWN_FINDINGS} more (see `gates show`)"
            )
    lines.append("\n".join(shown) or "- None: nothing to fix.")
    lines.append("## Rounds")
    lines.append(
        "\n".join(
            f"- Round {r.round}: {r.status} in {r.wall_s:.1f} s "
            f"({sum(1 for g in r.gates if g.status == 'passed')} of {len(r.gates)} gates passed)"
            for r in rounds
        )
    )
    return "\n\n".join(lines) + "\n"


def _findings_note(report: QualityRunReport) -> str:
    failing = [g for g in report.gates if g.status != "passed"]
    lines = [
        "The quality gates failed on the code you wrote. Fix these and write every file you "
        "change again in full (<<<FILE code/PATH>>> blocks), with the manifest:"
    ]
    for gate in failing:
        lines.append(f"{gate.name} ({gate.status}): {gate.message}".rstrip(": "))
        for finding in gate.problems[:_SHOWN_FINDINGS]:
            lines.append(f"- {_where(finding)}: {finding.rule} {finding.message}".rstrip())
    return "\n".join(lines)


def _where(finding: Finding) -> str:
    line = f":{finding.line}" if finding.line else ""
    return f"{finding.file or '(no file)'}{line}"


def _counted(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in counts.items() if n)


def _wrote(result: CodeWrite) -> str:
    parts = [f"wrote {len(result.written)} code files"]
    if result.unchanged:
        parts.append(f"{len(result.unchanged)} already so")
    if result.kept:
        parts.append(f"kept {len(result.kept)} you edited")
    return ", ".join(parts)


def _with_shared(manifest: str, shared: Sequence[tuple[str, FanOutItem, FanOutItem]]) -> str:
    if not shared:
        return manifest
    listed = "\n".join(
        f"- `{path}`: written by {earlier.heading} and {later.heading}; "
        f"{earlier.heading}'s version is kept"
        for path, earlier, later in shared
    )
    return (
        f"{manifest.rstrip()}\n\n## Written by two parts\n\n"
        "Where two parts wrote one file, the earlier part's version is the one kept:"
        f"\n\n{listed}\n"
    )


def _with_removed(manifest: str, removed: Sequence[str]) -> str:
    if not removed:
        return manifest
    listed = "\n".join(f"- `{path}`" for path in removed)
    return (
        f"{manifest.rstrip()}\n\n## Removed\n\n"
        "The app wrote these files before and writes them no more; they were as it wrote "
        f"them, so they were removed (the project's git history keeps them):\n\n{listed}\n"
    )


def _with_kept(manifest: str, result: CodeWrite) -> str:
    if not result.kept:
        return manifest
    listed = "\n".join(f"- `{path}`" for path in result.kept)
    return (
        f"{manifest.rstrip()}\n\n## Kept as you edited them\n\n"
        "These files differ from what the app last wrote there, so they were left as they "
        f"are; the developer's versions were not written:\n\n{listed}\n"
    )
