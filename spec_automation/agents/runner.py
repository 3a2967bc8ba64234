"""The phase runner: turns a phase request into artifacts through its agent and a provider.

Every phase goes the same way, whichever provider runs it:

1. The response cache is asked first: a reply stored under the same key (same provider, model,
   prompt template, inputs, brief, constitution and parameters) is reused at zero tokens.
2. Otherwise the agent drafts a reply. With a language model, the role's prompt is built from
   its prompt file, the shared context blocks (constitution, brief, upstream artifacts) and the
   phase's task, and the provider streams the reply. Offline, the role's offline author drafts
   the reply from the brief and the inputs and the offline provider delivers it.
3. The reply parser splits it into the phase's files, rejecting any other name, and the phase's
   validators check them. With a language model, a reply that is empty or lacks a file, or a
   validation error, earns one repair attempt with the problem fed back; still failing, the
   phase fails with the problem (and the validation report), and with the tokens and cost of
   both attempts, which were billed.
4. A reply that passed is stored in the response cache.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from spec_automation.agents.brief import Brief, parse_brief
from spec_automation.agents.context import (
    DEFAULT_CONTEXT_BUDGET,
    PrefixWarmup,
    build_context,
    context_order,
    input_hashes,
    phase_contexts,
)
from spec_automation.agents.offline import author_artifacts
from spec_automation.agents.offline.designer import component_facts, palette_facts
from spec_automation.agents.prompts import PromptLibrary
from spec_automation.agents.reply import IncompleteReply, parse_files, render_reply
from spec_automation.core.artifacts import ArtifactHeader, content_hash, render_artifact
from spec_automation.core.documents.applying import ChangeNote, read_change_notes
from spec_automation.core.documents.readers import SourceDocument, documents_for
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.ports import (
    PhaseError,
    PhaseOutput,
    PhaseRequest,
    ProgressCallback,
    TokenUsage,
)
from spec_automation.core.spec import PhaseSpec, WorkflowSpec
from spec_automation.core.time_limit import TimeLimit
from spec_automation.core.validation import REQUIRED_HEADINGS, ValidationReport, validate_artifacts
from spec_automation.llm.budget import Budget, Reservation, worst_case_cost
from spec_automation.llm.cache import CachedReply, CacheKey, ResponseCache
from spec_automation.llm.offline import OfflineProvider
from spec_automation.llm.provider import Provider, ProviderReply, ProviderRequest

__all__ = ["AgentPhaseRunner", "OfflinePhaseRunner", "ValidationFailed"]

_OFFLINE_SOURCES = Path(__file__).resolve().parent


class ValidationFailed(PhaseError):
    """A phase's artifacts failed validation; ``report`` holds every finding."""

    def __init__(
        self,
        message: str,
        report: ValidationReport,
        *,
        usage: TokenUsage | None = None,
        cost_usd: float = 0.0,
    ) -> None:
        super().__init__(message, usage=usage, cost_usd=cost_usd)
        self.report = report


