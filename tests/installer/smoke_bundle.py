"""The bundle's smoke test: ``make installer-test`` (it runs ``make installer`` first).

Not collected by a plain ``pytest`` (the file name does not start with ``test_``): it needs the
built tarball, ``dist/spec-automation-VERSION-linux-ARCH.tar.gz``, and takes about a minute.
The tarball is unpacked into a temporary folder and everything runs from there, through the
bundle's own executable, with a temporary HOME, a bare environment and the temporary folder as
the working directory: nothing can come from the source tree or from .venv. Checked:

* ``--version`` prints pyproject.toml's version;
* ``init --sample`` and a headless offline run produce every artifact (the 15 of the default
  spec), read the bundled spec, and migrate the store with the bundled Alembic revisions;
* ``screenshots DIR`` renders every view offscreen as PNGs that are not blank;
* ``install-linux.sh`` into a temporary prefix, the installed launcher's ``--version``, and
  ``--uninstall`` leaving the prefix as it was;
* the bundle holds no excluded Qt module (WebEngine, QML/Quick, 3D, multimedia, PDF, ...), and
  every Qt library a bundled file links to is in the bundle.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

from tests.helpers.specs import SPECIFICATION_ARTIFACTS, STAGE_ARTIFACTS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
RELEASE = f"spec-automation-{VERSION}-linux-{platform.machine()}"
TARBALL = REPO / "dist" / f"{RELEASE}.tar.gz"
NAME = "spec-automation"

#: The default spec's artifacts (DESIGN.md's table).
ARTIFACTS = set(SPECIFICATION_ARTIFACTS + STAGE_ARTIFACTS)
#: Where ruff, basedpyright and pytest are installed for the tests: the bundle does not carry
#: them (the code it checks has an environment of its own), so a user installs them.
TOOLS = Path(sys.executable).parent

#: Qt modules the bundle must not carry, as Linux file names (libraries, Python modules, QML).
EXCLUDED_QT = re.compile(
    r"Qt6?(WebEngine\w*|WebChannel|WebSockets|WebView|Qml\w*|Quick\w*|3D\w*|Multimedia\w*"
    r"|SpatialAudio|Pdf\w*|VirtualKeyboard\w*|Designer\w*|Location|Positioning\w*|Sensors"
    r"|Bluetooth|Nfc|SerialPort|SerialBus|TextToSpeech|RemoteObjects|Scxml|StateMachine|Sql"
    r"|Test|Graphs\w*|DataVisualization|Charts3D|HttpServer|NetworkAuth)[.]"
)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release tarball, unpacked into a temporary folder."""
    if not TARBALL.is_file():
        pytest.fail(f"There is no {TARBALL.name} in dist/; build it first with 'make installer'.")
    folder = tmp_path_factory.mktemp("release")
    with tarfile.open(TARBALL) as tarball:
        tarball.extractall(folder, filter="tar")
    top = [path.name for path in folder.iterdir()]
    assert top == [RELEASE], f"the tarball should hold one folder, {RELEASE}/, not {top}"
    return folder / RELEASE


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's home that has never seen the app."""
    return tmp_path_factory.mktemp("home")


def bare_env(home: Path, tools: bool = False) -> dict[str, str]:
    """A desktop user's environment without a display: no PYTHONPATH, no virtualenv; with
    ``tools``, the quality gates' tools on PATH first (as pipx or an activated venv has)."""
    path = "/usr/local/bin:/usr/bin:/bin"  # git for the project's repository
    return {
        "HOME": str(home),
        "PATH": f"{TOOLS}:{path}" if tools else path,
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }


