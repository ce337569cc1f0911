"""A worker's turn at lead notifications: claim the one due longest, send it, and record
how it went (delivered, to be tried again after a backoff, or given up)."""

import logging
from datetime import timedelta

from ragsell.application.notifications.lead_delivery import LeadDelivery
from ragsell.application.ports.mail import DeliveryFailed
from ragsell.application.ports.notifications import NotificationQueue
from ragsell.application.ports.system import Clock
from ragsell.domain.notifications import LeadNotification

log = logging.getLogger(__name__)

# Longer than any send takes (mail and webhook adapters time out well within it).
LEASE = timedelta(seconds=90)


class RunNotifications:
    def __init__(self, queue: NotificationQueue, delivery: LeadDelivery, clock: Clock) -> None:
        self._queue = queue
        self._delivery = delivery
        self._clock = clock

    async def run_next(self, worker: str) -> LeadNotification | None:
        """Send one due notification; None when none was due."""
        claimed = await self._queue.claim(worker=worker, now=self._clock.now(), lease=LEASE)
        if claimed is None:
            return None
        try:
            await self._delivery.send(claimed, self._clock.now())
            outcome = claimed.delivered(self._clock.now())
        except DeliveryFailed as error:
            outcome = claimed.failed(self._clock.now(), error.reason, permanent=error.permanent)
        except Exception as error:
            log.exception("lead notification failed", extra={"notification_id": claimed.id})
            outcome = claimed.failed(self._clock.now(), f"Unexpected error ({type(error).__name__}).", permanent=False)
        if not await self._queue.settle(outcome, worker=worker):
            log.warning("lead notification taken over by another worker", extra={"notification_id": claimed.id})
        return outcome