class AgentPhaseRunner:
    """Runs every phase through its agent with one provider, a response cache and validation.

    Args:
        provider: a language model (``Provider``) or the ``OfflineProvider``.
        prompts: the prompt files (the bundled ones by default).
        cache: where replies are reused from and stored; ``None`` bypasses it (``--no-cache``).
        constitution: the project's ``constitution.md``, given to every agent ('' if none).
        documents: the imported documents; each phase is given those its agent reads.
        spec: the workflow, used to tell a phase's direct inputs from the rest.
        max_tokens: the longest reply a model may write.
        temperature: sampling temperature, for providers taking one (Claude's API no longer does).
        deadline_s: every call of one phase (a repair included) must end within this.
        context_budget: the most shared-context tokens one request may carry.
        budget: the run's spending limit (shared by every runner of the run), if it has one.
    """

    def __init__(
        self,
        provider: Provider | OfflineProvider,
        *,
        prompts: PromptLibrary | None = None,
        cache: ResponseCache | None = None,
        constitution: str = "",
        documents: Sequence[SourceDocument] = (),
        spec: WorkflowSpec | None = None,
        max_tokens: int = 8192,
        temperature: float = 0.2,
        deadline_s: float | None = None,
        context_budget: int = DEFAULT_CONTEXT_BUDGET,
        budget: Budget | None = None,
    ) -> None:
        self.provider = provider
        self.budget = budget
        self.prompts = prompts or PromptLibrary()
        self.cache = cache
        self.constitution = constitution
        self.documents = tuple(documents)
        self.spec = spec
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.deadline_s = deadline_s
        self.context_budget = context_budget
        graph = WorkflowGraph(spec) if spec is not None else None
        self.order = context_order(graph) if graph is not None else ()
        #: Each phase's artifact list as it is sent, and all of them (where caches break).
        self.contexts = phase_contexts(graph, self.order) if graph is not None else {}
        self.shared_prefixes = frozenset(self.contexts.values())
        self.warmup = PrefixWarmup()
        #: The brief as parsed for this workflow: every phase reads the same text, so it is
        #: parsed once (off the event loop: a long brief takes a while) and shared.
        self._parsed_brief: tuple[tuple[str, str], asyncio.Future[Brief]] | None = None

    def _context_order(self, name: str) -> tuple[str, ...]:
        """The order this phase's artifacts are sent in: the one ``phase_contexts`` chose for
        it, then the workflow's context order for anything else."""
        own = self.contexts.get(name, ())
        return (*own, *(a for a in self.order if a not in own))

    @property
    def _takes_temperature(self) -> bool:
        return not isinstance(self.provider, OfflineProvider) and self.provider.takes_temperature

    @property
    def offline(self) -> bool:
        """Whether replies are drafted by the offline authors."""
        return isinstance(self.provider, OfflineProvider)

    async def aclose(self) -> None:
        """Release the provider's connections."""
        if not isinstance(self.provider, OfflineProvider):
            await self.provider.aclose()

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        """Produce the phase's artifacts (from the cache when nothing changed)."""
        # The engine's limit when it gives one (one clock for both), else the runner's own.
        deadline = request.time_limit or TimeLimit(self.deadline_s)
        key = self.cache_key(request).digest if self.cache is not None else None
        if key is not None:
            reused = await self._from_cache(key, request)
            if reused is not None:
                progress(0, "reused from the response cache")
                return reused
        reply, artifacts, usage, cost = await self._reply(request, deadline, progress)
        provider, model = reply.answered_by or (self.provider.name, self.provider.model)
        # A fallback's reply is not kept under the primary's key: the next run asks the
        # primary again.
        if key is not None and self.cache is not None and reply.answered_by is None:
            entry = CachedReply(
                reply=reply.text,
                provider=provider,
                model=model,
                phase=request.phase.name,
                template_version=self.template_version(request),
                usage=usage,
                cost_usd=cost,
            )
            await asyncio.to_thread(self.cache.put, key, entry)
        return PhaseOutput(
            artifacts=artifacts,
            provider=provider,
            model=model,
            usage=usage,
            cost_usd=cost,
            files=_code_files(reply.text, request),
            notes=(
                (
                    f"written by the fallback {provider} {model}: {self.provider.name} "
                    f"{self.provider.model} stayed unavailable after its retries",
                )
                if reply.answered_by
                else ()
            ),
        )

    async def _reply(
        self, request: PhaseRequest, deadline: TimeLimit, progress: ProgressCallback
    ) -> tuple[ProviderReply, dict[str, str], TokenUsage, float]:
        """A reply that passed, its files, and the usage and cost of every attempt.

        A model's reply that is incomplete (empty, or lacking a file) or fails validation
        gets one repair attempt with the problem fed back; offline replies get none. A
        failure raises a ``PhaseError`` carrying what every attempt was billed.
        """
        usage, cost = TokenUsage(), 0.0
        repair = ""
        for attempt in (1, 2):
            try:
                reply = await self._draft(request, repair, deadline, progress)
            except PhaseError as exc:
                raise exc.billed(usage, cost) from None
            usage, cost = usage + reply.usage, cost + reply.cost_usd
            try:
                artifacts, report = self._check(reply.text, request)
            except IncompleteReply as exc:
                if self.offline or attempt == 2:
                    after = " after one repair attempt" if attempt == 2 else ""
                    raise IncompleteReply(f"{exc}{after}", usage=usage, cost_usd=cost) from None
                progress(0, f"repairing: {exc}")
                repair = _incomplete_note(str(exc), reply.text)
                continue
            except PhaseError as exc:
                raise exc.billed(usage, cost) from None
            if report.ok:
                return reply, artifacts, usage, cost
            if self.offline:
                raise ValidationFailed(
                    "validation failed: " + _issues(report), report, usage=usage, cost_usd=cost
                )
            if attempt == 2:
                raise ValidationFailed(
                    "validation failed after one repair attempt: " + _issues(report),
                    report,
                    usage=usage,
                    cost_usd=cost,
                )
            progress(0, "repairing after validation")
            repair = _repair_note(report, reply.text)
        raise AssertionError("unreachable: the second attempt returns or raises")

    # --- the cache ---------------------------------------------------------------------

    def template_version(self, request: PhaseRequest) -> str:
        """The version of what drafts this phase: its prompt files, or the offline authors."""
        if self.offline:
            return _offline_version()
        return self.prompts.role(request.phase.agent).version

    def cache_key(self, request: PhaseRequest) -> CacheKey:
        """Everything this phase's reply depends on."""
        return CacheKey(
            provider=self.provider.name,
            model=self.provider.model,
            template_version=self.template_version(request),
            phase=request.phase.name,
            produces=request.phase.produces,
            brief_hash=content_hash(request.brief),
            constitution_hash=content_hash(self.constitution),
            input_hashes={
                **input_hashes(request.inputs),
                **{d.name: content_hash(d.text) for d in self.documents_of(request)},
            },
            parameters={
                **({"latency": "offline"} if self.offline else self._call_parameters()),
                # One call of a fan-out: its item, not its position, so adding an epic
                # leaves the other epics' replies reusable.
                **({"item": request.item.heading} if request.item is not None else {}),
            },
            feedback=request.feedback,
        )

    def _call_parameters(self) -> dict[str, object]:
        """What a model's reply depends on besides the prompt: only what is sent (no
        temperature for a provider that takes none), and the server, where the model's name
        does not say which model it is."""
        assert not isinstance(self.provider, OfflineProvider)
        parameters: dict[str, object] = {"max_tokens": self.max_tokens}
        if self.provider.takes_temperature:
            parameters["temperature"] = self.temperature
        if self.provider.endpoint:
            parameters["endpoint"] = self.provider.endpoint
        return parameters

    async def _from_cache(self, key: str, request: PhaseRequest) -> PhaseOutput | None:
        assert self.cache is not None
        hit = await asyncio.to_thread(self.cache.get, key)
        if hit is None:
            return None
        try:
            artifacts, report = self._check(hit.reply, request)
        except PhaseError:
            return None  # validators grew stricter since it was stored: draft afresh
        if not report.ok:
            return None
        return PhaseOutput(
            artifacts=artifacts,
            provider=hit.provider,
            model=hit.model,
            usage=TokenUsage(),
            cost_usd=0.0,
            cached=True,
            files=_code_files(hit.reply, request),
        )

    # --- drafting ----------------------------------------------------------------------

    async def _draft(
        self,
        request: PhaseRequest,
        repair: str,
        deadline: TimeLimit,
        progress: ProgressCallback,
    ) -> ProviderReply:
        brief = await self.brief_of(request)
        if isinstance(self.provider, OfflineProvider):
            drafted = author_artifacts(
                request.phase,
                brief,
                request.inputs,
                request.project_name,
                documents=self.documents_of(request),
                item=request.item,
            )
            if request.feedback:  # said in the artifacts, never written into code files
                drafted = {
                    n: _with_feedback(b, request.feedback) if n in request.phase.produces else b
                    for n, b in drafted.items()
                }
            notes = _change_notes(request.inputs)
            if notes:  # a change proposal's edits upstream: carried on, so none is lost
                first = next(iter(drafted))
                drafted[first] = _with_change_notes(drafted[first], notes)
            if self.constitution.strip() and request.phase.agent in _CONSTITUTION_ROLES:
                drafted = {
                    name: _with_constitution(body, self.constitution) if index == 0 else body
                    for index, (name, body) in enumerate(drafted.items())
                }
            reply = render_reply(drafted)
            context_chars = len(request.brief) + sum(len(c) for c in request.inputs.values())
            estimate = request.phase.estimated_duration_s
            if request.item is not None:  # the phase's work is shared by its calls
                estimate /= request.item.count
            usage = await self.provider.deliver(
                reply,
                estimated_duration_s=estimate,
                context_chars=context_chars,
                progress=progress,
            )
            return ProviderReply(reply, usage)
        prompt = self.build_prompt(request, brief, repair)
        async with deadline.excluded():  # waiting on another phase is not this one's work
            started = await self.warmup.enter(prompt, self.provider.model)
        remaining = deadline.remaining()
        if remaining is not None:
            if remaining <= 0:
                started()
                raise PhaseError("the phase deadline passed before its repair attempt")
            prompt = dataclasses.replace(prompt, deadline_s=remaining)

        def streaming(tokens: int, message: str) -> None:
            started()
            progress(tokens, message)

        reservation, billed = None, 0.0
        try:  # a call refused by the budget still releases the phases waiting on its prefix
            reservation = self._reserve(prompt)
            answer = await self.provider.complete(prompt, streaming)
            billed = answer.cost_usd
            return answer
        except PhaseError as exc:
            billed = exc.cost_usd
            raise
        finally:
            started()
            if reservation is not None and self.budget is not None:
                self.budget.settle(reservation, billed)

    def _reserve(self, prompt: ProviderRequest) -> Reservation | None:
        """Hold the most this call can cost against the run's budget (``BudgetReached`` when
        it could go past it); None without a budget or for a call that costs nothing."""
        if self.budget is None or isinstance(self.provider, OfflineProvider):
            return None
        chars = len(prompt.system) + len(prompt.task) + sum(len(b.text) for b in prompt.shared)
        chain = getattr(self.provider, "chain", (self.provider,))
        costs = [worst_case_cost(p.model, chars, prompt.max_tokens) for p in chain]
        most = max((c for c in costs if c is not None), default=0.0)
        return self.budget.reserve(most, prompt.label or "a phase") if most > 0 else None

    def documents_of(self, request: PhaseRequest) -> tuple[SourceDocument, ...]:
        """The imported documents the phase's agent reads, in name order."""
        return documents_for(request.phase.agent, self.documents)

    async def brief_of(self, request: PhaseRequest) -> Brief:
        """The parsed brief of ``request``, parsed once in a worker thread and then shared."""
        key = (request.brief, request.project_name)
        kept = self._parsed_brief
        if kept is None or kept[0] != key or kept[1].get_loop() is not asyncio.get_running_loop():
            parsing = asyncio.ensure_future(
                asyncio.to_thread(parse_brief, request.brief, request.project_name)
            )
            kept = self._parsed_brief = (key, parsing)
        return await asyncio.shield(kept[1])

    def build_prompt(
        self, request: PhaseRequest, brief: Brief | None = None, repair: str = ""
    ) -> ProviderRequest:
        """The model request for one phase: system, shared context, and the role's task."""
        phase = request.phase
        brief = brief or parse_brief(request.brief, request.project_name)
        role = self.prompts.role(phase.agent)
        direct = self._direct_inputs(request)
        inputs, item_note = _item_part(request)
        context = build_context(
            project_name=request.project_name,
            brief=request.brief,
            constitution=self.constitution,
            inputs=inputs,
            documents=self.documents_of(request),
            direct=direct,
            order=self._context_order(phase.name),
            shared_prefixes=self.shared_prefixes,
            budget_tokens=self.context_budget,
        )
        task = role.render_task(
            {
                "project": request.project_name,
                "phase": phase.name,
                "agent": phase.agent,
                "description": phase.description,
                "files": _files_block(phase.produces),
                "files_line": ", ".join(phase.produces),
                "inputs": ", ".join(context.artifacts) or "none (work from the brief)",
                "role_notes": "\n\n".join(
                    n for n in (_role_notes(phase.produces, brief, request.inputs), item_note) if n
                ),
                "feedback": _feedback(request.feedback, repair),
            }
        )
        return ProviderRequest(
            system=self.prompts.system,
            shared=context.blocks,
            task=task,
            max_tokens=self.max_tokens,
            temperature=self.temperature if self._takes_temperature else None,
            label=phase.name,
        )

    def _direct_inputs(self, request: PhaseRequest) -> tuple[str, ...]:
        if self.spec is None or request.phase.name not in self.spec.phases:
            return tuple(request.inputs)
        return self.spec.direct_inputs(request.phase.name)

    # --- checking ----------------------------------------------------------------------

    def _check(self, reply: str, request: PhaseRequest) -> tuple[dict[str, str], ValidationReport]:
        """Parse the reply into the phase's files and validate them as they would be stored."""
        phase = request.phase
        artifacts, _files = parse_files(reply, phase.produces, code=writes_code(phase))
        now = datetime.now(UTC)
        rendered = {
            name: render_artifact(
                ArtifactHeader(
                    artifact=name,
                    phase=phase.name,
                    agent=phase.agent,
                    provider=self.provider.name,
                    version=1,
                    generated_at=now,
                    run_id=request.run_id,
                    inputs={},
                    model=self.provider.model,
                ),
                body,
            )
            for name, body in artifacts.items()
        }
        return artifacts, validate_artifacts(phase.validators, rendered)


