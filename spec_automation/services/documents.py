"""Documents in: importing the user's own PRDs, specs and change proposals into ``inputs/``.

Every file is read and checked before anything is written: it must be markdown or plain text,
at most :data:`MAX_DOCUMENT_BYTES`, UTF-8 (or UTF-16 with a byte-order mark), of a known type
(detected from its structure, or named by the user), stored under a plain file name inside
``inputs/``, and not already imported. Then each one is copied into ``inputs/``, its text
versioned like an artifact's, and its row and processing results recorded in one transaction.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spec_automation.core.artifacts import content_hash
from spec_automation.core.documents import (
    Component,
    DocumentType,
    Endpoint,
    Entity,
    Extraction,
    Finding,
    ProcessedDocument,
    ProposedEdit,
    Requirement,
    UserStory,
    detect_type,
    process,
    with_identifiers,
)
from spec_automation.core.project_texts import INPUTS_PREFIX
from spec_automation.git_repo import GitError
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import (
    ProjectError,
    environment_message,
    said_as_project_error,
)
from spec_automation.services.options import RunOptions
from spec_automation.services.reports import DocumentDetail, DocumentInfo, ImportReport
from spec_automation.store.documents import DocumentStore, Processing
from spec_automation.store.errors import StoreError
from spec_automation.store.records import DocumentRecord, ProcessingRecord
from spec_automation.workspace import (
    MAX_DOCUMENT_BYTES,
    UnsafeFileError,
    read_chosen_bytes,
    read_text_inside,
    refuse_links_below,
)

if TYPE_CHECKING:
    from spec_automation.core.events import EventSink
    from spec_automation.core.impact import Strategy
    from spec_automation.services.proposals import ProposalPreview
    from spec_automation.services.reports import RegenerationReport
    from spec_automation.services.runs import PhaseRunnerFactory

__all__ = [
    "DOCUMENT_SUFFIXES",
    "USES",
    "Documents",
    "UnknownDocumentType",
    "read_document_file",
]

#: The file endings of the documents the app imports: markdown and plain text.
DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt", ".text")
_TYPES = ", ".join(t.value for t in DocumentType)
#: The artifacts an imported document can become, and the type it must be.
USES = {"prd.md": DocumentType.PRD, "architecture.md": DocumentType.TECHNICAL_SPEC}
_NAME_LIMIT = 120
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:]")


class UnknownDocumentType(ProjectError):
    """The type of ``path`` could not be told from its structure: the caller asks the user
    and imports again with the type given."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True, slots=True)
class _Checked:
    """A document read and processed, ready to be written."""

    source: Path
    name: str
    text: str
    type: DocumentType
    type_source: str
    reasons: tuple[str, ...]
    processed: ProcessedDocument
    duration_ms: float
    use_as: str  # the artifact it becomes ("" for none)
    imported_hash: str = ""  # when read again after an edit: the text last imported


