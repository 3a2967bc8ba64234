"""The desktop app: Qt widgets, dialogs and the qasync loop (the only place Qt is imported)."""

from spec_automation.ui.compat import keep_none_alive

keep_none_alive()