class OfflinePhaseRunner(AgentPhaseRunner):
    """Runs every phase with the offline provider and no response cache."""

    def __init__(self, provider: OfflineProvider) -> None:
        super().__init__(provider)


# --- prompt pieces --------------------------------------------------------------------------


def writes_code(phase: PhaseSpec) -> bool:
    """Whether the phase writes code files (``<<<FILE code/PATH>>>`` blocks) besides its
    artifacts: an implementation phase."""
    return phase.phase_type == "implementation"


def _code_files(reply: str, request: PhaseRequest) -> dict[str, str]:
    if not writes_code(request.phase):
        return {}
    return parse_files(reply, request.phase.produces, code=True)[1]


def _files_block(produces: tuple[str, ...]) -> str:
    lines = []
    for name in produces:
        required = REQUIRED_HEADINGS.get(name)
        sections = (
            "sections: " + ", ".join(f"## {h}" for h in required)
            if required
            else "sections of your choosing, under one # title"
        )
        lines.append(f"- `{name}`: {sections}")
    return "\n".join(lines)


def _role_notes(produces: tuple[str, ...], brief: Brief, inputs: Mapping[str, str]) -> str:
    notes = []
    if "design-tokens.md" in produces:
        notes.append(palette_facts(brief))
    if "component-mapping.md" in produces:
        notes.append(component_facts(brief, inputs))
    return "\n\n".join(notes)


