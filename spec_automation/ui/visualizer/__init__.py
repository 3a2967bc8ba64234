"""The live wave visualizer: watch a workflow run, control it, see the time it saved.

One widget, ``RunWorkspace``, holds the graph view ("waveVisualizer"), the timeline
("timelineView"), the metrics view ("metricsView"), the run controls and the banners. The
desktop app's main window hosts it; ``python -m spec_automation.ui.visualizer PROJECT`` runs it
on its own. ``render_screenshots(directory)`` writes the documentation screenshots.
"""

from __future__ import annotations

from spec_automation.ui.visualizer.bridge import EngineEventBridge
from spec_automation.ui.visualizer.run_workspace import RunWorkspace
from spec_automation.ui.visualizer.screenshots import render_screenshots

__all__ = ["EngineEventBridge", "RunWorkspace", "render_screenshots"]
