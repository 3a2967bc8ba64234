"""The implementation stage through the service: the scaffold, the gates, your edits kept,
and a Dev-QA repair round."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from spec_automation.agents.reply import ReplyError, code_path, parse_files, render_reply
from spec_automation.core.ports import RunStatus
from spec_automation.resources import bundled_spec_path, sample_brief_path
from spec_automation.services import (
    ProjectError,
    ProjectService,
    RunOptions,
    RunReport,
    create_project,
)
from tests.helpers.providers import ScriptedProvider

FAST = RunOptions(latency_scale=0, auto_approve=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProjectService]:
    """The sample with the default spec, whose implementation stage ends it, run once
    offline (the gates are real)."""
    folder = tmp_path_factory.mktemp("stage") / "clinic"
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    with create_project(folder, brief_text=brief, git_enabled=False) as service:
        assert not (folder / "orchestrator_spec.yml").exists(), "the default spec, not a copy"
        assert service.spec.phases["IMPLEMENTATION"].phase_type == "implementation"
        assert list(service.spec.phases)[-2:] == ["IMPLEMENTATION", "QUALITY"]
        report = asyncio.run(service.run_workflow(FAST))
        assert report.status == RunStatus.COMPLETED, report.failed
        yield service


def test_a_project_without_code_gets_the_default_spec_without_the_stage(tmp_path: Path) -> None:
    from spec_automation.core.spec import load_spec

    folder = tmp_path / "p"
    with create_project(folder, brief_text="# Demo\n\nA tool.\n", code=False) as project:
        bundled = list(load_spec(bundled_spec_path()).phases)
        assert list(project.spec.phases) == bundled[:-2]
        assert bundled[-2:] == ["IMPLEMENTATION", "QUALITY"]
        assert (folder / "orchestrator_spec.yml").is_file()
        assert project.plan().critical_path[-1] == "DONE"
    with pytest.raises(ProjectError, match="a project without code has no code folder"):
        create_project(tmp_path / "q", brief_text="# Demo\n", code=False, code_dir=tmp_path)
    assert not (tmp_path / "q").exists(), "nothing was written"


def test_offline_the_developer_scaffolds_the_specification_and_the_gates_pass(
    built: ProjectService,
) -> None:
    code = built.paths.root / "code"
    models = (code / "src" / "shiftcare" / "models.py").read_text(encoding="utf-8")
    # One typed dataclass per entity of data-model.md, fields typed from its words.
    assert "@dataclass(slots=True)\nclass Rota:" in models
    assert "    period_start: datetime.date\n" in models
    assert "    owner_id: str\n" in models
    # One module per API resource with a typed stub per endpoint.
    rota = (code / "src" / "shiftcare" / "api" / "rota.py").read_text(encoding="utf-8")
    assert "def get_rota(rota_id: str) -> Rota:" in rota
    assert 'raise NotImplementedError("GET /api/rotas/{id}: Read one Rota")' in rota
    # One xfail test per acceptance criterion, the criterion as its reason, in one module
    # per epic (the epics' calls wrote them side by side).
    modules = sorted((code / "tests").glob("test_e*.py"))
    assert [m.name for m in modules][:2] == ["test_e10_audit.py", "test_e1_rota.py"]
    assert len(modules) == 10
    tests = "".join(m.read_text(encoding="utf-8") for m in modules)
    prd = built.read_artifact("prd.md")
    criteria = [
        line
        for block in re.findall(r"- Acceptance criteria:\n((?:  +- .+\n)+)", prd)
        for line in block.splitlines()
    ]
    assert len(criteria) > 11
    assert tests.count("@pytest.mark.xfail(") == len(criteria)
    assert 'reason="FR-1: Given a signed-in clinic manager' in tests
    manifest = built.read_artifact("implementation.md")
    assert "10 epics and the foundation, one section per epic, in epic order." in manifest
    foundation = manifest.index("### Foundation")
    assert foundation < manifest.index("`src/shiftcare/models.py`") < manifest.index("### E-1")
    assert manifest.index("### E-1: Rota") < manifest.index("`tests/test_e1_rota.py`")
    # The gates ran on it, in the run, and passed: ruff, basedpyright, pytest.
    report = built.read_artifact("quality-report.md")
    assert "every gate passed" in report
    runs = built.quality.list().items
    assert len(runs) == 1
    assert (runs[0].round, runs[0].status, runs[0].phase) == (1, "passed", "QUALITY")
    assert runs[0].run_id == built.status().last_run_id
    assert {g.name for g in runs[0].gates} == {"ruff", "basedpyright", "pytest"}
    shown = built.quality.show(runs[0].id)
    outcomes = {f.severity for g in shown.gates if g.name == "pytest" for f in g.findings}
    assert outcomes == {"xfailed"}


def test_a_code_file_you_edited_is_kept_when_the_developer_writes_again(
    built: ProjectService,
) -> None:
    models = built.paths.root / "code" / "src" / "shiftcare" / "models.py"
    mine = models.read_text(encoding="utf-8") + "\n# my own note\n"
    models.write_text(mine, encoding="utf-8")
    again = asyncio.run(
        built.run_workflow(
            RunOptions(latency_scale=0, auto_approve=True, everything=True, use_cache=False)
        )
    )
    assert again.status == RunStatus.COMPLETED, again.failed
    assert models.read_text(encoding="utf-8") == mine
    manifest = built.read_artifact("implementation.md")
    assert "## Kept as you edited them" in manifest
    assert "- `src/shiftcare/models.py`" in manifest


def test_code_paths_stay_inside_the_code_folder() -> None:
    assert code_path("src/app/models.py") == "src/app/models.py"
    assert code_path(".gitignore") == ".gitignore"
    for bad in (
        "../escape.py",
        "/etc/passwd",
        "src/../../x.py",
        "src\\x.py",
        ".hidden",
        ".git/hooks/pre-commit",
        "",
    ):
        with pytest.raises(ReplyError, match="not a plain path inside the code folder"):
            code_path(bad)
    reply = render_reply({"implementation.md": "# I\n", "code/src/a.py": "x = 1\n"})
    artifacts, files = parse_files(reply, ("implementation.md",), code=True)
    assert (artifacts, files) == ({"implementation.md": "# I\n"}, {"src/a.py": "x = 1\n"})
    with pytest.raises(ReplyError, match="does not produce"):
        parse_files(reply, ("implementation.md",), code=False)


def test_a_link_in_the_code_folder_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    from spec_automation.services.code_folder import CodeFolder
    from spec_automation.workspace import ProjectPaths

    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "project"
    (root / "code").mkdir(parents=True)
    (root / ".spec_automation").mkdir()
    os.symlink(outside, root / "code" / "src")
    with pytest.raises(ProjectError, match="is a link; the app does not read or write"):
        CodeFolder(ProjectPaths(root)).write({"src/app.py": "x = 1\n", "README.md": "hi\n"})
    assert not any(outside.iterdir())
    assert not (root / "code" / "README.md").exists(), "nothing was written"


DEV_QA = """
name: dev-qa
quality_gates:
  - {name: ruff, command: [ruff, check, --output-format, json, .], parser: ruff_json}
