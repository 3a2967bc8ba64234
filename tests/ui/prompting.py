"""A scripted prompter that also answers the import questions of the desktop app."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gui import ScriptedPrompter


class ImportPrompter(ScriptedPrompter):
    """Answers the document-type question with scripted types ('' cancels) and the
    start-from question with scripted answers (``True``: use it as the artifact, ``False``:
    import it only, ``None``: cancel); with none scripted, a document is imported only."""

    def __init__(
        self, *answers: str, types: tuple[str, ...] = (), use_as: tuple[bool | None, ...] = ()
    ) -> None:
        super().__init__(*answers)
        self.types = list(types)
        self.types_asked: list[Path] = []
        self.use_as = list(use_as)
        self.use_as_asked: list[tuple[str, str, str, bool]] = []

    def choose_document_type(self, parent: object, path: Path) -> str:
        self.types_asked.append(path)
        return self.types.pop(0)

    def choose_use_as(
        self, parent: object, path: Path, kind: str, artifact: str, replaces: bool
    ) -> str | None:
        self.use_as_asked.append((path.name, kind, artifact, replaces))
        answer = self.use_as.pop(0) if self.use_as else False
        if answer is None:
            return None
        return artifact if answer else ""
