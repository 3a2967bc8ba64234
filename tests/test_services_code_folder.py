"""The code folder a project chooses: code/ by default, a folder inside the project, or a
folder of its own (an existing repository); what cannot be one is refused before anything is
written, and the implementation stage and the gates use the folder chosen."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from spec_automation.core.ports import RunStatus
from spec_automation.resources import sample_brief_path
from spec_automation.services import ProjectError, RunOptions, create_project

FAST = RunOptions(latency_scale=0, auto_approve=True)
BRIEF = sample_brief_path(None).read_text(encoding="utf-8")


def test_the_stage_writes_and_the_gates_check_a_folder_of_its_own(tmp_path: Path) -> None:
    repository = tmp_path / "shiftcare-code"
    repository.mkdir()
    (repository / "NOTES.md").write_text("my own notes\n", encoding="utf-8")
    folder = tmp_path / "clinic"
    with create_project(
        folder, brief_text=BRIEF, git_enabled=False, code_dir=repository
    ) as project:
        assert project.code_folder() == repository
        assert project.quality.folder == repository
        report = asyncio.run(project.run_workflow(FAST))
        assert report.status == RunStatus.COMPLETED, report.failed
        assert (repository / "src" / "shiftcare" / "models.py").is_file()
        assert (repository / "NOTES.md").read_text(encoding="utf-8") == "my own notes\n"
        assert not (folder / "code").exists()
        [gates] = project.quality.list(1, 0).items
        assert gates.status == "passed"
        assert gates.code_dir == str(repository)

        # Back to code/ inside the project; a folder inside it is kept relative to it.
        assert project.choose_code_folder(None) == folder / "code"
        assert project.choose_code_folder(folder / "src") == folder / "src"
        record = (folder / ".spec_automation" / "code-folder.json").read_text(encoding="utf-8")
        assert '"folder": "src"' in record


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("artifacts", "artifacts/ is the app's own folder"),
        (".spec_automation/code", ".spec_automation/ is the app's own folder"),
        (".", "cannot be the project folder or hold it"),
        ("..", "cannot be the project folder or hold it"),
        ("brief.md", "is a file, not a folder"),
        ("../no/such/parent/code", "does not exist; create it first"),
        ("linked", "is a link; choose the folder it points to"),
        ("through/code", "is a link; the app does not read or write through links"),
    ],
)
def test_what_cannot_be_a_code_folder_is_refused_with_a_sentence(
    tmp_path: Path, where: str, said: str
) -> None:
    folder = tmp_path / "clinic"
    with create_project(folder, brief_text=BRIEF, git_enabled=False) as project:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        os.symlink(elsewhere, folder / "linked")
        os.symlink(elsewhere, folder / "through")
        with pytest.raises(ProjectError, match=said):
            project.choose_code_folder(folder / where)
        assert project.code_folder() == folder / "code"  # nothing changed
        assert not (folder / ".spec_automation" / "code-folder.json").exists()


def test_a_bad_code_folder_at_init_leaves_no_project_behind(tmp_path: Path) -> None:
    folder = tmp_path / "clinic"
    with pytest.raises(ProjectError, match="artifacts/ is the app's own folder"):
        create_project(folder, brief_text=BRIEF, code_dir=folder / "artifacts")
    assert not folder.exists()