phases:
  IMPLEMENTATION:
    {description: Write the code., agent: developer, phase_type: implementation,
     produces: [implementation.md], depends_on: [], estimated_duration_s: 1,
     validators: [presence]}
  QUALITY:
    {description: Check the code., agent: quality, phase_type: quality,
     produces: [quality-report.md], depends_on: [IMPLEMENTATION], estimated_duration_s: 1,
     validators: [presence]}
"""


@contextlib.contextmanager
def scripted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str, provider: ScriptedProvider
) -> Iterator[tuple[ProjectService, RunReport]]:
    """A tiny project with its own ``spec``, run once with ``provider`` as its model."""
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "orchestrator_spec.yml").write_text(spec, encoding="utf-8")
    with create_project(folder, brief_text="# Demo\n\nA tiny tool.\n", git_enabled=False) as p:
        monkeypatch.setattr(p.providers, "build", lambda *_a, **_k: provider)
        yield p, asyncio.run(p.run_workflow(FAST))


def test_a_failing_gate_gets_one_repair_round_and_both_rounds_are_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def developer(request: object) -> str:
        task = str(getattr(request, "task", ""))
        fixed = "F401" in task  # the findings came back: the unused import is gone
        code = "def answer() -> int:\n    return 42\n"
        if not fixed:
            code = "import os\n\n\n" + code
        return render_reply({"implementation.md": "# Implementation\n", "code/app.py": code})

    provider = ScriptedProvider(answer=developer)
    with scripted(tmp_path, monkeypatch, DEV_QA, provider) as (p, report):
        assert report.status == RunStatus.COMPLETED, report.failed
        assert (
            (p.paths.root / "code" / "app.py").read_text(encoding="utf-8").startswith("def answer")
        )
        rounds = sorted(p.quality.list().items, key=lambda r: r.round)
        assert [(r.round, r.status) for r in rounds] == [(1, "failed"), (2, "passed")]
        assert {r.run_id for r in rounds} == {report.run_id}
        first = p.quality.show(rounds[0].id)
        assert [(f.file, f.line, f.rule) for f in first.findings] == [("app.py", 1, "F401")]
        assert "Round 1: failed" in p.read_artifact("quality-report.md")
        assert "Round 2: passed" in p.read_artifact("quality-report.md")
        # Two calls to the developer: the first draft and the repair with the findings.
        assert len(provider.requests) == 2
        assert "app.py:1: F401" in provider.requests[1].task


def test_no_code_never_replaces_a_spec_the_folder_has(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    mine = "# my own spec\n"
    (folder / "orchestrator_spec.yml").write_text(mine, encoding="utf-8")
    with pytest.raises(ProjectError, match=r"orchestrator_spec\.yml already exists"):
        create_project(folder, brief_text="# Demo\n\nA tool.\n", code=False)
    assert (folder / "orchestrator_spec.yml").read_text(encoding="utf-8") == mine
    assert not (folder / "brief.md").exists(), "nothing was written"


PARTS = """
name: dev-qa-parts
quality_gates:
  - {name: ruff, command: [ruff, check, --output-format, json, .], parser: ruff_json}
  - {name: absent, command: [no-such-gate-tool-xyz], parser: exit_code}
