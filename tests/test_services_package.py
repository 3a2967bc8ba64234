"""The services package: every public name resolves to its module's object, lazily."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import spec_automation.services as services


def test_every_public_name_resolves_to_the_object_of_its_module() -> None:
    offered = dict(services._FROM_CORE)
    for module in services._MODULES:
        offered.update(dict.fromkeys(importlib.import_module(module).__all__, module))
    assert {"ProjectService", "RunOptions", "open_project", "to_json", "Strategy"} <= set(offered)
    for name, module in offered.items():
        assert getattr(services, name) is getattr(importlib.import_module(module), name), name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        services.NoSuchThing  # noqa: B018


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_planning_loads_neither_the_store_nor_the_engine() -> None:
    loaded = _loaded_after("from spec_automation.services.plan import plan_project")
    assert "sqlalchemy" not in loaded
    assert "spec_automation.core.engine" not in loaded


def test_opening_a_project_does_not_load_the_engine_or_the_agents() -> None:
    loaded = _loaded_after("from spec_automation.services import open_project, ProjectService")
    assert "spec_automation.core.engine" not in loaded
    assert "spec_automation.agents.runner" not in loaded
