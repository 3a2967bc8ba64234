"""Commands about the documents a user brings: import, documents (list or show one), and
proposal (what a sprint change proposal changes; --apply to apply it)."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from spec_automation.cli import UserError
from spec_automation.cli.project_commands import opened
from spec_automation.cli.render import EXIT_OK, Output, Table, escape, print_json

if TYPE_CHECKING:
    from spec_automation.services.proposals import ProposalPreview
    from spec_automation.services.reports import DocumentDetail, DocumentInfo

__all__ = ["COMMANDS"]


def _import(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        report = project.documents.import_files(
            args.files, doc_type=args.type, name=args.name, use_as=args.use_as
        )
        if args.json:
            return print_json(out, report)
        for document in report.documents:
            how = "given" if document.type_source == "given" else "detected"
            out.print(
                f"Imported [bold]{escape(document.path)}[/] as a {_label(document.type)} "
                f"({how}): {_yield(document)}"
            )
            _print_findings(out, document)
        if report.used_as:
            out.print(
                f"It is now your [bold]{report.used_as}[/], kept as you wrote it; the next run "
                "writes what goes with it and builds everything after it from it."
            )
        for notice in report.notices:
            out.print(escape(notice))
        out.print(f"See one in full: spec-automation documents show NAME -p {args.project}")
    return EXIT_OK


def _documents(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        if args.action == "show":
            detail = project.documents.show(args.name)
            if args.json:
                return print_json(out, detail)
            document = detail.document
            out.print(f"[bold]{escape(document.title)}[/] ({escape(document.path)})")
            out.print(
                f"Type: {_label(document.type)} ({document.type_source}); version "
                f"{document.version}; {document.lines} lines; imported from "
                f"{escape(document.source) or '-'}"
            )
            for reason in detail.reasons:
                out.print(f"  {escape(reason)}")
            _print_findings(out, document)
            _print_extraction(out, detail)
            return EXIT_OK
        documents = project.documents.imported()
        if args.json:
            return print_json(out, documents)
        if not documents:
            out.print("No documents imported yet. Import one: spec-automation import FILE")
            return EXIT_OK
        table = Table.of("name", "type", "status", "version", "extracted")
        for document in documents:
            table.add_row(
                document.name,
                _label(document.type),
                document.status,
                str(document.version),
                _yield(document),
            )
        out.print(table)
    return EXIT_OK


def _label(value: str) -> str:
    from spec_automation.core.documents import DocumentType

    return DocumentType(value).label


def _yield(document: DocumentInfo) -> str:
    counts = [
        f"{count} {kind.replace('_', ' ')}" for kind, count in document.extracted.items() if count
    ]
    return ", ".join(counts) or "nothing extracted"


def _print_findings(out: Output, document: DocumentInfo) -> None:
    if not document.findings:
        out.print("  [green]No findings:[/] every section this type needs is there.")
        return
    for finding in document.findings:
        colour = "red" if finding.severity == "error" else "yellow"
        out.print(
            f"  [{colour}]{finding.severity}[/] line {finding.line}: {escape(finding.message)}"
        )


def _print_extraction(out: Output, detail: DocumentDetail) -> None:
    extraction = detail.extraction
    if extraction.requirements:
        table = Table.of("id", "requirement", "priority", "criteria", "line", title="Requirements")
        for r in extraction.requirements:
            table.add_row(
                r.identifier,
                r.statement,
                r.priority or "-",
                str(len(r.acceptance_criteria)),
                str(r.line),
            )
        out.print(table)
    rows: list[tuple[str, str, int]] = [
        *(("story", f"As {s.role}, {s.goal}", s.line) for s in extraction.user_stories),
        *(("component", f"{c.name}: {c.responsibility}", c.line) for c in extraction.components),
        *(("entity", f"{e.name} ({', '.join(e.fields)})", e.line) for e in extraction.entities),
        *(("endpoint", f"{e.method} {e.path} {e.summary}", e.line) for e in extraction.endpoints),
        *(
            ("edit", f"{e.target} {e.section}: {e.change}".replace("  ", " "), e.line)
            for e in extraction.proposed_edits
        ),
    ]
    if rows:
        table = Table.of("kind", "what", "line", title="Extracted")
        for kind, what, line in rows:
            table.add_row(kind, what, str(line))
        out.print(table)


def _proposal(args: argparse.Namespace, out: Output) -> int:
    from spec_automation.cli.change_commands import gate_hints, print_regeneration
    from spec_automation.cli.run_commands import run_options

    if args.apply and args.strategy is None:
        raise UserError(
            "say how to regenerate what the edits affect: --strategy regenerate_all, "
            "high_impact_only, manual_review (with --artifacts) or ignore (the edits only)"
        )
    with opened(args.project) as project:
        if not args.apply:
            preview = project.documents.preview_proposal(args.name)
            if args.json:
                return print_json(out, preview)
            _print_preview(out, preview, args.project)
            return EXIT_OK
        artifacts = tuple(a.strip() for a in args.artifacts.split(",") if a.strip())
        report = asyncio.run(
            project.documents.apply_proposal(
                args.name,
                args.strategy,
                artifacts,
                confirm=args.confirm,
                options=run_options(args),
                on_event=None
                if args.json or args.auto_approve
                else gate_hints(out, project.paths.root),
            )
        )
    return print_regeneration(
        out,
        report,
        args.project,
        as_json=args.json,
        after=f"the change proposal {report.trigger_artifact}",
    )


def _print_preview(out: Output, preview: ProposalPreview, project: object) -> None:
    out.print(f"Change proposal [bold]{escape(preview.document)}[/]")
    table = Table.of("edit", "artifact", "section", "written into", "change")
    for number, edit in enumerate(preview.edits, start=1):
        where = edit.lands_in if edit.applies else f"[yellow]{escape(edit.reason)}[/]"
        table.add_row(
            f"{number} (line {edit.line})",
            edit.target or "-",
            edit.section or "-",
            where,
            escape(edit.change),
        )
    out.print(table)
    impact = preview.impact
    if impact.affected:
        affected = Table.of("artifact", "level", "path", title="Affected downstream")
        for a in impact.affected:
            edited = " [yellow](your edits)[/]" if a.user_edited else ""
            affected.add_row(a.artifact + edited, a.level, " -> ".join(a.path))
        out.print(affected)
    else:
        out.print("Nothing downstream of the edited artifacts.")
    out.print(
        f"Recommended: [bold]{impact.recommended_strategy}[/] "
        f"({escape(impact.recommendation)}); about {impact.estimated_duration_s:.0f} s"
    )
    out.print(
        f"Apply it: spec-automation proposal {preview.document.removeprefix('inputs/')} "
        f"--apply --strategy {impact.recommended_strategy} -p {project}"
    )


COMMANDS = {"import": _import, "documents": _documents, "proposal": _proposal}