class Documents:
    """The documents of one open project: import, list and show (``ProjectService.documents``)."""

    def __init__(
        self, project: ProjectState, phase_runner: PhaseRunnerFactory | None = None
    ) -> None:
        self._project = project
        self._phase_runner = phase_runner
        self._store = DocumentStore(
            project.db, project.project_id, project.history, clock=project.clock
        )

    # --- reading ---------------------------------------------------------------------------

    def imported(self) -> tuple[DocumentInfo, ...]:
        """Every imported document, by name, with its findings and what was extracted."""
        with said_as_project_error(StoreError):
            return tuple(self._info(record)[0] for record in self._store.documents())

    def show(self, name: str) -> DocumentDetail:
        """One imported document in full (``ProjectError`` when there is none by that name)."""
        with said_as_project_error(StoreError):
            record = self._store.document(_bare(name))
            if record is None:
                known = ", ".join(r.name for r in self._store.documents()) or "none yet"
                raise ProjectError(
                    f"no imported document named {name!r} (imported: {known}); "
                    "import one with `spec-automation import FILE`"
                )
            info, result = self._info(record)
        return DocumentDetail(
            document=info,
            reasons=tuple(str(r) for r in record.meta.get("reasons", ())),
            extraction=_extraction_from(result.extraction if result else {}),
        )

    def preview_proposal(self, name: str) -> ProposalPreview:
        """What applying the imported sprint change proposal ``name`` would change: each edit
        mapped to its artifact, and their combined impact (nothing is written)."""
        from spec_automation.services import proposals

        return proposals.preview_proposal(self._project, name)

    async def apply_proposal(
        self,
        name: str,
        strategy: Strategy | str,
        artifacts: Sequence[str] = (),
        *,
        confirm: bool = False,
        on_event: EventSink | None = None,
        options: RunOptions | None = None,
    ) -> RegenerationReport:
        """Write the proposal's edits as your versions of the artifacts they name, then
        regenerate what they affect as ``strategy`` says (``ignore``: the edits only)."""
        from spec_automation.services import proposals

        if self._phase_runner is None:
            raise ProjectError("this project was opened without a way to run phases")
        return await proposals.apply_proposal(
            self._project,
            name,
            strategy,
            artifacts,
            confirm=confirm,
            on_event=on_event,
            options=options or RunOptions(),
            phase_runner=self._phase_runner,
        )

    def text(self, name: str) -> str:
        """The text of an imported document's file in ``inputs/``."""
        path = self._project.paths.inputs / _bare(name)
        try:
            return read_text_inside(self._project.paths.root, path, limit=MAX_DOCUMENT_BYTES)
        except FileNotFoundError:
            raise ProjectError(f"{path} is gone; import the document again") from None
        except (UnsafeFileError, UnicodeDecodeError, OSError) as exc:
            raise ProjectError(f"cannot read {path}: {exc}") from None

    def _info(self, record: DocumentRecord) -> tuple[DocumentInfo, ProcessingRecord | None]:
        result = self._store.latest_processing(record.id)
        findings = tuple(_finding_from(f) for f in result.findings) if result else ()
        extraction = result.extraction if result else {}
        meta = record.meta
        info = DocumentInfo(
            name=record.name,
            path=record.path,
            type=record.doc_type,
            type_source=str(meta.get("type_source", "detected")),
            title=str(meta.get("title", record.name)),
            status=record.status,
            version=record.version,
            content_hash=record.content_hash,
            lines=int(meta.get("lines", 0)),
            source=str(meta.get("source", "")),
            use_as=str(meta.get("use_as", "")),
            imported_at=record.imported_at,
            updated_at=record.updated_at,
            findings=findings,
            extracted={
                kind: len(items) for kind, items in extraction.items() if isinstance(items, list)
            },
        )
        return info, result

    # --- importing -------------------------------------------------------------------------

    def import_files(
        self,
        files: Sequence[Path],
        *,
        doc_type: str | None = None,
        name: str | None = None,
        use_as: str | None = None,
    ) -> ImportReport:
        """Import ``files`` into ``inputs/``; every file is checked before any is written.

        ``doc_type`` names the type instead of detecting it, and ``name`` the file name in
        ``inputs/`` (one file only). ``use_as`` makes one imported PRD the project's
        ``prd.md`` (a technical spec its ``architecture.md``) as the user's version, kept as
        the artifact: its phase only writes the companions, and what follows is built from it
        (a PRD's requirements without identifiers get ``FR-n`` written in). Raises
        ``ProjectError`` saying what is wrong, with nothing written, for a file that is not
        text, too large, not UTF-8, of no type the app can tell, under a name outside
        ``inputs/``, already imported, or not of the type ``use_as`` needs.
        """
        if not files:
            raise ProjectError("name at least one document to import")
        if name is not None and len(files) > 1:
            raise ProjectError("a name can be given to one document at a time")
        if use_as is not None and len(files) > 1:
            raise ProjectError(f"import the document to use as {use_as} on its own")
        given = _document_type(doc_type) if doc_type is not None else None
        if use_as is not None:
            self._refuse_bad_use(use_as)
        checked = [self._check(Path(f), given, name, use_as) for f in files]
        _refuse_repeats(checked)
        with said_as_project_error(StoreError):
            records = [self._write(item) for item in checked]
            if use_as is not None:
                self._use(checked[0], use_as)
            documents = tuple(self._info(record)[0] for record in records)
        paths = [self._project.paths.root / r.path for r in records]
        message = "Import " + ", ".join(r.path for r in records)
        if use_as is not None:
            paths.append(self._project.paths.artifact(use_as))
            message += f" as {use_as}"
        return ImportReport(
            documents=documents,
            used_as=use_as or "",
            notices=tuple(self._commit(paths, message)),
        )

    def reprocess(self, paths: Sequence[str]) -> None:
        """Read again the documents edited since they were imported (``inputs/NAME``, as
        the scan recorded them): their findings and records follow the text, their type
        stays. A file that cannot be read now is left as the store has it."""
        for path in paths:
            name = _bare(path)
            record = self._store.document(name)
            if record is None:
                continue
            try:
                text = self.text(name)
            except ProjectError:
                continue
            kind = DocumentType(record.doc_type)
            started = time.perf_counter()
            processed = process(text, kind)
            item = _Checked(
                source=Path(str(record.meta.get("source") or record.path)),
                name=name,
                text=text,
                type=kind,
                type_source=str(record.meta.get("type_source", "detected")),
                reasons=tuple(str(r) for r in record.meta.get("reasons", ())),
                processed=processed,
                duration_ms=(time.perf_counter() - started) * 1000,
                use_as=str(record.meta.get("use_as", "")),
                imported_hash=str(record.meta.get("imported_hash", record.content_hash)),
            )
            with said_as_project_error(StoreError):
                self._write(item, write=False)

    def _refuse_bad_use(self, artifact: str) -> None:
        if artifact not in USES:
            raise ProjectError(
                f"a document can be used as {' or '.join(USES)}, not as {artifact!r}"
            )
        if artifact not in self._project.spec.artifacts:
            raise ProjectError(f"this project's spec has no artifact {artifact}")

    def _use(self, item: _Checked, artifact: str) -> None:
        """Make the imported document the artifact: a user version, kept as made from the
        inputs its phase has now."""
        from spec_automation.services import artifacts
        from spec_automation.services.freshness import inputs_now

        text = item.text
        if item.type is DocumentType.PRD:
            text = with_identifiers(text, item.processed.extraction.requirements)
        artifacts.save_artifact(self._project, artifact, text)
        phase = self._project.spec.producer_of(artifact).name
        self._project.history.keep({artifact: inputs_now(self._project, phase)})

    def _commit(self, paths: Sequence[Path], message: str) -> list[str]:
        """Commit the imported files (and the artifact one became) to the project's
        repository; a failure is a notice."""
        git = self._project.git
        if git is None:
            return []
        names = ", ".join(p.name for p in paths)
        try:
            git.commit(paths, message)
        except GitError as exc:
            return [
                f"the documents are imported, but the git commit of {names} failed: {exc}; "
                f"commit them yourself (cd {self._project.paths.root} && git add inputs && "
                "git commit)"
            ]
        return []

    def _check(
        self, source: Path, given: DocumentType | None, name: str | None, use_as: str | None
    ) -> _Checked:
        text = read_document_file(source)
        stored_name = _stored_name(name if name is not None else source.name)
        self._refuse_unsafe_target(stored_name)
        same = self._store.with_hash(content_hash(text))
        if same is not None:
            raise ProjectError(
                f"{source} is already imported as {same.path} (the same text); nothing was done"
            )
        if not text.strip():
            raise ProjectError(f"{source} is empty: there is nothing to import")
        detection = detect_type(text)
        chosen = given or detection.type
        if chosen is None:
            raise UnknownDocumentType(_undetected(source, detection.scores), source)
        if use_as is not None and USES[use_as] is not chosen:
            raise ProjectError(
                f"{source} is a {chosen.label}; only a {USES[use_as].label} can be used as {use_as}"
            )
        started = time.perf_counter()
        processed = process(text, chosen)
        if use_as is not None and not _usable(processed):
            raise ProjectError(
                f"{source} gives nothing to build on as {use_as} (no "
                f"{'requirements' if chosen is DocumentType.PRD else 'components'} were found); "
                f"see `spec-automation documents show` after a plain import for why"
            )
        return _Checked(
            source=source,
            name=stored_name,
            text=text,
            type=chosen,
            type_source="given" if given is not None else "detected",
            reasons=detection.reasons,
            processed=processed,
            duration_ms=(time.perf_counter() - started) * 1000,
            use_as=use_as or "",
        )

    def _refuse_unsafe_target(self, name: str) -> None:
        """Refuse a target that is a link, or a file in ``inputs/`` that no import wrote (or
        that was changed since): importing over it would lose the user's text."""
        paths = self._project.paths
        target = paths.inputs / name
        try:
            refuse_links_below(paths.root, target)
        except UnsafeFileError as exc:
            raise ProjectError(f"{exc}: the document cannot be stored there") from None
        if not (target.exists() or target.is_symlink()):
            return
        record = self._store.document(name)
        if record is None:
            raise ProjectError(
                f"{target} already exists and was not imported by the app; import the document "
                "under another name (rename its file, or --name) or move that file away"
            )
        try:
            on_disk = read_text_inside(paths.root, target, limit=MAX_DOCUMENT_BYTES)
        except (OSError, UnicodeDecodeError):
            on_disk = None
        imported = record.meta.get("imported_hash", record.content_hash)
        if on_disk is None or content_hash(on_disk) != imported:
            raise ProjectError(
                f"{target} was changed since it was imported; keep those changes by importing "
                "the new text under another name (rename its file, or --name), or move the file "
                "away first"
            )

    def _write(self, item: _Checked, *, write: bool = True) -> DocumentRecord:
        paths = self._project.paths
        target = paths.inputs / item.name
        processed = item.processed
        status = "errors" if processed.errors else "warnings" if processed.warnings else "ok"
        meta: dict[str, Any] = {
            "title": _title(item.text) or item.name,
            "source": str(item.source),
            "type_source": item.type_source,
            "reasons": list(item.reasons),
            "lines": item.text.count("\n") + (not item.text.endswith("\n")),
            **({"use_as": item.use_as} if item.use_as else {}),
            # The text last imported (an edit made in the project since is not it).
            "imported_hash": content_hash(item.text) if write else item.imported_hash,
        }
        try:
            paths.inputs.mkdir(exist_ok=True)
            return self._store.store(
                item.name,
                item.text,
                doc_type=item.type.value,
                meta=meta,
                processing=Processing(
                    processor=item.type.value,
                    status=status,
                    findings=[dataclasses.asdict(f) for f in processed.findings],
                    extraction=dataclasses.asdict(processed.extraction),
                    duration_ms=round(item.duration_ms, 3),
                ),
                write=(lambda text: paths.write_text(target, text)) if write else _unwritten,
            )
        except OSError as exc:
            message = environment_message(exc)
            raise ProjectError(message or f"cannot write {target}: {exc.strerror or exc}") from None