def app(
    release: Path,
    home: Path,
    *args: str,
    timeout: float = 110,
    tools: bool = False,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run the bundle's executable from the unpacked tarball, in ``home``."""
    executable = release / NAME / NAME
    done = subprocess.run(
        [str(executable), *args],
        cwd=home,
        env=bare_env(home, tools),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        said = f"{NAME} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        assert done.returncode == 0, said
    return done


def test_the_tarball_holds_the_bundle_and_the_installer(release: Path) -> None:
    assert sorted(path.name for path in release.iterdir()) == ["install-linux.sh", NAME]
    assert os.access(release / "install-linux.sh", os.X_OK)
    assert os.access(release / NAME / NAME, os.X_OK)
    # windows.iss packs the folder the spec writes; it is there after a build.
    assert (REPO / "dist" / NAME / NAME).is_file()


def test_version(release: Path, home: Path) -> None:
    assert app(release, home, "--version").stdout.strip() == f"{NAME} {VERSION}"


def test_without_the_gates_tools_the_code_is_said_unchecked_and_the_rest_is_written(
    release: Path, home: Path
) -> None:
    project = home / "bare"
    app(release, home, "init", str(project), "--sample")
    ran = app(
        release, home, "run", "-p", str(project), "--auto-approve", "--latency-scale", "0",
        "--json", check=False,
    )  # fmt: skip
    run = json.loads(ran.stdout)
    assert set(run["failed"]) == {"QUALITY"}, run
    said = run["failed"]["QUALITY"]
    assert "the code was not checked: no quality gate's tool is installed" in said
    assert "pip install ruff" in said
    assert "Traceback" not in ran.stderr
    written = {p.name for p in (project / "artifacts").glob("*.md")}
    assert written == ARTIFACTS - {"quality-report.md"}
    assert (project / "code" / "pyproject.toml").is_file()


def test_a_sample_project_runs_offline_to_every_artifact(release: Path, home: Path) -> None:
    project = home / "shiftcare"
    app(release, home, "init", str(project), "--sample")
    run = json.loads(
        app(
            release,
            home,
            "run",
            "-p",
            str(project),
            "--auto-approve",
            "--latency-scale",
            "0",
            "--json",
            tools=True,
        ).stdout
    )
    assert run["status"] == "completed", run
    assert run["failed"] == {}
    status = json.loads(app(release, home, "status", "-p", str(project), "--json").stdout)
    bundle = (release / NAME).resolve()
    assert Path(status["project"]["spec_source"]).is_relative_to(bundle)  # the bundled spec
    names = {artifact["name"] for artifact in status["artifacts"]}
    assert names >= ARTIFACTS
    for artifact in status["artifacts"]:
        assert artifact["state"] == "generated", artifact
        text = (project / "artifacts" / artifact["name"]).read_text(encoding="utf-8")
        assert re.search(r"^# \S", text, flags=re.MULTILINE), f"{artifact['name']} has no title"
    revisions = sorted(
        path.stem.split("_")[0]
        for path in (
            bundle / "_internal" / "spec_automation" / "store" / "migrations" / "versions"
        ).glob("*.py")
    )
    with sqlite3.connect(project / ".spec_automation" / "state.db") as database:
        (head,) = database.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revisions
    assert head == revisions[-1]


def _distinct_colours(path: Path) -> int:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path.name} is not an image"
    step = max(1, min(image.width(), image.height()) // 64)
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), step)
            for y in range(0, image.height(), step)
        }
    )


def test_screenshots_render_offscreen(release: Path, home: Path) -> None:
    shots = home / "shots"
    printed = app(release, home, "screenshots", str(shots)).stdout.split()
    pictures = sorted(shots.glob("*.png"))
    assert pictures
    assert {Path(line).name for line in printed} == {picture.name for picture in pictures}
    names = {picture.name for picture in pictures}
    for view in ("welcome", "main", "diff", "settings"):
        assert {f"app-{view}-dark.png", f"app-{view}-light.png"} <= names
    assert any(name.startswith("visualizer-") for name in names)
    for picture in pictures:
        assert _distinct_colours(picture) > 8, f"{picture.name} is blank"


def _tree(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def test_install_linux_then_uninstall(release: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    prefix = tmp_path / "prefix"
    home.mkdir()
    prefix.mkdir()
    env = bare_env(home)
    installed = subprocess.run(
        ["bash", str(release / "install-linux.sh"), "--prefix", str(prefix)],
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert installed.returncode == 0, installed.stderr
    launcher = prefix / "bin" / NAME
    version = subprocess.run(
        [str(launcher), "--version"], env=env, cwd=home, capture_output=True, text=True
    )
    assert version.stdout.strip() == f"{NAME} {VERSION}"
    entry = prefix / "share" / "applications" / f"{NAME}.desktop"
    assert f'Exec="{launcher}" gui' in entry.read_text(encoding="utf-8").splitlines()
    assert (prefix / "share" / "icons" / "hicolor" / "48x48" / "apps" / f"{NAME}.png").is_file()
    assert (prefix / "opt" / NAME / "_internal").is_dir()

    removed = subprocess.run(
        ["bash", str(prefix / "opt" / NAME / "install-linux.sh"), "--uninstall"],
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert removed.returncode == 0, removed.stderr
    assert _tree(prefix) == set()
    assert _tree(home) == set()


def test_the_bundle_leaves_out_the_excluded_qt_modules(release: Path) -> None:
    internal = release / NAME / "_internal"
    carried = [
        str(p.relative_to(internal)) for p in internal.rglob("*") if EXCLUDED_QT.search(p.name)
    ]
    assert carried == []
    for folder in ("qml", "translations"):
        assert not (internal / "PySide6" / "Qt" / folder).exists()
    assert not list(internal.rglob("QtWebEngineProcess*"))
    for needed in ("QtCore", "QtGui", "QtWidgets", "QtCharts", "QtSvg"):
        assert list(internal.glob(f"PySide6/Qt/lib/libQt6{needed[2:]}.so*")), needed
    assert list(internal.glob("PySide6/Qt/plugins/platforms/libqoffscreen.so"))
    assert list(internal.glob("PySide6/Qt/plugins/iconengines/libqsvgicon.so"))


def test_every_qt_library_a_bundled_file_needs_is_bundled(release: Path) -> None:
    internal = release / NAME / "_internal"
    missing: dict[str, list[str]] = {}
    for library in sorted((internal / "PySide6").rglob("*.so*")):
        listed = subprocess.run(["ldd", str(library)], capture_output=True, text=True).stdout
        lost = re.findall(
            r"^\s*((?:libQt6|libpyside6|libshiboken6)\S*) => not found", listed, flags=re.MULTILINE
        )
        if lost:
            missing[str(library.relative_to(internal))] = lost
    assert missing == {}