def _item_part(request: PhaseRequest) -> tuple[Mapping[str, str], str]:
    """For one call of a fan-out: the inputs without the split artifact (so every call
    shares one context prefix) and the task's note naming the item, its section included."""
    item, rule = request.item, request.phase.fan_out
    if item is None or rule is None:
        return request.inputs, ""
    inputs = {n: c for n, c in request.inputs.items() if n != rule.source}
    artifact = request.phase.produces[0]
    if item.lead:
        scope = f"the part no {rule.label} owns: {item.key}. {item.text}"
        section = ""
    else:
        scope = f"the {rule.label} {item.heading}, and nothing else"
        section = f"\n\nThe {rule.label}, from {rule.source}:\n\n{item.text}"
    numbering = (
        f" Number its items {rule.child_prefix}-1, {rule.child_prefix}-2, ... from 1: they "
        f"are renumbered when the parts are merged."
        if rule.child_prefix
        else ""
    )
    guidance = rule.notes[0 if item.lead else 1]
    note = (
        f"This call writes one part of {artifact} ({item.index + 1} of {item.count}): "
        f"{scope}. The parts are merged in {rule.label} order.{numbering}"
        f"{f' {guidance}' if guidance else ''}{section}"
    )
    return inputs, note


def _feedback(reviewer: str, repair: str) -> str:
    parts = []
    if reviewer.strip():
        parts.append(f"A reviewer sent this phase back with this note; address it:\n{reviewer}")
    if repair:
        parts.append(repair)
    return "\n\n".join(parts)


