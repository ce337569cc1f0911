from datetime import datetime, timedelta

from ragsell.application.ports.system import TaskSchedule


class InMemoryTaskSchedule(TaskSchedule):
    """Check-and-set without an await in between: one claim wins on the event loop."""

    def __init__(self) -> None:
        self._last_run: dict[str, datetime] = {}

    async def claim(self, task: str, *, now: datetime, every: timedelta) -> bool:
        last = self._last_run.get(task)
        if last is not None and now - last < every:
            return False
        self._last_run[task] = now
        return True
