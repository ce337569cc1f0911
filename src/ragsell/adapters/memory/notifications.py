from datetime import datetime, timedelta

from ragsell.application.ports.notifications import NotificationQueue
from ragsell.application.ports.repositories import DuplicateKey, ListCursor
from ragsell.domain.ids import NotificationId, SiteId
from ragsell.domain.notifications import DeliveryState, LeadNotification


class InMemoryNotificationQueue(NotificationQueue):
    """Claims check and change a notification without an await in between: atomic on the event loop."""

    def __init__(self) -> None:
        self._notifications: dict[NotificationId, LeadNotification] = {}

    async def add(self, notification: LeadNotification) -> None:
        if notification.id in self._notifications:
            raise DuplicateKey("id")
        self._notifications[notification.id] = notification

    async def claim(self, *, worker: str, now: datetime, lease: timedelta) -> LeadNotification | None:
        due = [n for n in self._notifications.values() if n.claimable(now)]
        if not due:
            return None
        first = min(due, key=lambda n: (n.run_after, n.id))
        claimed = first.claimed(worker=worker, now=now, lease=lease)
        self._notifications[claimed.id] = claimed
        return claimed

    async def settle(self, notification: LeadNotification, *, worker: str) -> bool:
        held = self._notifications.get(notification.id)
        if held is None or held.state is not DeliveryState.SENDING or held.worker != worker:
            return False
        self._notifications[notification.id] = notification
        return True

    async def list_for_site(self, site_id: SiteId, *, before: ListCursor | None, limit: int) -> list[LeadNotification]:
        found = [
            n
            for n in self._notifications.values()
            if n.site_id == site_id and (before is None or before.admits(n.created_at, n.id))
        ]
        found.sort(key=lambda n: (n.created_at, n.id), reverse=True)
        return found[: max(limit, 0)]

    async def erase_site(self, site_id: SiteId) -> None:
        for notification_id in [n.id for n in self._notifications.values() if n.site_id == site_id]:
            del self._notifications[notification_id]
