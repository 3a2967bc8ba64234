"""``installer/install-linux.sh``: what it puts where, upgrades, and what --uninstall leaves.

A stand-in bundle (a shell script as the executable, the real desktop entry and icons) laid out
as in the release tarball keeps these fast; the smoke test (``smoke_bundle.py``) installs the
real bundle the same way.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALLER = REPO / "installer"
NAME = "spec-automation"


def fake_release(folder: Path, version: str = "9.9.9") -> Path:
    """A release folder as the tarball unpacks it: install-linux.sh and the bundle beside it."""
    bundle = folder / NAME
    share = bundle / "_internal" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy(INSTALLER / "linux" / f"{NAME}.desktop", share / "applications")
    shutil.copytree(INSTALLER / "icons" / "hicolor", share / "icons" / "hicolor")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy(REPO / "resources" / "icons" / f"{NAME}.svg", scalable)
    executable = bundle / NAME
    executable.write_text(f'#!/bin/sh\necho "{NAME} {version}"\n', encoding="utf-8")
    executable.chmod(executable.stat().st_mode | stat.S_IXUSR)
    shutil.copy(INSTALLER / "install-linux.sh", folder / "install-linux.sh")
    return folder


def sh(script: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}
    return subprocess.run(
        ["bash", str(script), *args], env=env, capture_output=True, text=True, timeout=60
    )


def tree(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A user's home whose ~/.local already holds someone else's files."""
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    (home / ".local" / "bin" / "other-tool").write_text("#!/bin/sh\n", encoding="utf-8")
    apps = home / ".local" / "share" / "icons" / "hicolor" / "48x48" / "apps"
    apps.mkdir(parents=True)
    (apps / "other-app.png").write_bytes(b"png")
    return home


def test_install_puts_bundle_launcher_entry_and_icons_under_local(
    tmp_path: Path, home: Path
) -> None:
    release = fake_release(tmp_path / "release")
    done = sh(release / "install-linux.sh", home=home)
    assert done.returncode == 0, done.stderr
    local = home / ".local"
    assert (local / "opt" / NAME / NAME).is_file()
    launcher = local / "bin" / NAME
    assert os.access(launcher, os.X_OK)
    version = subprocess.run([str(launcher), "--version"], capture_output=True, text=True)
    assert version.stdout.strip() == f"{NAME} 9.9.9"
    entry = (local / "share" / "applications" / f"{NAME}.desktop").read_text(encoding="utf-8")
    assert f'Exec="{launcher}" gui' in entry.splitlines()
    assert f"TryExec={launcher}" in entry.splitlines()
    hicolor = local / "share" / "icons" / "hicolor"
    assert (hicolor / "256x256" / "apps" / f"{NAME}.png").is_file()
    assert (hicolor / "scalable" / "apps" / f"{NAME}.svg").is_file()
    assert "Installed spec_automation 9.9.9" in done.stdout


def test_installing_again_replaces_the_old_version(tmp_path: Path, home: Path) -> None:
    sh(fake_release(tmp_path / "old", "1.0.0") / "install-linux.sh", home=home)
    done = sh(fake_release(tmp_path / "new", "2.0.0") / "install-linux.sh", home=home)
    assert done.returncode == 0, done.stderr
    launcher = home / ".local" / "bin" / NAME
    version = subprocess.run([str(launcher), "--version"], capture_output=True, text=True)
    assert version.stdout.strip() == f"{NAME} 2.0.0"
    assert not (home / ".local" / "opt" / f"{NAME}.old").exists()


def test_uninstall_leaves_nothing_behind_and_keeps_other_files(tmp_path: Path, home: Path) -> None:
    before = tree(home)
    sh(fake_release(tmp_path / "release") / "install-linux.sh", home=home)
    assert tree(home) != before
    # The copy installed beside the bundle knows its prefix.
    done = sh(home / ".local" / "opt" / NAME / "install-linux.sh", "--uninstall", home=home)
    assert done.returncode == 0, done.stderr
    assert tree(home) == before
    assert "Removed spec_automation" in done.stdout


def test_a_prefix_can_be_given_and_uninstalled(tmp_path: Path, home: Path) -> None:
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    release = fake_release(tmp_path / "release")
    assert sh(release / "install-linux.sh", "--prefix", str(prefix), home=home).returncode == 0
    assert (prefix / "bin" / NAME).is_file()
    assert not (home / ".local" / "opt").exists()
    done = sh(release / "install-linux.sh", "--uninstall", "--prefix", str(prefix), home=home)
    assert done.returncode == 0, done.stderr
    assert tree(prefix) == set()


def test_uninstalling_what_is_not_there_says_so(tmp_path: Path, home: Path) -> None:
    done = sh(INSTALLER / "install-linux.sh", "--uninstall", home=home)
    assert done.returncode == 0
    assert "is not installed" in done.stdout


def test_without_a_bundle_it_says_how_to_get_one(tmp_path: Path, home: Path) -> None:
    lone = tmp_path / "lone" / "install-linux.sh"
    lone.parent.mkdir()
    shutil.copy(INSTALLER / "install-linux.sh", lone)
    done = sh(lone, home=home)
    assert done.returncode == 2
    assert "no bundle was found" in done.stderr
    assert "make installer" in done.stderr
    assert not (home / ".local" / "opt").exists()


def test_an_unknown_option_is_refused(home: Path) -> None:
    done = sh(INSTALLER / "install-linux.sh", "--frobnicate", home=home)
    assert done.returncode == 2
    assert "unknown option --frobnicate" in done.stderr
