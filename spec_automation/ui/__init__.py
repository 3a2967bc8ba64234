"""The desktop app: Qt widgets, dialogs and the qasync loop (the only place Qt is imported)."""
