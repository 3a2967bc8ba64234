"""The installer's descriptions agree with each other and name only files that exist.

The PyInstaller spec is run here with stand-ins for PyInstaller's build classes, once as each
platform would run it, so what it would build on Windows and macOS (which this Linux machine
cannot) is checked too: the executables, the macOS ``.app`` and its ``Info.plist``, the icons,
every data file, and the paths ``windows.iss`` names. Building and running the real bundle is
``make installer-test`` (``smoke_bundle.py``).
"""

from __future__ import annotations

import configparser
import plistlib
import re
import sys
import tomllib
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import spec_automation

REPO = Path(__file__).resolve().parents[2]
INSTALLER = REPO / "installer"
SPEC = INSTALLER / "spec-automation.spec"
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@dataclass
class Built:
    """What the spec asked PyInstaller to build."""

    analysis: dict[str, Any] = field(default_factory=dict)
    executables: list[dict[str, Any]] = field(default_factory=list)
    collect: dict[str, Any] = field(default_factory=dict)
    bundle: dict[str, Any] | None = None
    names: dict[str, Any] = field(default_factory=dict)


def run_spec(monkeypatch: pytest.MonkeyPatch, platform: str) -> Built:
    """Run the spec as PyInstaller would on ``platform``, recording what it declares."""
    built = Built()

    class Analysis:
        def __init__(self, scripts: list[str], **kwargs: Any) -> None:
            built.analysis = {"scripts": scripts, **kwargs}
            self.pure: list[Any] = []
            self.scripts: list[Any] = []
            self.binaries: list[Any] = []
            self.datas = [(dest, src, "DATA") for src, dest in kwargs["datas"]]

    def pyz(*args: Any, **kwargs: Any) -> object:
        return object()

    class Exe:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.executables.append(kwargs)

    def collect(*args: Any, **kwargs: Any) -> object:
        built.collect = {"executables": [a for a in args if isinstance(a, Exe)], **kwargs}
        return object()

    def bundle(*args: Any, **kwargs: Any) -> None:
        built.bundle = kwargs

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda package, filter=None: [package]  # type: ignore[attr-defined]
    names: dict[str, Any] = {
        "SPECPATH": str(INSTALLER),
        "Analysis": Analysis,
        "PYZ": pyz,
        "EXE": Exe,
        "COLLECT": collect,
        "BUNDLE": bundle,
    }
    with monkeypatch.context() as patch:
        for name in ("PyInstaller", "PyInstaller.utils"):
            patch.setitem(sys.modules, name, types.ModuleType(name))
        patch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
        patch.setattr(sys, "platform", platform)
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), names)
    built.names = names
    return built


def test_the_version_is_pyprojects_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    built = run_spec(monkeypatch, "linux")
    assert built.names["VERSION"] == VERSION
    assert spec_automation.__version__ == VERSION  # what the bundle's --version prints


def test_the_bundle_carries_what_the_app_reads_from_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    built = run_spec(monkeypatch, "linux")
    by_dest: dict[str, list[Path]] = {}
    for src, dest in built.analysis["datas"]:
        by_dest.setdefault(dest, []).append(Path(src))
        assert Path(src).exists(), f"the spec names {src}, which does not exist"
    # Where spec_automation/resources.py and store/database.py look in an installed package.
    assert REPO / "orchestrator_spec.yml" in by_dest["spec_automation/_bundled"]
    assert by_dest["spec_automation/_bundled/resources"] == [REPO / "resources"]
    assert by_dest["spec_automation/_bundled/themes"] == [REPO / "themes"]
    migrations = REPO / "spec_automation" / "store" / "migrations"
    assert migrations / "env.py" in by_dest["spec_automation/store/migrations"]
    assert by_dest["spec_automation/store/migrations/versions"] == [migrations / "versions"]
    assert by_dest["share/applications"] == [INSTALLER / "linux" / "spec-automation.desktop"]
    assert built.analysis["scripts"] == [str(REPO / "spec_automation" / "__main__.py")]


