"""Git: init ignoring the store, commits that agree with the store, and life without git."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import subprocess
from pathlib import Path

import pytest

from spec_automation.cli import main
from spec_automation.core.artifacts import content_hash
from spec_automation.git_repo import GitRepo
from spec_automation.resources import sample_brief_path
from spec_automation.services import ProjectService, RunOptions, create_project

FAST = RunOptions(latency_scale=0, auto_approve=True)


@pytest.fixture(autouse=True)
def no_global_git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Like a fresh CI machine: no ~/.gitconfig, no system config, no identity.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "home" / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for variable in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(variable, raising=False)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def new_project(tmp_path: Path, *, git_enabled: bool = True) -> ProjectService:
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    return create_project(tmp_path / "p", brief_text=brief, git_enabled=git_enabled)


def test_init_makes_a_repository_that_ignores_the_store(tmp_path: Path) -> None:
    with new_project(tmp_path) as project:
        root = project.paths.root
        assert (root / ".git").is_dir()
        assert ".spec_automation/" in (root / ".gitignore").read_text(encoding="utf-8")
        assert git(root, "ls-files").split() == [".gitignore", "brief.md"]
        assert git(root, "status", "--porcelain", "--untracked-files=all").strip() == ""


def test_a_workflow_run_commits_each_wave_as_stored(tmp_path: Path) -> None:
    with new_project(tmp_path) as project:
        report = asyncio.run(project.run_workflow(FAST))
        subjects = git(project.paths.root, "log", "--format=%s").splitlines()
        waves = [s for s in subjects if s.startswith(f"Run {report.run_id}, wave ")]
        assert len(waves) == len(project.graph.waves) == len(report.git_commits)
        assert subjects[-1] == "Start the project: brief and .gitignore"
        latest = project.history.latest_all()
        for artifact in project.spec.artifacts:
            committed = git(project.paths.root, "show", f"HEAD:artifacts/{artifact}")
            assert content_hash(committed) == latest[artifact][0].content_hash


def test_a_failed_run_commits_only_what_the_store_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with new_project(tmp_path) as project:
        real = project._phase_runner(FAST)

        class Failing:
            async def run(self, request, progress):  # type: ignore[no-untyped-def]
                if request.phase.name == "SPEC_ARCHITECT":
                    raise RuntimeError("provider down")
                return await real.run(request, progress)

            async def aclose(self) -> None:
                await real.aclose()

        monkeypatch.setattr(project, "_phase_runner", lambda _options: Failing())
        report = asyncio.run(project.run_workflow(FAST))
        assert report.status == "partial"
        tracked = set(git(project.paths.root, "ls-files", "artifacts").split())
        latest = {
            a: v for a, v in project.history.latest_all().items() if a in project.spec.artifacts
        }  # the store versions the brief too; only artifacts live in artifacts/
        assert tracked == {f"artifacts/{a}" for a in latest}
        assert "artifacts/architecture.md" not in tracked
        for artifact in latest:
            committed = git(project.paths.root, "show", f"HEAD:artifacts/{artifact}")
            assert content_hash(committed) == latest[artifact][0].content_hash


def test_commit_takes_only_the_given_files_and_skips_unchanged_ones(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    repo = GitRepo(root)
    repo.init()
    (root / "a.md").write_text("a\n", encoding="utf-8")
    (root / "b.md").write_text("b\n", encoding="utf-8")
    sha = repo.commit([root / "a.md"], "add a")
    assert sha == repo.head()
    assert "b.md" not in git(root, "ls-files")
    assert repo.commit([root / "a.md"], "again") is None
    assert repo.log(1) == [(sha, "add a")]


def test_git_can_be_turned_off(tmp_path: Path) -> None:
    with new_project(tmp_path, git_enabled=False) as project:
        assert project.git is None
        assert not (project.paths.root / ".git").exists()
        asyncio.run(project.run_workflow(FAST))
        assert not (project.paths.root / ".git").exists()


def test_without_git_the_project_works_with_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with new_project(tmp_path) as project:
        assert project.git is None
        assert any("git is not installed" in notice for notice in project.notices)
        report = asyncio.run(project.run_workflow(FAST))
        assert report.status == "completed"
        assert report.git_commits == ()


def test_a_cancelled_run_commits_only_what_the_store_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with new_project(tmp_path) as project:
        real = project._phase_runner(FAST)
        reached = asyncio.Event()

        class Hanging:
            async def run(self, request, progress):  # type: ignore[no-untyped-def]
                if request.phase.name == "SPEC_PM":
                    reached.set()
                    await asyncio.Event().wait()
                return await real.run(request, progress)

            async def aclose(self) -> None:
                await real.aclose()

        monkeypatch.setattr(project, "_phase_runner", lambda _options: Hanging())

        async def cancel_midway() -> None:
            task = asyncio.create_task(project.run_workflow(FAST))
            await reached.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(cancel_midway())
        latest = {
            a: v for a, v in project.history.latest_all().items() if a in project.spec.artifacts
        }  # the store versions the brief too; only artifacts live in artifacts/
        tracked = set(git(project.paths.root, "ls-files", "artifacts").split())
        assert tracked == {f"artifacts/{a}" for a in latest}
        assert "artifacts/prd.md" not in tracked
        for artifact in latest:
            committed = git(project.paths.root, "show", f"HEAD:artifacts/{artifact}")
            assert content_hash(committed) == latest[artifact][0].content_hash


def test_a_commit_that_fails_is_said_without_json_naming_the_file_that_blocked_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "clinic"
    assert main(["init", str(folder), "--sample"]) == 0
    (folder / ".git" / "index.lock").write_text("")  # a git process that died holding it

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", "-p", str(folder), "--latency-scale", "0", "--auto-approve"])

    assert code == 0  # the run itself completed: the store holds every artifact
    said = " ".join((out.getvalue() + err.getvalue()).split())
    assert "note: the artifacts are saved, but the git commit of analysis.md failed" in said
    assert f"Unable to create '{folder / '.git' / 'index.lock'}': File exists" in said
    assert f"cd {folder} && git add artifacts && git commit" in said


def test_the_code_the_stage_writes_is_committed_with_its_manifest_but_never_your_edits(
    tmp_path: Path,
) -> None:
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    with create_project(tmp_path / "p", brief_text=brief) as project:
        report = asyncio.run(project.run_workflow(FAST))
        root = project.paths.root
        tracked = git(root, "ls-files").split()
        models = "code/src/shiftcare/models.py"
        assert models in tracked
        assert "code/tests/test_e1_rota.py" in tracked
        assert "artifacts/implementation.md" in tracked
        # Committed in the run's wave of the implementation, beside its manifest.
        added = git(root, "log", "--diff-filter=A", "--format=%H %s", "--", models).split()
        assert added[1:3] == ["Run", f"{report.run_id},"]
        in_wave = git(root, "show", "--name-only", "--format=", added[0]).split()
        assert "artifacts/implementation.md" in in_wave

        # Edited by you: left out of the app's commits.
        (root / models).write_text("# mine\n", encoding="utf-8")
        asyncio.run(project.run_workflow(dataclasses.replace(FAST, everything=True)))
        assert git(root, "show", f"HEAD:{models}") != "# mine\n"
        assert models in git(root, "status", "--porcelain")
