"""`init` into a place it cannot make a project (below a file, a read-only folder, a disk that
refuses the write) says so in one sentence, exits 2, and leaves nothing half-made; any other
command the machine refuses ends in one sentence and exit 1, not an internal error."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result

Cli = Callable[..., Result]


def one_sentence(result: Result, code: int, *words: str) -> None:
    assert result.code == code, (result.code, result.out, result.err)
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in result.err, (word, result.err)
    assert "Traceback" not in result.err + result.out
    assert "internal error" not in result.err


def test_init_below_a_file_is_refused_and_the_file_kept(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine\n", encoding="utf-8")

    one_sentence(
        cli("init", blocker / "clinic", "--sample"), 2, f"{blocker} is a file, not a folder"
    )

    assert blocker.read_text(encoding="utf-8") == "mine\n"


def test_init_into_a_folder_that_cannot_be_written_is_refused_first(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    # Tests run as root, which may write anywhere: the folder says it is read-only instead.
    monkeypatch.setattr(
        os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode)
    )

    one_sentence(cli("init", locked / "clinic", "--sample"), 2, f"{locked} cannot be written to")

    assert list(locked.iterdir()) == []


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EROFS, "the file system is read-only"), (errno.ENOSPC, "the disk is full")],
)
def test_a_write_the_disk_refuses_during_init_is_a_sentence_and_init_can_be_rerun(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    folder = tmp_path / "clinic"
    real_mkdir = Path.mkdir

    def refusing(self: Path, *args: object, **kwargs: object) -> None:
        if self.name == "inputs":
            raise OSError(code, os.strerror(code), str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refusing)
    one_sentence(cli("init", folder, "--sample"), 2, f"cannot write {folder / 'inputs'}", words)
    monkeypatch.setattr(Path, "mkdir", real_mkdir)

    assert cli("init", folder, "--sample").code == 0
    assert cli("status", "-p", folder).code == 0


def test_any_command_the_machine_refuses_is_a_sentence_and_exit_1(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", tmp_path / "clinic", "--sample").code == 0
    from spec_automation.cli import project_commands

    def full(*_args: object, **_kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.md"))

    monkeypatch.setitem(project_commands.COMMANDS, "status", full)
    one_sentence(
        cli("status", "-p", tmp_path / "clinic"),
        1,
        f"cannot write {tmp_path / 'x.md'}: the disk is full; free some space",
    )


def test_a_brief_in_another_encoding_is_named_as_such(cli: Cli, tmp_path: Path) -> None:
    brief = tmp_path / "brief.md"
    brief.write_bytes("# Café rota\n\nA rota for the café.\n".encode("cp1252"))

    one_sentence(
        cli("init", tmp_path / "clinic", "--brief", brief),
        2,
        f"{brief} is not UTF-8 text",
        "save it as UTF-8",
    )
    assert not (tmp_path / "clinic").exists()


def test_a_pipe_or_a_folder_given_as_the_brief_is_refused_without_waiting(
    cli: Cli, tmp_path: Path
) -> None:
    pipe = tmp_path / "brief.fifo"
    os.mkfifo(pipe)  # nothing ever writes to it: reading it would wait for ever
    one_sentence(cli("init", tmp_path / "a", "--brief", pipe), 2, "is not a regular file")
    one_sentence(cli("init", tmp_path / "b", "--brief", tmp_path), 2, "is a folder, not a file")
    one_sentence(cli("init", tmp_path / "c", "--brief", tmp_path / "nope.md"), 2, "not found")


def test_a_refused_link_reaching_the_command_line_keeps_its_own_sentence(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_automation.cli import project_commands
    from spec_automation.workspace import UnsafeFileError

    assert cli("init", tmp_path / "clinic", "--sample").code == 0
    link = tmp_path / "clinic" / "artifacts" / "prd.md"

    def refused(*_args: object, **_kwargs: object) -> int:
        raise UnsafeFileError(link, "is a link; the app does not read or write through links")

    monkeypatch.setitem(project_commands.COMMANDS, "status", refused)
    one_sentence(
        cli("status", "-p", tmp_path / "clinic"),
        1,
        f"{link} is a link; the app does not read or write through links",
    )
