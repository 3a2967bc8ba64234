"""A phase call's time limit: waits that are not the phase's own work do not count."""

from __future__ import annotations

import asyncio

import pytest

from spec_automation.core.time_limit import TimeLimit


async def test_work_past_the_limit_times_out():
    limit = TimeLimit(0.1)
    with pytest.raises(TimeoutError):
        async with limit.applied():
            await asyncio.sleep(0.3)


async def test_an_excluded_wait_does_not_count_against_the_limit():
    limit = TimeLimit(0.2)
    async with limit.applied():
        async with limit.excluded():
            await asyncio.sleep(0.3)  # longer than the whole limit
        remaining = limit.remaining()
        assert remaining is not None
        assert 0.1 < remaining <= 0.2
        await asyncio.sleep(0.1)  # the phase's own work, within what is left
    assert limit.excluded_s == pytest.approx(0.3, abs=0.1)


async def test_work_after_an_excluded_wait_still_meets_the_limit():
    limit = TimeLimit(0.2)

    async def wait_then_work() -> None:
        async with limit.applied():
            async with limit.excluded():
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.4)

    with pytest.raises(TimeoutError):
        await wait_then_work()


async def test_no_limit_never_times_out():
    limit = TimeLimit(None)
    async with limit.applied(), limit.excluded():
        await asyncio.sleep(0.01)
    assert limit.remaining() is None