def _unwritten(_text: str) -> None:
    """The file already holds the text (it was edited on disk)."""


def _usable(processed: ProcessedDocument) -> bool:
    extraction = processed.extraction
    if processed.type is DocumentType.PRD:
        return bool(extraction.requirements)
    return bool(extraction.components or extraction.entities or extraction.endpoints)


def read_document_file(path: Path) -> str:
    """The text of a document the user chose to import, or a ``ProjectError`` saying why it
    cannot be one: missing, a folder or device, not markdown or text, too large, binary, or
    in an encoding the app does not read. UTF-16 with a byte-order mark is read; a UTF-8
    byte-order mark is dropped; line endings become ``\\n``."""
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        kind = f"a {suffix} file" if suffix else "a file without an ending"
        raise ProjectError(
            f"{path} is {kind}; the app imports markdown (.md) and plain text (.txt): "
            "export the document as one of those and import that"
        )
    try:
        data = read_chosen_bytes(path, limit=MAX_DOCUMENT_BYTES)
    except FileNotFoundError:
        raise ProjectError(f"{path} not found") from None
    except UnsafeFileError as exc:
        if "larger than" in exc.problem:
            raise ProjectError(
                f"{path} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB, the largest "
                "document the app imports; split it into smaller documents"
            ) from None
        raise ProjectError(str(exc)) from None
    except OSError as exc:
        raise ProjectError(f"{path} cannot be read ({exc.strerror or exc})") from None
    text = _decoded(path, data)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decoded(path: Path, data: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:8192]:
        raise ProjectError(
            f"{path} holds binary data, not text; import a markdown or plain-text document"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProjectError(
            f"{path} is not UTF-8 text (perhaps Latin-1 or Windows-1252); save it as UTF-8 "
            "and import it again"
        ) from None


def _stored_name(name: str) -> str:
    """The file name a document is stored under in ``inputs/``, or a ``ProjectError`` when
    it would land outside that folder or is not a plain markdown or text file name."""
    stripped = name.strip()
    if not stripped or stripped in {".", ".."} or _UNSAFE_NAME.search(stripped):
        raise ProjectError(
            f"{name!r} is not a plain file name: a document is stored as inputs/NAME, so the "
            "name cannot hold folders, '..' or control characters"
        )
    if stripped.startswith("."):
        raise ProjectError(f"{name!r} starts with a dot (a hidden file); give a visible name")
    if len(stripped) > _NAME_LIMIT:
        raise ProjectError(f"{name!r} is longer than {_NAME_LIMIT} characters; shorten it")
    if Path(stripped).suffix.lower() not in DOCUMENT_SUFFIXES:
        raise ProjectError(f"{name!r} must end in .md or .txt, as the document it stores")
    return stripped


def _bare(name: str) -> str:
    """A document's name as stored, whether given as ``NAME`` or ``inputs/NAME``."""
    return name.removeprefix(INPUTS_PREFIX).strip()


def _refuse_repeats(checked: Sequence[_Checked]) -> None:
    names: dict[str, Path] = {}
    hashes: dict[str, Path] = {}
    for item in checked:
        if item.name in names:
            raise ProjectError(
                f"{names[item.name]} and {item.source} would both be stored as inputs/"
                f"{item.name}; import one of them under another name (rename its file, or --name)"
            )
        digest = content_hash(item.text)
        if digest in hashes:
            raise ProjectError(f"{hashes[digest]} and {item.source} hold the same text")
        names[item.name] = hashes[digest] = item.source


def _document_type(value: str) -> DocumentType:
    try:
        return DocumentType(value.strip().lower())
    except ValueError:
        raise ProjectError(f"{value!r} is not a document type; the types are {_TYPES}") from None


def _undetected(source: Path, scores: Sequence[tuple[DocumentType, int]]) -> str:
    closest = [t.label for t, score in scores if score > 0][:2]
    hint = f" (it reads a little like a {' or a '.join(closest)})" if closest else ""
    return (
        f"could not tell what kind of document {source} is{hint}; say which with --type ({_TYPES})"
    )


def _title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def _finding_from(data: Mapping[str, Any]) -> Finding:
    return Finding(
        line=int(data.get("line", 0)),
        severity="error" if data.get("severity") == "error" else "warning",
        message=str(data["message"]),
    )


def _extraction_from(data: Mapping[str, Any]) -> Extraction:
    """The records of a stored extraction (the JSON ``dataclasses.asdict`` made)."""

    def rows(kind: str) -> list[dict[str, Any]]:
        return [row for row in data.get(kind, ()) if isinstance(row, dict)]

    return Extraction(
        requirements=tuple(
            Requirement(**{**r, "acceptance_criteria": tuple(r.get("acceptance_criteria", ()))})
            for r in rows("requirements")
        ),
        user_stories=tuple(UserStory(**r) for r in rows("user_stories")),
        components=tuple(Component(**r) for r in rows("components")),
        entities=tuple(
            Entity(**{**r, "fields": tuple(r.get("fields", ()))}) for r in rows("entities")
        ),
        endpoints=tuple(Endpoint(**r) for r in rows("endpoints")),
        proposed_edits=tuple(ProposedEdit(**r) for r in rows("proposed_edits")),
    )
