"""Accepting a phase's output: it must name exactly the phase's artifacts; each is rendered
with its front matter and validated; a regeneration keeps only the artifacts in its scope."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from spec_automation.core.artifacts import (
    ArtifactHeader,
    content_hash,
    render_artifact,
    split_front_matter,
)
from spec_automation.core.ports import ArtifactDraft, PhaseError, PhaseOutput
from spec_automation.core.spec import PhaseSpec
from spec_automation.core.validation import validate_artifacts

__all__ = ["accept_output", "body_of", "same_bodies"]


def accept_output(
    phase: PhaseSpec,
    output: PhaseOutput,
    *,
    input_hashes: Mapping[str, str],
    versions: Mapping[str, int],
    generated_at: datetime,
    run_id: int,
    keep: Collection[str] | None = None,
) -> tuple[tuple[ArtifactDraft, ...], tuple[str, ...]]:
    """The drafts to store (only those in ``keep`` when given) and the validation warnings.

    Raises ``PhaseError`` when the output names an artifact the phase does not declare, lacks
    one it does, or fails validation.
    """
    produced = set(output.artifacts)
    foreign = sorted(produced - set(phase.produces))
    if foreign:
        raise PhaseError(f"produced {', '.join(foreign)}, which the phase does not declare")
    missing = [a for a in phase.produces if a not in produced]
    if missing:
        raise PhaseError(f"did not produce {', '.join(missing)}")
    rendered: dict[str, str] = {}
    for artifact in phase.produces:
        header = ArtifactHeader(
            artifact=artifact,
            phase=phase.name,
            agent=phase.agent,
            provider=output.provider,
            model=output.model,
            version=versions.get(artifact, 0) + 1,
            generated_at=generated_at,
            run_id=run_id,
            inputs=dict(input_hashes),
        )
        rendered[artifact] = render_artifact(header, output.artifacts[artifact])
    report = validate_artifacts(phase.validators, rendered)
    if not report.ok:
        raise PhaseError("validation failed: " + "; ".join(str(i) for i in report.errors))
    drafts = tuple(
        ArtifactDraft(a, c, content_hash(c), versions.get(a, 0) + 1)
        for a, c in rendered.items()
        if keep is None or a in keep
    )
    return drafts, (*output.notes, *(str(w) for w in report.warnings))


def same_bodies(drafts: tuple[ArtifactDraft, ...], contents: Mapping[str, str]) -> bool:
    """True when every draft's body equals the artifact's current body (front matter, which
    records the version and time, aside)."""
    return bool(drafts) and all(
        d.name in contents and body_of(d.content) == body_of(contents[d.name]) for d in drafts
    )


def body_of(content: str) -> str:
    """An artifact's content without its front matter."""
    try:
        return split_front_matter(content)[1].strip()
    except ValueError:
        return content.strip()
