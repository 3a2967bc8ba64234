"""Approval gates: deciding one, and the gatekeepers a run waits on."""

from __future__ import annotations

import asyncio

from spec_automation.core.ports import (
    Clock,
    GateDecision,
    GateRequest,
    GateState,
    GateStatus,
    RunRecorder,
)
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import ProjectError
from spec_automation.services.reports import GateInfo
from spec_automation.store.errors import StoreError

__all__ = ["AutoApprover", "StoreGatekeeper", "decide_gate"]


def decide_gate(
    project: ProjectState, gate: str, *, approved: bool, note: str = "", decided_by: str = "user"
) -> GateInfo:
    """Approve or reject a gate that is waiting (a running workflow picks it up)."""
    gates = project.spec.gates()
    if gate not in gates:
        known = ", ".join(sorted(gates)) or "none"
        raise ProjectError(f"the spec has no approval gate named {gate!r} (gates: {known})")
    if not approved and not note.strip():
        raise ProjectError(
            "say why the gate is rejected (a note), so the phase can be redone with it"
        )
    recorder = project.recorder()
    try:
        recorder.gate_state(gate)
    except StoreError:
        raise ProjectError(
            f"gate {gate} has not been opened yet: it opens when phase {gates[gate]} finishes"
        ) from None
    state = recorder.decide_gate(gate, approved, decided_by, note, project.clock.now())
    return GateInfo(state.gate, state.phase, str(state.status), state.decided_by, state.note)


class AutoApprover:
    """Approves every gate at once and records who did (``--auto-approve``)."""

    def __init__(self, recorder: RunRecorder, clock: Clock) -> None:
        self.recorder = recorder
        self.clock = clock

    async def wait(self, request: GateRequest, state: GateState) -> GateDecision:  # noqa: ARG002
        """Approve and record it."""
        note = "approved automatically (--auto-approve)"
        await asyncio.to_thread(
            self.recorder.decide_gate, request.gate, True, "auto-approve", note, self.clock.now()
        )
        return GateDecision(True, "auto-approve", note)


class StoreGatekeeper:
    """Waits for a decision written to the store by anyone (the CLI's ``approve``, the GUI)."""

    def __init__(self, recorder: RunRecorder, interval_s: float) -> None:
        self.recorder = recorder
        self.interval_s = interval_s

    async def wait(self, request: GateRequest, state: GateState) -> GateDecision:
        """Poll the gate until it is approved or rejected."""
        while state.status == GateStatus.PENDING:
            await asyncio.sleep(self.interval_s)
            state = await asyncio.to_thread(self.recorder.gate_state, request.gate)
        return GateDecision(state.status == GateStatus.APPROVED, state.decided_by, state.note)
