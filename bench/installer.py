"""The installer's figures: build time, bundle size, and the bundled app's start-up beside the
source tree's.

* the build: ``make installer`` (PyInstaller, then the tarball), timed once (``--no-build``
  measures the bundle already in ``dist/``);
* the size of ``dist/spec-automation/`` (files, MB, and its largest parts) and of the tarball;
* start-up, best of several runs after a warm-up, each its own process, from a temporary HOME on
  the bundled sample: ``--version``, ``plan`` and ``status`` (the command line), and, when
  ``Xvfb`` and ``xwininfo`` are installed (``apt-get install xvfb x11-utils libxcb-icccm4
  libxcb-keysyms1``), the desktop app until its main window is mapped on an X server. The
  source tree runs as ``.venv/bin/python -m spec_automation`` with byte-code caches written
  and used, as an installed copy would.

Run: .venv/bin/python bench/installer.py [--no-build]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "spec-automation"
RUNS = 7
GUI_RUNS = 3
_MAIN_WINDOW = re.compile(r'\s*(0x[0-9a-f]+) "spec_automation": \("[^"]*" "spec_automation"\)\s+(\d+)x')


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **extra}


def _tool(name: str) -> str:
    """The full path of a program on PATH."""
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"This benchmark needs {name}, which is not installed.")
    return found


def build() -> float:
    """Seconds ``make installer`` takes."""
    start = time.monotonic()
    subprocess.run([_tool("make"), "-s", "installer"], cwd=ROOT, check=True, capture_output=True)
    return time.monotonic() - start


def size_mb(folder: Path) -> tuple[int, float]:
    """Number of files under ``folder`` and their size in MB."""
    # PyInstaller links some libraries into _internal/ beside their real place: count each once.
    files = [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]
    return len(files), sum(path.stat().st_size for path in files) / 1e6


def largest_parts(folder: Path, count: int = 6) -> list[tuple[str, float]]:
    """The biggest top-level entries of the bundle's ``_internal/``, in MB."""
    internal = folder / "_internal"
    parts = [
        (entry.name, size_mb(entry)[1] if entry.is_dir() else entry.stat().st_size / 1e6)
        for entry in internal.iterdir()
        if not entry.is_symlink()
    ]
    return sorted(parts, key=lambda part: -part[1])[:count]


def best_of(command: list[str], env: dict[str, str], cwd: Path) -> float:
    """The fastest of ``RUNS`` runs of ``command`` after a warm-up (seconds)."""
    subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=True)
    times = []
    for _ in range(RUNS):
        start = time.monotonic()
        subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=True)
        times.append(time.monotonic() - start)
    return min(times)


def _window_mapped(display: str) -> bool:
    """Whether a main window of the app (bigger than a helper window) is viewable."""
    env = {**os.environ, "DISPLAY": display}
    xwininfo = _tool("xwininfo")
    tree = subprocess.run([xwininfo, "-root", "-tree"], env=env, capture_output=True, text=True)
    for line in tree.stdout.splitlines():
        # The window's title and its WM_CLASS class are the application's name.
        match = _MAIN_WINDOW.match(line)
        if match and int(match.group(2)) > 100:
            info = subprocess.run(
                [xwininfo, "-id", match.group(1)], env=env, capture_output=True, text=True
            )
            if "IsViewable" in info.stdout:
                return True
    return False


def window_time(command: list[str], env: dict[str, str], cwd: Path, display: str) -> float:
    """Seconds from starting ``command`` until its main window is mapped (best of a few)."""

    def once() -> float:
        start = time.monotonic()
        process = subprocess.Popen(
            command, env={**env, "DISPLAY": display}, cwd=cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            while not _window_mapped(display):
                if process.poll() is not None or time.monotonic() - start > 60:
                    raise RuntimeError(f"{command[0]} showed no window")
                time.sleep(0.01)
            return time.monotonic() - start
        finally:
            process.send_signal(signal.SIGKILL)  # only its start-up is measured
            process.wait(timeout=30)

    once()
    return min(once() for _ in range(GUI_RUNS))


def start_x_server() -> tuple[subprocess.Popen[bytes], str] | None:
    """An Xvfb server on a free display, or None when Xvfb or xwininfo is missing."""
    if shutil.which("Xvfb") is None or shutil.which("xwininfo") is None:
        return None
    read, write = os.pipe()
    server = subprocess.Popen(
        [_tool("Xvfb"), "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    with os.fdopen(read) as numbers:
        display = numbers.readline().strip()
    return server, f":{display}"


def main(argv: list[str] | None = None) -> int:
    """Measure and print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="measure the existing bundle")
    args = parser.parse_args(argv)
    if not args.no_build:
        print(f"build (make installer): {build():.1f} s")
    executable = BUNDLE / "spec-automation"
    if not executable.is_file():
        print("There is no bundle in dist/; run 'make installer' first.", file=sys.stderr)
        return 2
    files, megabytes = size_mb(BUNDLE)
    print(f"bundle dist/spec-automation/: {megabytes:.0f} MB in {files} files")
    for name, part in largest_parts(BUNDLE):
        print(f"    {part:6.1f} MB  _internal/{name}")
    for tarball in sorted((ROOT / "dist").glob("spec-automation-*-linux-*.tar.gz")):
        print(f"tarball {tarball.name}: {tarball.stat().st_size / 1e6:.0f} MB")

    source = [str(ROOT / ".venv" / "bin" / "python"), "-m", "spec_automation"]
    bundled = [str(executable)]
    with tempfile.TemporaryDirectory(prefix="bench-installer-") as folder:
        home = Path(folder)
        env = _env(home)
        source_env = _env(home, PYTHONPYCACHEPREFIX=str(home / "pycache"))
        project = home / "shiftcare"
        subprocess.run([*bundled, "init", str(project), "--sample"], env=env, cwd=home,
                       check=True, capture_output=True)  # fmt: skip
        subprocess.run([*bundled, "run", "-p", str(project), "--latency-scale", "0",
                        "--auto-approve"], env=env, cwd=home, check=True,
                       capture_output=True)  # fmt: skip
        rows: list[tuple[str, Callable[[list[str], dict[str, str]], float]]] = [
            (name, lambda cli, e, a=tail: best_of([*cli, *a], e, home))
            for name, tail in (
                ("--version", ["--version"]),
                ("plan", ["plan", "-p", str(project)]),
                ("status", ["status", "-p", str(project)]),
            )
        ]
        server = start_x_server()
        if server is not None:
            display = server[1]
            rows.append(
                ("window shown (Xvfb)",
                 lambda cli, e: window_time([*cli, "gui", "-p", str(project)], e, home, display))
            )  # fmt: skip
        print(f"start-up, best of {RUNS} ({GUI_RUNS} for the window)     source    bundle")
        try:
            for name, measure in rows:
                from_source, from_bundle = measure(source, source_env), measure(bundled, env)
                print(f"  {name:28} {1000 * from_source:7.0f} ms {1000 * from_bundle:7.0f} ms"
                      f"  ({from_bundle / from_source:.2f}x)")  # fmt: skip
        finally:
            if server is not None:
                server[0].terminate()
                server[0].wait(timeout=10)
        if server is None:
            print("  window shown: not measured (needs Xvfb and xwininfo)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
