"""One run of a workflow: the scheduling state machine behind ``OrchestratorEngine.run``.

A phase starts the moment its own dependencies have succeeded and any gate on them is
approved; among ready phases the one with the longest remaining path starts first. Phases'
completions, failures, gates and finished waves are recorded through the run recorder on a
single store thread, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from spec_automation.core import events as ev
from spec_automation.core.acceptance import accept_output, same_bodies
from spec_automation.core.artifacts import content_hash
from spec_automation.core.copying import field_values
from spec_automation.core.fan_out import FanOutItem, item_source, merge_items, split_items
from spec_automation.core.ports import (
    GateDecision,
    GateRequest,
    GateStatus,
    PhaseCompletion,
    PhaseError,
    PhaseOutput,
    PhaseRequest,
    PhaseStatus,
    RunMode,
    RunStart,
    RunStatus,
    RunSummary,
    TokenUsage,
)
from spec_automation.core.ratelimit import RateLimiter
from spec_automation.core.run_types import RunResult, RunScope
from spec_automation.core.store_thread import StoreThread
from spec_automation.core.time_limit import TimeLimit
from spec_automation.core.wave_book import PhaseTiming, wave_record

if TYPE_CHECKING:
    from spec_automation.core.engine import OrchestratorEngine

_END_STATES = frozenset(
    {PhaseStatus.SUCCEEDED, PhaseStatus.FAILED, PhaseStatus.BLOCKED, PhaseStatus.SKIPPED}
)
# States a dependency may be in for its dependents to start.
_SATISFIED = frozenset({PhaseStatus.SUCCEEDED, PhaseStatus.SKIPPED})


@dataclass(slots=True)
class _FanOut:
    """A phase running as one call per item: its parts and how each call ended."""

    items: tuple[FanOutItem, ...]
    inputs: Mapping[str, str]
    started: float
    started_at: datetime
    outputs: dict[int, PhaseOutput] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    #: What each failed call was billed (a reply that failed validation, one cut off).
    spent: dict[int, tuple[TokenUsage, float]] = field(default_factory=dict)
    durations: dict[int, float] = field(default_factory=dict)
    tokens: dict[int, int] = field(default_factory=dict)  # streamed so far, per call

    @property
    def ended(self) -> bool:
        return len(self.outputs) + len(self.errors) == len(self.items)


class Execution:
    """The state of one run: kept apart from the graph, which never changes."""

    def __init__(
        self,
        engine: OrchestratorEngine,
        mode: RunMode,
        io: ThreadPoolExecutor,
        scope: RunScope | None = None,
    ) -> None:
        self.engine = engine
        self.scope = scope
        self.unchanged: set[str] = set()
        self.skipped: set[str] = set()
        self.graph = engine.graph
        self.mode = mode
        self.store = StoreThread(io)
        self.clock = engine.clock
        self.recorder = engine.recorder
        settings = engine.settings
        self.limit = 1 if mode == RunMode.SEQUENTIAL else settings.concurrency
        self.rate = (
            RateLimiter(settings.rate_limit_per_minute, monotonic=self.clock.monotonic)
            if settings.rate_limit_per_minute
            else None
        )
        names = self.graph.topological_order
        self.status: dict[str, PhaseStatus] = dict.fromkeys(names, PhaseStatus.PENDING)
        self.failed: dict[str, str] = {}
        self.blocked: dict[str, str] = {}
        self.gate_held: set[str] = set()  # succeeded phases whose gate is not yet approved
        self.contents: dict[str, str] = {}
        self.hashes: dict[str, str] = {}  # artifact -> content hash, kept with ``contents``
        self.versions: dict[str, int] = {}
        self.timing = PhaseTiming()
        self.committed: set[str] = set()
        self.usage = TokenUsage()
        self.cost = 0.0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.fan_outs: dict[str, _FanOut] = {}
        self.calls: deque[tuple[str, int]] = deque()  # queued calls of started fan-outs
        self.item_of: dict[asyncio.Task[Any], int] = {}
        self.wave_done: set[int] = set()
        self.run_id = 0
        self.t0 = 0.0
        self.earlier_wall = 0.0
        self.earlier_sequential = 0.0
        self.earlier_person_wait = 0.0
        self.person_wait = 0.0  # nothing ran while a gate waited for a person
        self.gate_waits: dict[str, float] = {}
        if mode == RunMode.SEQUENTIAL:
            topo = {name: i for i, name in enumerate(names)}
            self.priority: Callable[[str], tuple[float, ...]] = lambda n: (topo[n],)
        else:
            remaining = self.graph.remaining_path_s
            self.priority = lambda n: (-remaining[n], -self.graph.phase(n).priority)

    # --- the run -----------------------------------------------------------------------

    async def run(self, resume_run_id: int | None) -> RunResult:
        already_done = await self._begin(resume_run_id)
        self.t0 = self.clock.monotonic()
        self._emit(
            ev.RunStarted,
            mode=self.mode,
            phases=self.graph.topological_order,
            waves=self.graph.waves,
            already_done=tuple(sorted(already_done)),
            concurrency=self.limit,
        )
        tasks: dict[asyncio.Task[Any], tuple[str, str]] = {}
        try:
            for name in already_done:
                # A gate of a phase done earlier still holds what depends on it and runs now
                # (a resumed run, or a gate a regeneration re-opened).
                waiting = [d for d in self.graph.dependents(name) if d not in already_done]
                if self.graph.phase(name).approval_gates and waiting:
                    produced = self.graph.phase(name).produces
                    hashes = {a: self.hashes[a] for a in produced if a in self.hashes}
                    self._open_gates(name, hashes, tasks)
            ready = self._initial_ready()
            while True:
                # Calls of a phase already started come first: finishing it unblocks more.
                while (self.calls or ready) and self.in_flight < self.limit:
                    if self.calls:
                        self._start_item(*self.calls.popleft(), tasks)
                        continue
                    _, name = heapq.heappop(ready)
                    self._start_phase(name, tasks)
                if not tasks:
                    break
                idle_since = self.clock.monotonic() if self.in_flight == 0 else None
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                if idle_since is not None:  # only gates were pending: a person was awaited
                    self.person_wait += self.clock.monotonic() - idle_since
                for task in done:
                    kind, name = tasks.pop(task)
                    if kind == "phase":
                        self.in_flight -= 1
                        self._phase_ended(name, task, tasks)
                    elif kind == "item":
                        self.in_flight -= 1
                        self._item_ended(name, task, tasks)
                    elif kind == "merge":
                        self._phase_ended(name, task, tasks)
                    else:
                        self._gate_decided(name, task)
                    for newly_ready in self._newly_ready(name):
                        self._queue(newly_ready, ready)
                    self._record_finished_waves()
        except asyncio.CancelledError:
            await self._cancel(tasks)
            raise
        return await self._finish(RunStatus.COMPLETED)

    async def _begin(self, resume_run_id: int | None) -> frozenset[str]:
        now = self.clock.now()
        scope = self.scope
        # Phases outside a scope stand as they are: their artifacts are read, not redone.
        done = frozenset(self.status) - scope.phases if scope is not None else frozenset()
        if resume_run_id is None:
            options = self.engine.run_options
            start = RunStart(
                self.mode,
                self.graph.spec.name,
                tuple(n for n in self.graph.topological_order if n not in done),
                self.limit,
                now,
                purpose=scope.purpose if scope is not None else "workflow",
                provider=str(options.get("provider", "")),
                model=str(options.get("model", "")),
                options=options,
            )
            self.run_id = await self.store.call(self.recorder.begin_run, start)
        else:
            state = await self.store.call(self.recorder.resume_run, resume_run_id, now)
            self.run_id = state.run_id
            self.earlier_wall = state.wall_time_s
            self.earlier_sequential = state.sequential_estimate_s
            self.earlier_person_wait = state.person_wait_s
            done |= frozenset(state.succeeded) & frozenset(self.status)
        for name in done:
            self.status[name] = PhaseStatus.SUCCEEDED
        self.wave_done = {
            w for w, phases in enumerate(self.graph.waves, start=1) if set(phases) <= done
        }
        latest = await self.store.call(self.recorder.latest_artifacts)
        for artifact, (version, content) in latest.items():
            self.versions[artifact] = version
            self.contents[artifact] = content
            self.hashes[artifact] = content_hash(content)
        return done

    def _initial_ready(self) -> list[tuple[tuple[float, ...], str]]:
        ready: list[tuple[tuple[float, ...], str]] = []
        for name in self.graph.topological_order:
            if self.status[name] == PhaseStatus.PENDING and self._deps_satisfied(name):
                self._queue(name, ready)
        return ready

    def _queue(self, name: str, ready: list[tuple[tuple[float, ...], str]]) -> None:
        if self._cut_off(name):
            self.status[name] = PhaseStatus.SKIPPED
            self.skipped.add(name)
            self._emit(
                ev.PhaseSkipped,
                phase=name,
                reason="everything it was selected for came out unchanged",
            )
            for dependent in self._newly_ready(name):
                self._queue(dependent, ready)
            return
        self.status[name] = PhaseStatus.QUEUED
        heapq.heappush(ready, (self.priority(name), name))
        self._emit(ev.PhaseQueued, phase=name, wave=self.graph.wave_of[name])

    def _cut_off(self, name: str) -> bool:
        """Early cutoff: the phase was selected only through regenerated dependencies, and
        every one of them came out identical (or was itself skipped)."""
        scope = self.scope
        if scope is None or not scope.early_cutoff or name in scope.required:
            return False
        # What it reads: its dependencies, and the phases of what it reads further upstream.
        spec = self.graph.spec
        sources = set(self.graph.dependencies(name)) | {
            spec.producer_of(a).name for a in self.graph.inputs_of(name)
        }
        regenerated = [d for d in sources if d in scope.phases]
        if not regenerated or any(d in scope.changed for d in sources):
            return False
        return all(d in self.unchanged or d in self.skipped for d in regenerated)

    def _deps_satisfied(self, name: str) -> bool:
        return all(
            self.status[d] in _SATISFIED and d not in self.gate_held
            for d in self.graph.dependencies(name)
        )

    def _newly_ready(self, finished: str) -> list[str]:
        return [
            d
            for d in self.graph.dependents(finished)
            if self.status[d] == PhaseStatus.PENDING and self._deps_satisfied(d)
        ]

    # --- one phase ---------------------------------------------------------------------

    def _start_phase(self, name: str, tasks: dict[asyncio.Task[Any], tuple[str, str]]) -> None:
        rule = self.graph.phase(name).fan_out
        if rule is not None:
            items = split_items(rule, self.contents.get(rule.source, ""))
            if items:  # no items: one call over the whole list, as any other phase
                started, started_at = self._mark_started(name)
                self.fan_outs[name] = _FanOut(items, self._inputs(name), started, started_at)
                self.calls.extend((name, item.index) for item in items)
                return
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        task = asyncio.create_task(self._run_phase(name), name=f"phase {name}")
        tasks[task] = ("phase", name)

    def _mark_started(self, name: str) -> tuple[float, datetime]:
        wave = self.graph.wave_of[name]
        self.status[name] = PhaseStatus.RUNNING
        started = self.clock.monotonic()
        started_at = self.clock.now()
        self.timing.started_mono[name] = started
        self.timing.started_wall[name] = started_at
        if all(p == name or p not in self.timing.started_mono for p in self.graph.waves[wave - 1]):
            self._emit(ev.WaveStarted, wave=wave, phases=self.graph.waves[wave - 1])
        self.store.submit(self.recorder.phase_started, self.run_id, name, wave, 1, started_at)
        self._emit(ev.PhaseStarted, phase=name, wave=wave, attempt=1)
        return started, started_at

    def _inputs(self, name: str) -> dict[str, str]:
        return {a: self.contents[a] for a in self.graph.inputs_of(name) if a in self.contents}

    async def _call(self, request: PhaseRequest) -> PhaseOutput:
        name = request.phase.name
        item = request.item
        prefix = f"{item.key}: " if item is not None else ""

        def report(tokens: int, message: str) -> None:
            if item is not None:  # the phase's tokens are those of all its calls
                streamed = self.fan_outs[name].tokens
                streamed[item.index] = tokens
                tokens = sum(streamed.values())
            self._emit(ev.PhaseProgress, phase=name, tokens=tokens, message=prefix + message)

        timeout = self.engine.settings.phase_timeout_s
        # A wait for another phase to warm the prompt cache is not counted: see TimeLimit.
        limit = TimeLimit(timeout)
        try:
            async with limit.applied():
                return await self.engine.runner.run(replace(request, time_limit=limit), report)
        except TimeoutError:
            waited = limit.excluded_s
            besides = (
                f" (besides {waited:.1f} s waiting for another phase to warm the prompt cache)"
                if waited >= 0.05
                else ""
            )
            raise PhaseError(f"timed out after {timeout:g} s{besides}") from None

    def _request(
        self, name: str, inputs: Mapping[str, str], item: FanOutItem | None = None
    ) -> PhaseRequest:
        return PhaseRequest(
            phase=self.graph.phase(name),
            project_name=self.engine.project_name,
            brief=self.engine.brief,
            inputs=MappingProxyType(dict(inputs)),
            run_id=self.run_id,
            item=item,
        )

    async def _run_phase(self, name: str) -> PhaseCompletion:
        if self.rate is not None:
            await self.rate.acquire()
        started, started_at = self._mark_started(name)
        inputs = self._inputs(name)
        output = await self._call(self._request(name, inputs))
        return await self._conclude(name, inputs, output, started, started_at)

    # --- one phase as one call per item (fan-out) ---------------------------------------

    def _start_item(
        self, name: str, index: int, tasks: dict[asyncio.Task[Any], tuple[str, str]]
    ) -> None:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        task = asyncio.create_task(self._run_item(name, index), name=f"phase {name} #{index}")
        tasks[task] = ("item", name)
        self.item_of[task] = index

    async def _run_item(self, name: str, index: int) -> PhaseOutput:
        state = self.fan_outs[name]
        item = state.items[index]
        rule = self.graph.phase(name).fan_out
        assert rule is not None
        if self.rate is not None:
            await self.rate.acquire()
        inputs = dict(state.inputs)
        inputs[rule.source] = item_source(rule, item, inputs.get(rule.source, ""))
        self._emit(ev.ItemStarted, phase=name, index=index, count=item.count, item=item.heading)
        started = self.clock.monotonic()
        try:
            return await self._call(self._request(name, inputs, item))
        finally:
            state.durations[index] = self.clock.monotonic() - started

    def _item_ended(
        self, name: str, task: asyncio.Task[Any], tasks: dict[asyncio.Task[Any], tuple[str, str]]
    ) -> None:
        index = self.item_of.pop(task)
        state = self.fan_outs[name]
        item = state.items[index]
        error = task.exception()
        if error is None:
            state.outputs[index] = task.result()
        else:
            state.errors[index] = _describe(error)
            state.spent[index] = _billed(error)
        self._emit(
            ev.ItemFinished,
            phase=name,
            index=index,
            count=item.count,
            item=item.heading,
            duration_s=state.durations.get(index, 0.0),
            cached=error is None and state.outputs[index].cached,
            error=state.errors.get(index, ""),
        )
        if not state.ended:
            return
        self.timing.finished_mono[name] = self.clock.monotonic()
        if state.errors:
            failed = [f"{state.items[i].heading}: {e}" for i, e in sorted(state.errors.items())]
            label = self.graph.phase(name).fan_out
            what = f"{label.label}s" if label is not None else "items"
            message = (
                f"{len(failed)} of {len(state.items)} parts failed ({what} written one at a "
                f"time; the others are kept for a retry): " + "; ".join(failed)
            )
            self._fail_phase(name, message, sum(state.durations.values()), *self._spent(name))
            return
        merging = asyncio.create_task(self._merge(name), name=f"merge {name}")
        tasks[merging] = ("merge", name)

    async def _merge(self, name: str) -> PhaseCompletion:
        """One artifact from the parts, in item order, accepted like any phase's output."""
        phase = self.graph.phase(name)
        state = self.fan_outs[name]
        assert phase.fan_out is not None
        artifact = phase.produces[0]
        outputs = [state.outputs[item.index] for item in state.items]
        bodies = []
        for item, output in zip(state.items, outputs, strict=True):
            if artifact not in output.artifacts:
                raise PhaseError(f"{item.heading}: the reply lacks {artifact}")
            bodies.append(output.artifacts[artifact])
        usage = TokenUsage()
        for output in outputs:
            usage = usage + output.usage
        merged = PhaseOutput(
            artifacts={artifact: merge_items(phase.fan_out, state.items, bodies)},
            provider=outputs[0].provider,
            model=outputs[0].model,
            usage=usage,
            cost_usd=sum(o.cost_usd for o in outputs),
            cached=all(o.cached for o in outputs),
            notes=tuple(
                dict.fromkeys(
                    f"{item.heading}: {note}"
                    for item, output in zip(state.items, outputs, strict=True)
                    for note in output.notes
                )
            ),
        )
        work = sum(state.durations.values())
        return await self._conclude(
            name, state.inputs, merged, state.started, state.started_at, work_s=work
        )

    # --- accepting what a phase wrote ---------------------------------------------------

    async def _conclude(
        self,
        name: str,
        inputs: Mapping[str, str],
        output: PhaseOutput,
        started: float,
        started_at: datetime,
        work_s: float | None = None,
    ) -> PhaseCompletion:
        """Validate, render and record a phase's output (``work_s``: the time its calls took,
        when they ran side by side)."""
        phase = self.graph.phase(name)
        wave = self.graph.wave_of[name]
        input_hashes = {a: self.hashes[a] for a in inputs}
        drafts, warnings = accept_output(
            phase,
            output,
            input_hashes=input_hashes,
            versions=self.versions,
            generated_at=self.clock.now(),
            run_id=self.run_id,
            keep=self.scope.artifacts if self.scope is not None else None,
        )
        confirmed: tuple[str, ...] = ()
        if same_bodies(drafts, self.contents):
            # Written again exactly as it is: nothing new to store or commit, only confirmed
            # as made from these inputs; dependents selected only because of it may be cut off.
            self.unchanged.add(name)
            confirmed, drafts = tuple(d.name for d in drafts), ()
        finished = self.clock.monotonic()
        completion = PhaseCompletion(
            run_id=self.run_id,
            phase=name,
            wave=wave,
            attempt=1,
            started_at=started_at,
            finished_at=self.clock.now(),
            duration_s=finished - started if work_s is None else work_s,
            artifacts=drafts,
            provider=output.provider,
            model=output.model,
            usage=output.usage,
            cost_usd=output.cost_usd,
            cached=output.cached,
            warnings=warnings,
            made_from={**input_hashes, **self.engine.context_inputs.get(name, {})},
            confirmed=confirmed,
        )
        await self._commit(completion)
        return completion

    async def _commit(self, completion: PhaseCompletion) -> None:
        """Record the phase; once started, the commit finishes even if the run is cancelled."""
        future = self.store.start(self.recorder.commit_phase, completion)
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await future
            if future.done() and not future.cancelled() and future.exception() is None:
                self._committed(completion)
            raise
        self._committed(completion)

    def _committed(self, completion: PhaseCompletion) -> None:
        self.committed.add(completion.phase)
        for draft in completion.artifacts:
            self.contents[draft.name] = draft.content
            self.hashes[draft.name] = draft.content_hash
            self.versions[draft.name] = draft.version

    def _phase_ended(
        self, name: str, task: asyncio.Task[Any], tasks: dict[asyncio.Task[Any], tuple[str, str]]
    ) -> None:
        finished = self.clock.monotonic()
        self.timing.finished_mono[name] = finished
        duration = finished - self.timing.started_mono.get(name, finished)
        if name in self.fan_outs:  # its calls ran side by side: the work is their sum
            duration = sum(self.fan_outs[name].durations.values())
        self.timing.durations[name] = duration
        error = task.exception()
        if error is None:
            completion: PhaseCompletion = task.result()
            self.status[name] = PhaseStatus.SUCCEEDED
            self.usage = self.usage + completion.usage
            self.cost += completion.cost_usd
            self._emit(
                ev.PhaseSucceeded,
                phase=name,
                duration_s=completion.duration_s,
                artifacts={d.name: d.version for d in completion.artifacts},
                usage=completion.usage,
                cost_usd=completion.cost_usd,
                cached=completion.cached,
                warnings=completion.warnings,
            )
            if self.graph.phase(name).approval_gates:
                if self.scope is not None and not self.scope.hold_on_gates:
                    self._reopen_gates(name, completion)
                else:
                    hashes = {d.name: d.content_hash for d in completion.artifacts}
                    self._open_gates(name, hashes, tasks)
            return
        usage, cost = _billed(error)
        if name in self.fan_outs:  # its parts were billed, though the merge failed
            parts_usage, parts_cost = self._spent(name)
            usage, cost = usage + parts_usage, cost + parts_cost
        self._fail_phase(name, _describe(error), duration, usage, cost)

    def _spent(self, name: str) -> tuple[TokenUsage, float]:
        """What the calls of a fan-out were billed, the failed ones too."""
        state = self.fan_outs[name]
        usage, cost = TokenUsage(), 0.0
        for output in state.outputs.values():
            usage, cost = usage + output.usage, cost + output.cost_usd
        for part_usage, part_cost in state.spent.values():
            usage, cost = usage + part_usage, cost + part_cost
        return usage, cost

    def _fail_phase(
        self,
        name: str,
        message: str,
        duration: float,
        usage: TokenUsage | None = None,
        cost: float = 0.0,
    ) -> None:
        """Record a failed phase with what its calls were billed, and block its dependents."""
        usage = usage or TokenUsage()
        self.timing.durations[name] = duration
        self.status[name] = PhaseStatus.FAILED
        self.failed[name] = message
        self.usage = self.usage + usage
        self.cost += cost
        self.store.submit(
            self.recorder.phase_failed,
            self.run_id,
            name,
            message,
            self.clock.now(),
            duration,
            usage,
            cost,
        )
        self._emit(
            ev.PhaseFailed,
            phase=name,
            error=message,
            duration_s=duration,
            usage=usage,
            cost_usd=cost,
        )
        self._block_downstream(name, name)

    def _block_downstream(self, source: str, reason: str) -> None:
        downstream = self.graph.downstream(source)
        for dependent in self.graph.topological_order:
            if dependent in downstream and self.status[dependent] not in _END_STATES:
                self.status[dependent] = PhaseStatus.BLOCKED
                self.blocked[dependent] = reason
                self.store.submit(self.recorder.phase_blocked, self.run_id, dependent, reason)
                self._emit(ev.PhaseBlocked, phase=dependent, blocked_by=reason)

    # --- gates -------------------------------------------------------------------------

    def _open_gates(
        self,
        name: str,
        hashes: Mapping[str, str],
        tasks: dict[asyncio.Task[Any], tuple[str, str]],
    ) -> None:
        """Open the phase's gates; its dependents wait until every one is approved (when none
        of them runs in this run, the gate is only opened, for a decision later)."""
        for gate in self.graph.phase(name).approval_gates:
            self.store.submit(self.recorder.open_gate, self.run_id, gate, name, hashes)
        if not any(self.status[d] == PhaseStatus.PENDING for d in self.graph.dependents(name)):
            return
        self.gate_held.add(name)
        task = asyncio.create_task(self._wait_for_gates(name), name=f"gates of {name}")
        tasks[task] = ("gate", name)

    def _reopen_gates(self, name: str, completion: PhaseCompletion) -> None:
        """A regeneration changed a gated phase's artifacts: its gates want a new decision.

        The gate stays approved when the artifacts are exactly those approved before.
        """
        if not completion.artifacts:
            return  # came out identical: nothing new to review
        produced = self.graph.phase(name).produces
        hashes = {a: self.hashes[a] for a in produced if a in self.hashes}
        for gate in self.graph.phase(name).approval_gates:
            self.store.submit(self.recorder.open_gate, self.run_id, gate, name, hashes)

    async def _wait_for_gates(self, name: str) -> tuple[bool, str]:
        phase = self.graph.phase(name)
        for gate in phase.approval_gates:
            state = await self.store.call(self.recorder.gate_state, gate)
            if state.status == GateStatus.PENDING:
                waiting = tuple(
                    d for d in self.graph.dependents(name) if self.status[d] not in _END_STATES
                )
                self._emit(ev.GateWaiting, gate=gate, phase=name, waiting=waiting)
                request = GateRequest(self.run_id, gate, name, phase.produces)
                asked = self.clock.monotonic()
                decision = await self.engine.gatekeeper.wait(request, state)
                self.gate_waits[gate] = self.clock.monotonic() - asked
            else:  # decided before this run segment (a resumed run, or unchanged artifacts)
                approved = state.status == GateStatus.APPROVED
                decision = GateDecision(approved, state.decided_by, state.note)
            self._emit(
                ev.GateDecided,
                gate=gate,
                phase=name,
                approved=decision.approved,
                decided_by=decision.decided_by,
                note=decision.note,
            )
            if not decision.approved:
                return False, gate
        return True, ""

    def _gate_decided(self, name: str, task: asyncio.Task[Any]) -> None:
        self.gate_held.discard(name)
        approved, gate = task.result()
        if not approved:
            self._block_downstream(name, f"gate {gate} rejected")

    # --- waves and the end of the run --------------------------------------------------

    def _record_finished_waves(self) -> None:
        for number, phases in enumerate(self.graph.waves, start=1):
            if number in self.wave_done or any(self.status[p] not in _END_STATES for p in phases):
                continue
            self.wave_done.add(number)
            record = wave_record(
                self.run_id,
                number,
                phases,
                timing=self.timing,
                status=self.status,
                failed=self.failed,
                blocked=self.blocked,
                now_mono=self.clock.monotonic(),
                now=self.clock.now(),
                t0=self.t0,
            )
            self.store.submit(self.recorder.record_wave, record)
            self.store.submit(
                self.recorder.snapshot,
                self.run_id,
                f"run {self.run_id} wave {number}",
                record.completed_at,
            )
            shown = field_values(
                record, "duration_s", "sequential_estimate_s", "time_saved_s", "phases_completed"
            )
            self._emit(
                ev.WaveFinished, wave=number, phases_failed=dict(record.phases_failed), **shown
            )

    async def _finish(self, status: RunStatus, error: str = "") -> RunResult:
        wall = self.earlier_wall + (self.clock.monotonic() - self.t0)
        sequential = self.earlier_sequential + sum(self.timing.durations.values())
        person_wait = self.earlier_person_wait + self.person_wait
        # Time saved is the scheduler's doing: waiting for a person is not work it could save.
        saved = sequential - (wall - person_wait)
        succeeded = tuple(n for n, s in self.status.items() if s == PhaseStatus.SUCCEEDED)
        if status == RunStatus.COMPLETED and (self.failed or self.blocked):
            status = RunStatus.PARTIAL if succeeded else RunStatus.FAILED
        summary = RunSummary(
            run_id=self.run_id,
            status=status,
            finished_at=self.clock.now(),
            wall_time_s=wall,
            sequential_estimate_s=sequential,
            time_saved_s=saved,
            phases_succeeded=succeeded,
            phases_failed=dict(self.failed),
            phases_blocked=dict(self.blocked),
            error=error,
            person_wait_s=person_wait,
            gate_waits=dict(self.gate_waits),
        )
        await self.store.drain()
        await self.store.call(self.recorder.finish_run, summary)
        self._emit(
            ev.RunFinished,
            status=status,
            wall_time_s=wall,
            sequential_estimate_s=sequential,
            time_saved_s=summary.time_saved_s,
            succeeded=succeeded,
            failed=dict(self.failed),
            blocked=dict(self.blocked),
        )
        return RunResult(
            run_id=self.run_id,
            status=status,
            mode=self.mode,
            wall_time_s=wall,
            sequential_estimate_s=sequential,
            time_saved_s=summary.time_saved_s,
            phase_status=dict(self.status),
            failed=dict(self.failed),
            blocked=dict(self.blocked),
            usage=self.usage,
            cost_usd=self.cost,
            peak_in_flight=self.peak_in_flight,
            phase_durations=dict(self.timing.durations),
            unchanged=tuple(n for n in self.graph.topological_order if n in self.unchanged),
            skipped=tuple(n for n in self.graph.topological_order if n in self.skipped),
            person_wait_s=person_wait,
            gate_waits=dict(self.gate_waits),
        )

    async def _cancel(self, tasks: Mapping[asyncio.Task[Any], tuple[str, str]]) -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        now = self.clock.now()
        running = [name for kind, name in tasks.values() if kind != "gate"]
        running += [n for n in self.fan_outs if self.status[n] == PhaseStatus.RUNNING]
        for name in dict.fromkeys(running):
            if name in self.committed:
                self.status[name] = PhaseStatus.SUCCEEDED
                continue
            self.status[name] = PhaseStatus.CANCELLED
            self.store.submit(self.recorder.phase_cancelled, self.run_id, name, now)
            self._emit(ev.PhaseCancelled, phase=name)
        await self._finish(RunStatus.CANCELLED, "cancelled by the user")

    # --- plumbing ----------------------------------------------------------------------

    def _emit(self, kind: Callable[..., ev.EngineEvent], **fields: Any) -> None:
        elapsed = self.clock.monotonic() - self.t0 if self.t0 else 0.0
        self.engine.publish(kind(run_id=self.run_id, elapsed_s=elapsed, **fields))


def _billed(error: BaseException) -> tuple[TokenUsage, float]:
    """What the calls of a failed phase were billed, as its error carries it."""
    if isinstance(error, PhaseError):
        return error.usage, error.cost_usd
    return TokenUsage(), 0.0


def _describe(error: BaseException) -> str:
    """A one-line error message for a failed phase."""
    if isinstance(error, PhaseError):
        return str(error)
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
