"""The retention sweep: everything past its retention goes. Workers run it about hourly
(one of them at a time); ``ragsell retention run`` runs it at once, or as a dry run that
only counts."""

from datetime import datetime, timedelta

import msgspec

from ragsell.application.ports.system import Clock, TaskSchedule
from ragsell.application.retention.closed_accounts import ClosedAccounts
from ragsell.application.retention.conversation_retention import ConversationRetention
from ragsell.application.retention.expired_records import ExpiredRecords

TASK = "retention-sweep"
EVERY = timedelta(hours=1)


class SweepReport(msgspec.Struct, frozen=True, kw_only=True):
    swept_at: datetime
    dry_run: bool
    # What was (or, in a dry run, would be) removed, by kind.
    removed: dict[str, int]


class RetentionSweep:
    def __init__(
        self,
        conversations: ConversationRetention,
        expired: ExpiredRecords,
        closed_accounts: ClosedAccounts,
        schedule: TaskSchedule,
        clock: Clock,
    ) -> None:
        self._parts = (conversations, expired, closed_accounts)
        self._schedule = schedule
        self._clock = clock

    async def run(self, *, dry_run: bool = False) -> SweepReport:
        now = self._clock.now()
        removed: dict[str, int] = {}
        for part in self._parts:
            removed.update(await part.sweep(now, dry_run=dry_run))
        return SweepReport(swept_at=now, dry_run=dry_run, removed=removed)

    async def run_if_due(self) -> SweepReport | None:
        """A sweep when none has run for an hour, here or in another worker; else None."""
        if not await self._schedule.claim(TASK, now=self._clock.now(), every=EVERY):
            return None
        return await self.run()