#: Roles whose first artifact restates the project's principles when the offline authors
#: write it (the analysis frames the product, the architecture commits to it).
_CONSTITUTION_ROLES = frozenset({"analyst", "architect"})


def _principles(constitution: str) -> list[str]:
    """The principles a constitution lists: its list items, else its headings, else its
    paragraphs (front matter and the title left out)."""
    lines = [line.strip() for line in constitution.splitlines()]
    items = [
        re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", line)
        for line in lines
        if re.match(r"^(?:[-*+]|\d+[.)])\s+\S", line)
    ]
    if items:
        return items
    headings = [line.lstrip("#").strip() for line in lines if re.match(r"^#{2,6}\s+\S", line)]
    if headings:
        return headings
    paragraphs = [p.strip() for p in constitution.split("\n\n") if p.strip()]
    return [p.replace("\n", " ") for p in paragraphs if not p.startswith("#")]


def _with_constitution(body: str, constitution: str) -> str:
    """The body with a section restating the project's non-negotiable principles."""
    principles = _principles(constitution)
    if not principles:
        return body
    listed = "\n".join(f"- {principle}" for principle in principles)
    return (
        f"{body.rstrip()}\n\n## Project principles (constitution.md)\n\n"
        f"Everything in this document and downstream of it must hold to these:\n\n{listed}\n"
    )


