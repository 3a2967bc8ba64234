"""What a phase reads: only its own inputs, each parsed once, and the brief parsed once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Mapping

from spec_automation.agents import artifact_text
from spec_automation.agents import runner as runner_module
from spec_automation.agents.offline import author_artifacts
from spec_automation.agents.runner import AgentPhaseRunner
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.ports import PhaseRequest
from spec_automation.core.spec import PhaseSpec
from spec_automation.llm.offline import OfflineProvider


class RecordingInputs(Mapping[str, str]):
    """Every upstream artifact, noting which ones the author looks at."""

    def __init__(self, contents: Mapping[str, str]) -> None:
        self.contents = dict(contents)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.read.add(name)
        return self.contents[name]

    def __iter__(self) -> Iterator[str]:
        self.read.update(self.contents)
        return iter(self.contents)

    def __len__(self) -> int:
        return len(self.contents)


def test_every_offline_author_reads_only_what_its_phase_is_given(default_spec, sample_brief, chain):
    graph = WorkflowGraph(default_spec)
    for name in graph.topological_order:
        upstream = {
            artifact: chain[artifact]
            for phase in graph.upstream(name)
            for artifact in graph.phase(phase).produces
        }
        everything = RecordingInputs(upstream)
        author_artifacts(graph.phase(name), sample_brief, everything, "clinic")
        given = set(graph.inputs_of(name))
        assert everything.read <= given, (
            f"{name} reads {sorted(everything.read - given)}, which the engine does not give it"
        )


def _generic(name: str) -> PhaseSpec:
    return PhaseSpec(
        name=name,
        description=f"review {name}",
        agent="reviewer",
        produces=(f"{name.lower()}.md",),
        depends_on=(),
        estimated_duration_s=0,
    )


def test_each_upstream_artifact_is_parsed_once_however_many_phases_read_it(
    monkeypatch, chain, sample_brief
):
    parses: list[str] = []
    real_parse = artifact_text._PARSER.parse

    def counting(text: str, env=None):  # type: ignore[no-untyped-def]
        parses.append(text)
        return real_parse(text, env)

    artifact_text._kept_tokens.cache_clear()
    artifact_text._kept_sections.cache_clear()
    monkeypatch.setattr(artifact_text._PARSER, "parse", counting)
    inputs = {a: chain[a] for a in ("prd.md", "architecture.md", "epics.md")}
    for index in range(6):  # six generic reviewers all read the same three artifacts
        author_artifacts(_generic(f"R{index}"), sample_brief, inputs, "clinic")
    assert len(parses) == len(set(parses)) == 3


async def test_the_brief_is_parsed_once_per_run_and_off_the_event_loop(
    monkeypatch, default_spec, chain
):
    from tests.agents.conftest import SAMPLE_BRIEF

    brief_text = SAMPLE_BRIEF.read_text(encoding="utf-8")
    threads: list[threading.Thread] = []
    real = runner_module.parse_brief

    def counting(text: str, project_name: str = ""):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return real(text, project_name)

    monkeypatch.setattr(runner_module, "parse_brief", counting)
    runner = AgentPhaseRunner(OfflineProvider(latency_scale=0.0), spec=default_spec)
    graph = WorkflowGraph(default_spec)

    def request(name: str) -> PhaseRequest:
        inputs = {a: chain[a] for a in graph.inputs_of(name)}
        return PhaseRequest(default_spec.phases[name], "clinic", brief_text, inputs, run_id=1)

    phases = ("STACK_SELECTION", "SPEC_DESIGN_TOKENS", "SPEC_PM", "SPEC_ARCHITECT")
    outputs = await asyncio.gather(*(runner.run(request(p), lambda *_: None) for p in phases))
    assert all(output.artifacts for output in outputs)
    assert len(threads) == 1
    assert threads[0] is not threading.main_thread()