def test_unused_qt_modules_are_excluded(monkeypatch: pytest.MonkeyPatch) -> None:
    built = run_spec(monkeypatch, "linux")
    excludes = set(built.analysis["excludes"])
    for module in ("QtWebEngineCore", "QtQml", "QtQuick", "Qt3DCore", "QtMultimedia", "QtPdf"):
        assert f"PySide6.{module}" in excludes
    used = {
        match.group(1)
        for path in (REPO / "spec_automation").rglob("*.py")
        for match in re.finditer(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8"))
    }
    assert used, "the app's Qt modules were not found"
    assert not {f"PySide6.{module}" for module in used} & excludes  # nothing used left out


@pytest.mark.parametrize(
    ("destination", "kept"),
    [
        ("PySide6/Qt/lib/libQt6Quick.so.6", False),
        ("PySide6/Qt/lib/libQt6QmlModels.so.6", False),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", False),
        ("PySide6/Qt/lib/libQt6VirtualKeyboard.so.6", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6\\Qt6Quick.dll", False),
        ("PySide6\\plugins\\imageformats\\qpdf.dll", False),
        ("PySide6/Qt/lib/QtQml.framework/Versions/A/QtQml", False),
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6Charts.so.6", True),
        ("PySide6/Qt/lib/libQt6Svg.so.6", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6\\Qt6Gui.dll", True),
        ("spec_automation/_bundled/resources/prompts/pm.md", True),
    ],
)
def test_the_bundle_leaves_out_only_the_unwanted_qt_files(
    monkeypatch: pytest.MonkeyPatch, destination: str, kept: bool
) -> None:
    wanted = run_spec(monkeypatch, "linux").names["wanted"]
    assert wanted((destination, "source", "BINARY")) is kept


def test_linux_has_one_console_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    built = run_spec(monkeypatch, "linux")
    assert [(e["name"], e["console"]) for e in built.executables] == [("spec-automation", True)]
    assert built.collect["name"] == "spec-automation"
    assert built.bundle is None


def test_windows_adds_a_windowed_executable_with_the_icon(monkeypatch: pytest.MonkeyPatch) -> None:
    built = run_spec(monkeypatch, "win32")
    assert [(e["name"], e["console"]) for e in built.executables] == [
        ("spec-automation", True),
        ("spec-automation-gui", False),
    ]
    for executable in built.executables:
        assert executable["icon"].endswith(".ico")
        assert Path(executable["icon"]).is_file()
    assert built.bundle is None


def test_macos_builds_an_app_with_its_info_plist(monkeypatch: pytest.MonkeyPatch) -> None:
    built = run_spec(monkeypatch, "darwin")
    assert [(e["name"], e["console"]) for e in built.executables] == [("spec-automation", False)]
    assert built.bundle is not None
    assert built.bundle["name"] == "spec-automation.app"
    assert Path(built.bundle["icon"]).is_file()
    assert built.bundle["icon"].endswith(".icns")
    with (INSTALLER / "macos" / "Info.plist").open("rb") as plist_file:
        own = plistlib.load(plist_file)
    plist = built.bundle["info_plist"]
    assert {key: plist[key] for key in own} == own  # the file's keys all arrive
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == VERSION
    assert built.bundle["bundle_identifier"] == own["CFBundleIdentifier"]
    assert plist["LSBackgroundOnly"] is False  # a Dock icon and a menu bar


def _iss_entries(text: str) -> list[dict[str, str]]:
    entries = []
    for line in text.splitlines():
        if re.match(r"^\s*(Source|Name):", line):
            entries.append(dict(re.findall(r'(\w+): "([^"]*)"', line)))
    return entries


def test_windows_iss_names_only_paths_that_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (INSTALLER / "windows.iss").read_text(encoding="utf-8")
    built = run_spec(monkeypatch, "win32")
    settings = dict(re.findall(r"^(\w+)=(.*)$", text, flags=re.MULTILINE))
    assert settings["PrivilegesRequired"] == "lowest"  # per user, no administrator
    assert (INSTALLER / settings["SetupIconFile"].replace("\\", "/")).is_file()
    assert (INSTALLER / settings["OutputDir"].replace("\\", "/")).resolve() == REPO / "dist"
    sources = [e["Source"] for e in _iss_entries(text) if "Source" in e]
    # The bundle's folder is what COLLECT writes under dist/ (the smoke test checks it exists).
    assert sources == [f"..\\dist\\{built.collect['name']}\\*"]
    executables = {f"{e['name']}.exe" for e in built.executables}
    named = set(re.findall(r"\{app\}\\([\w.-]+)", text))
    assert named, "windows.iss starts nothing from the app's folder"
    assert named <= executables, f"windows.iss names {named - executables}, not built"
    assert any(e.get("Name", "").startswith("{autoprograms}") for e in _iss_entries(text))


def test_the_desktop_entry_names_the_launcher_and_the_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(INSTALLER / "linux" / "spec-automation.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"].split()[0] == "spec-automation"  # install-linux.sh rewrites it
    assert desktop["Categories"].endswith(";")
    icons = list((INSTALLER / "icons" / "hicolor").glob(f"*/apps/{desktop['Icon']}.png"))
    assert len(icons) >= 6
    assert (REPO / "resources" / "icons" / f"{desktop['Icon']}.svg").is_file()


@pytest.mark.gui
def test_the_committed_icons_are_the_svgs_rendering(qapp) -> None:
    sys.path.insert(0, str(INSTALLER))
    try:
        import make_icons
    finally:
        sys.path.remove(str(INSTALLER))
    files = make_icons.icon_files()
    assert len(files) == len(make_icons.PNG_SIZES) + 2
    stale = [str(path) for path, data in files.items() if path.read_bytes() != data]
    assert stale == [], "run .venv/bin/python installer/make_icons.py"
    ico = (INSTALLER / "icons" / "spec-automation.ico").read_bytes()
    assert int.from_bytes(ico[4:6], "little") == len(make_icons.ICO_SIZES)
    icns = (INSTALLER / "icons" / "spec-automation.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert int.from_bytes(icns[4:8], "big") == len(icns)
