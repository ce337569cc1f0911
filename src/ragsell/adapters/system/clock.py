from datetime import UTC, datetime

from ragsell.application.ports.system import Clock


class SystemClock(Clock):
    def now(self) -> datetime:
        # To the millisecond: the precision the store keeps (BSON dates), so a time read
        # back from the store equals the one that was written.
        moment = datetime.now(UTC)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
