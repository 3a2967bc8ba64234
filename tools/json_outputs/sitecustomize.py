"""Freeze the wall clock for a recorded comparison of --json outputs (monotonic time stays real)."""
import datetime as _dt
import time as _time

_FROZEN = _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC)


class _FrozenDatetime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return _FROZEN if tz is not None else _FROZEN.replace(tzinfo=None)

    @classmethod
    def utcnow(cls):  # type: ignore[override]
        return _FROZEN.replace(tzinfo=None)


_dt.datetime = _FrozenDatetime  # type: ignore[misc]
_time.time = lambda: _FROZEN.timestamp()
