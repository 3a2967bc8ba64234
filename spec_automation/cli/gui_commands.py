"""Commands that open the desktop app or render its pictures (Qt loads only here)."""

from __future__ import annotations

import argparse

from spec_automation.cli.render import EXIT_OK, Output
from spec_automation.services.plan import project_paths

__all__ = ["COMMANDS"]


def _gui(args: argparse.Namespace, out: Output) -> int:
    del out
    if args.project is not None:
        # A folder that holds no project is a clear error now rather than in a dialog; the
        # project itself opens in the window, after it has appeared.
        project_paths(args.project)
    from spec_automation.ui.app import run_gui  # Qt only when the GUI opens

    return run_gui(args.project)


def _screenshots(args: argparse.Namespace, out: Output) -> int:
    from spec_automation.ui.screenshots import render_screenshots

    for path in render_screenshots(args.folder):
        out.print(str(path))
    return EXIT_OK


COMMANDS = {"gui": _gui, "screenshots": _screenshots}
