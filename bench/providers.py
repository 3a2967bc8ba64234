"""What prompt caching and the response cache save on a full sample run through Claude.

Runs the bundled sample project twice through the Anthropic provider and the real SDK, against
the fake Claude server of the tests (fixed latency per call, honest prompt-cache accounting:
a prefix is read from the cache only if an earlier request wrote it at a breakpoint and that
request had started replying). Prints, measured in this run:

* the share of shared-context input tokens (everything up to a request's last cache
  breakpoint: system prompt, constitution, brief, upstream artifacts) served from the prompt
  cache over the first run (target >= 80%);
* the response-cache hit rate of an unchanged re-run, and its provider calls (target 100%, 0).

Run: .venv/bin/python bench/providers.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spec_automation import services
from spec_automation.core import events as ev
from spec_automation.resources import sample_brief_path
from tests.helpers.fake_claude import FakeClaude

LATENCY_S = 0.2  # fixed time to first token per call
KEY = "sk-ant-bench-not-a-real-key"


async def main() -> None:
    os.environ["ANTHROPIC_API_KEY"] = KEY
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["SPEC_AUTOMATION_CONFIG_DIR"] = str(Path(scratch) / "config")
        brief = sample_brief_path().read_text(encoding="utf-8")
        fake = FakeClaude(latency_s=LATENCY_S, chunk_delay_s=0.005, api_key=KEY)
        options = services.RunOptions(provider="anthropic", auto_approve=True)
        with services.create_project(Path(scratch) / "sample", brief_text=brief) as project:
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

            second = await project.run_workflow(options, note)
            phases = len(project.graph.topological_order)

    print(f"First run: {first.status}, {first_calls} provider calls, {first.wall_time_s:.2f} s")
    print(
        f"  shared-context input tokens: {shared}; read from the prompt cache: {read}; "
        f"written to it: {written}"
    )
    print(f"  prompt-cache share of shared context: {read / shared:.1%}  (target >= 80%)")
    print(f"  estimated cost: ${first.cost_usd:.4f}")
    print(f"Unchanged re-run: {second.status}, {len(fake.calls) - first_calls} provider calls")
    print(
        f"  response-cache hit rate: {len(cached) / phases:.0%} ({len(cached)}/{phases} phases, "
        f"{second.input_tokens + second.output_tokens} tokens)  (target 100%, 0 calls)"
    )


if __name__ == "__main__":
    asyncio.run(main())
