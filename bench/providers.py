"""What prompt caching and the response cache save on a full sample run, through Claude and
through an OpenAI-compatible server.

Runs the bundled sample project twice through each provider and its real SDK, against the fake
servers of the tests (fixed latency per call, honest prompt-cache accounting): the fake Claude
reads a prefix from the cache only if an earlier request wrote it at a breakpoint and that
request had started replying; the fake OpenAI-compatible server (on a loopback port) caches
every prefix automatically, as vLLM, llama.cpp and OpenAI do, and reports the hits as
``prompt_tokens_details.cached_tokens``. Prints, measured in this run, for each provider:

* the share of shared-context input tokens (system prompt, constitution, brief, upstream
  artifacts: everything up to a request's last cache breakpoint for Claude, everything before
  the task for the server) served from the prompt cache over the first run (target >= 80%);
* the response-cache hit rate of an unchanged re-run of every phase (``--all``), and its
  provider calls (target 100%, 0).

Run: .venv/bin/python bench/providers.py
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spec_automation import services
from spec_automation.core import events as ev
from spec_automation.resources import sample_brief_path
from tests.helpers.fake_claude import FakeClaude
from tests.helpers.fake_models import FakeModelService
from tests.helpers.fake_openai import FakeOpenAI

LATENCY_S = 0.2  # fixed time to first token per call
KEY = "sk-ant-bench-not-a-real-key"
LOCAL_MODEL = "llama3.2"


async def measure(
    title: str, fake: FakeModelService, options: services.RunOptions, scratch: Path
) -> None:
    """Run the sample twice through ``options``' provider against ``fake`` and print."""
    brief = sample_brief_path().read_text(encoding="utf-8")
    folder = scratch / options.provider
    with services.create_project(folder, brief_text=brief) as project:
        if isinstance(fake, FakeClaude):
            project.providers.http_client = fake.client()
        first = await project.run_workflow(options)
        first_calls = len(fake.calls)
        replies = fake.replies
        shared = sum(c.shared_tokens for c in replies)
        read = sum(c.cache_read_tokens for c in replies)
        written = sum(c.cache_write_tokens for c in replies)

        cached: list[str] = []

        def note(event: ev.EngineEvent) -> None:
            if isinstance(event, ev.PhaseSucceeded) and event.cached:
                cached.append(event.phase)

        # Every phase again (--all): nothing changed, so each reply comes from the cache.
        second = await project.run_workflow(dataclasses.replace(options, everything=True), note)
        # The quality phase asks no model: it runs the gates on the code, again each time.
        asking = [p for p in project.graph.topological_order if p not in gates_of(project)]
        phases = len(asking)
        cached = [p for p in cached if p in asking]

    print(title)
    print(f"First run: {first.status}, {first_calls} provider calls, {first.wall_time_s:.2f} s")
    print(
        f"  shared-context input tokens: {shared}; read from the prompt cache: {read}; "
        f"written to it: {written}"
    )
    print(f"  prompt-cache share of shared context: {read / shared:.1%}  (target >= 80%)")
    print(f"  estimated cost: ${first.cost_usd:.4f}")
    print(f"Unchanged re-run: {second.status}, {len(fake.calls) - first_calls} provider calls")
    print(
        f"  response-cache hit rate: {len(cached) / phases:.0%} ({len(cached)}/{phases} phases "
        f"that ask a model, {second.input_tokens + second.output_tokens} tokens; the gates ran "
        "again)  (target 100%, 0 calls)"
    )


def gates_of(project: services.ProjectService) -> set[str]:
    """The phases that run the quality gates instead of asking a model."""
    return {p.name for p in project.spec.phases.values() if p.phase_type == "quality"}


async def main() -> None:
    os.environ["ANTHROPIC_API_KEY"] = KEY
    os.environ.pop("OPENAI_API_KEY", None)  # the local server takes none
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["SPEC_AUTOMATION_CONFIG_DIR"] = str(Path(scratch) / "config")
        claude = FakeClaude(latency_s=LATENCY_S, chunk_delay_s=0.005, api_key=KEY)
        await measure(
            "Claude (anthropic SDK, fake Messages API):",
            claude,
            services.RunOptions(provider="anthropic", auto_approve=True),
            Path(scratch),
        )
        with FakeOpenAI(models=(LOCAL_MODEL,), latency_s=LATENCY_S, chunk_delay_s=0.005) as local:
            print()
            await measure(
                "OpenAI-compatible server (openai SDK, fake server on 127.0.0.1):",
                local,
                services.RunOptions(
                    provider="openai_compatible",
                    model=LOCAL_MODEL,
                    base_url=local.base_url,
                    auto_approve=True,
                ),
                Path(scratch),
            )


if __name__ == "__main__":
    asyncio.run(main())
