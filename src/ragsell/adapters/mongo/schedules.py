from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from ragsell.adapters.mongo.names import TASK_SCHEDULES
from ragsell.application.ports.system import TaskSchedule

_REVISION = "_rev"


class MongoTaskSchedule(TaskSchedule):
    """One document per task: when its last run was claimed. A claim replaces it whole
    (dates are never written by update operators), guarded by its revision, so of any
    number of concurrent claims one goes through."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._schedules = db[TASK_SCHEDULES]

    async def claim(self, task: str, *, now: datetime, every: timedelta) -> bool:
        document = await self._schedules.find_one({"_id": task})
        if document is None:
            try:
                await self._schedules.insert_one({"_id": task, "last_run_at": now, _REVISION: 0})
            except DuplicateKeyError:
                return False
            return True
        if now - document["last_run_at"] < every:
            return False
        revision = document[_REVISION]
        claimed = {"_id": task, "last_run_at": now, _REVISION: revision + 1}
        return (await self._schedules.replace_one({"_id": task, _REVISION: revision}, claimed)).matched_count == 1
