"""Artifact files: the front matter reads back as written, hashes are SHA-256."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
import yaml

from spec_automation.core.artifacts import (
    ArtifactHeader,
    content_hash,
    render_artifact,
    split_front_matter,
)


def header(**overrides: object) -> ArtifactHeader:
    values: dict[str, object] = {
        "artifact": "prd.md",
        "phase": "SPEC_PM",
        "agent": "pm",
        "provider": "offline",
        "version": 3,
        "generated_at": datetime(2026, 11, 22, 3, 40, tzinfo=UTC),
        "run_id": 7,
        "inputs": {"analysis.md": "ab" * 32, "stack.md": "12" * 32},
    }
    values.update(overrides)
    return ArtifactHeader(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "phase",
    [
        "SPEC_PM",
        "Threat modelling",
        "a: b",
        "true",
        "123",
        "1e10",
        "ünïcode",
        'quote " and \\ slash',
        "#x",
        "- dash",
    ],
)
def test_front_matter_reads_back_exactly_as_written(phase: str) -> None:
    h = header(phase=phase, inputs={"0-intro.md": "0" * 64, "null.md": "e" * 64})
    meta, body = split_front_matter(render_artifact(h, "# Title\n\nBody."))
    assert meta == yaml.safe_load(yaml.safe_dump(h.as_dict()))
    assert meta is not None
    assert meta["phase"] == phase
    assert meta["version"] == 3
    assert body == "# Title\n\nBody.\n"


def test_front_matter_without_inputs() -> None:
    meta, _ = split_front_matter(render_artifact(header(inputs={}), "# A"))
    assert meta is not None
    assert meta["inputs"] == {}


def test_content_hash_is_sha256_hex() -> None:
    assert content_hash("abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(content_hash("")) == 64


def test_unclosed_front_matter_is_an_error() -> None:
    with pytest.raises(ValueError, match="never closed"):
        split_front_matter("---\nphase: x\n# no end")


def test_text_without_front_matter() -> None:
    assert split_front_matter("# Just a doc\n") == (None, "# Just a doc\n")


def test_front_matter_a_person_edited_into_an_alias_bomb_is_refused_not_expanded() -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
        for i in range(8)
    ]
    text = "---\n" + "\n".join(bomb) + "\n---\n# Title\n"
    with pytest.raises(ValueError, match=r"^front matter: ") as info:
        split_front_matter(text)  # 10**9 items if expanded: refused at once instead
    assert "alias" in str(info.value)


def test_front_matter_keeps_its_plain_values() -> None:
    meta, body = split_front_matter("---\nphase: SPEC_PM\nversion: 3\nrun_id: 12\n---\n# PRD\n")
    assert meta == {"phase": "SPEC_PM", "version": 3, "run_id": 12}
    assert body == "# PRD\n"