phases:
  EPICS:
    {description: List the epics., agent: pm, produces: [epics.md], depends_on: [],
     estimated_duration_s: 1, validators: [presence]}
  IMPLEMENTATION:
    {description: Write the code., agent: developer, phase_type: implementation,
     produces: [implementation.md], depends_on: [EPICS], fan_out: epic_code,
     estimated_duration_s: 1, validators: [presence]}
  QUALITY:
    {description: Check the code., agent: quality, phase_type: quality, reads: all,
     produces: [quality-report.md], depends_on: [IMPLEMENTATION], estimated_duration_s: 1,
     validators: [presence]}
"""


class EpicsDeveloper(ScriptedProvider):
    """Writes the epics (``epics`` of them), then each part's files; E-1's call ends last,
    after E-2 has written the file both write."""

    def __init__(self, epics: int) -> None:
        super().__init__(answer=self.reply)
        self.epics = epics

    def reply(self, request: object) -> str:
        task = str(getattr(request, "task", ""))
        if "Write exactly these files: epics.md" in task:
            body = "".join(f"### E-{n}: Epic {n}\n\nDelivers FR-{n}.\n\n" for n in range(1, 3))
            return render_reply({"epics.md": "# Epics\n\n## Epics\n\n" + body[: self.size]})
        if "owns: Foundation" in task:
            files = {"code/app.py": "NAME = 'app'\n"}
        else:
            n = re.search(r"the epic E-(\d+)", task).group(1)  # type: ignore[union-attr]
            files = {f"code/e{n}.py": f"E = {n}\n", "code/shared.py": f"OWNER = {n}\n"}
        return render_reply({"implementation.md": "# Code\n\n## Files\n\n- written\n", **files})

    @property
    def size(self) -> int:
        return len("### E-1: Epic 1\n\nDelivers FR-1.\n\n") * self.epics

    async def complete(self, request, progress):  # type: ignore[no-untyped-def]
        if "the epic E-1" in str(request.task):
            await asyncio.sleep(0.3)  # the earlier part ends last
        return await super().complete(request, progress)


def test_parts_keep_the_earlier_parts_file_and_a_file_no_longer_written_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = EpicsDeveloper(epics=2)
    with scripted(tmp_path, monkeypatch, PARTS, provider) as (p, report):
        assert report.status == RunStatus.COMPLETED, report.failed
        code = p.paths.root / "code"
        # E-2's call ended first, yet the earlier part's version of the shared file stays.
        assert (code / "shared.py").read_text(encoding="utf-8") == "OWNER = 1\n"
        manifest = p.read_artifact("implementation.md")
        kept = (
            "- `shared.py`: written by E-1: Epic 1 and E-2: Epic 2; E-1: Epic 1's version is kept"
        )
        assert manifest.count(kept) == 1
        # The gate whose tool is missing is said, and nobody is sent to repair it.
        gates = p.read_artifact("quality-report.md")
        assert "checked by 1 gate in 1 round: every gate that ran passed." in gates
        assert "Not checked by absent: no-such-gate-tool-xyz is not installed" in gates
        assert sum("one part of implementation.md" in r.task for r in provider.requests) == 3
        assert len(provider.requests) == 4, "no repair round for a tool that is not there"

        # One epic fewer: its file, as the app wrote it, goes; a file you made stays.
        (code / "mine.py").write_text("MINE = 1\n", encoding="utf-8")
        provider.epics = 1
        fresh = dataclasses.replace(FAST, everything=True, use_cache=False)
        again = asyncio.run(p.run_workflow(fresh))
        assert again.status == RunStatus.COMPLETED, again.failed
        assert not (code / "e2.py").exists()
        assert sorted(f.name for f in code.glob("*.py")) == [
            "app.py",
            "e1.py",
            "mine.py",
            "shared.py",
        ]
        manifest = p.read_artifact("implementation.md")
        assert "## Removed" in manifest
        assert "- `e2.py`" in manifest


def test_when_no_gates_tool_is_installed_the_code_is_said_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_absent = DEV_QA.replace(
        "  - {name: ruff, command: [ruff, check, --output-format, json, .], parser: ruff_json}",
        "  - {name: absent, command: [no-such-gate-tool-xyz], parser: exit_code}",
    )
    code = render_reply({"implementation.md": "# I\n", "code/app.py": "X = 1\n"})
    provider = ScriptedProvider(answer=lambda _request: code)
    with scripted(tmp_path, monkeypatch, only_absent, provider) as (_p, report):
        assert report.status != RunStatus.COMPLETED
        said = report.failed["QUALITY"]
        assert said.startswith("the code was not checked: no quality gate's tool is installed.")
        assert "no-such-gate-tool-xyz is not installed" in said
        assert len(provider.requests) == 1, "the developer is not sent back for it"


def test_the_repair_is_given_the_specification_the_code_was_written_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = PARTS.replace(" fan_out: epic_code,", "").replace(
        "  - {name: absent, command: [no-such-gate-tool-xyz], parser: exit_code}\n", ""
    )

    def answer(request: object) -> str:
        task = str(getattr(request, "task", ""))
        if "Write exactly these files: epics.md" in task:
            return render_reply({"epics.md": "# Epics\n\n### E-1: The only epic\n"})
        code = "X = 1\n" if "F401" in task else "import os\n\nX = 1\n"
        return render_reply({"implementation.md": "# Code\n", "code/app.py": code})

    provider = ScriptedProvider(answer=answer)
    with scripted(tmp_path, monkeypatch, spec, provider) as (_p, report):
        assert report.status == RunStatus.COMPLETED, report.failed
        first, repair = provider.requests[1:]
        assert "F401" in repair.task
        for request in (first, repair):  # the epics it implements, not its own manifest
            sent = "".join(str(block) for block in request.shared)
            assert "E-1: The only epic" in sent
            assert 'name="implementation.md"' not in sent