def _with_feedback(body: str, feedback: str) -> str:
    """The drafted body with the reviewer's note it was redone for, so the change is visible."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in feedback.strip().splitlines())
    return f"{body.rstrip()}\n\n## Review feedback addressed\n\n{quoted}\n"


def _change_notes(inputs: Mapping[str, str]) -> list[tuple[str, ChangeNote]]:
    """The change notes of a proposal written into the phase's inputs, once each."""
    found: dict[tuple[str, int, str], tuple[str, ChangeNote]] = {}
    for name, text in inputs.items():
        for note in read_change_notes(text):
            found.setdefault((note.source, note.line, note.change), (name, note))
    return list(found.values())


def _with_change_notes(body: str, notes: Sequence[tuple[str, ChangeNote]]) -> str:
    """The drafted body with the proposed changes its inputs carry, to be carried out here."""
    items = "\n".join(
        f"- {note.change} (from {note.source}, line {note.line}, written into {name})"
        for name, note in notes
    )
    return f"{body.rstrip()}\n\n## Changes to carry out\n\n{items}\n"


def _repair_note(report: ValidationReport, previous: str) -> str:
    issues = "\n".join(f"- {issue}" for issue in report.errors)
    return (
        "Your previous reply failed the application's validation with these errors:\n"
        f"{issues}\n\nWrite every file again, complete and corrected. Your previous reply was:"
        f"\n\n{previous}"
    )


def _incomplete_note(problem: str, previous: str) -> str:
    shown = f" Your previous reply was:\n\n{previous}" if previous.strip() else ""
    return (
        f"Your previous reply could not be used: {problem}.\n\nWrite every file again, "
        "complete, each between its <<<FILE name>>> and <<<END FILE>>> lines." + shown
    )


def _issues(report: ValidationReport) -> str:
    return "; ".join(str(issue) for issue in report.errors)


@functools.cache
def _offline_version() -> str:
    """A hash of the agents' source: editing the offline authors invalidates their replies."""
    digest = hashlib.sha256()
    for path in sorted(_OFFLINE_SOURCES.rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "offline-" + digest.hexdigest()[:16]
