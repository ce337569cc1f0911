import logging

from ragsell.application.ports.mail import Mailer
from ragsell.application.ports.notifications import NotificationQueue
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.domain.ids import NotificationId
from ragsell.domain.leads import Lead
from ragsell.domain.notifications import NotificationChannel, new_notification
from ragsell.domain.sites import Site

log = logging.getLogger(__name__)


class LeadNotifier:
    """Queues the notifications of a new lead: by email when mail is configured, and to
    the site's webhook when it has one. Workers send them (see RunNotifications)."""

    def __init__(self, queue: NotificationQueue, mailer: Mailer, clock: Clock, ids: IdGenerator) -> None:
        self._queue = queue
        self._mailer = mailer
        self._clock = clock
        self._ids = ids

    async def lead_captured(self, site: Site, lead: Lead) -> None:
        """Call once the lead is stored. Never raises: a notification that cannot be queued
        is logged, and the lead stands."""
        channels = [NotificationChannel.EMAIL] if self._mailer.enabled else []
        if site.webhook is not None:
            channels.append(NotificationChannel.WEBHOOK)
        for channel in channels:
            notification = new_notification(
                notification_id=NotificationId(self._ids.new_id()),
                owner_id=site.owner_id,
                site_id=site.id,
                lead_id=lead.id,
                channel=channel,
                now=self._clock.now(),
            )
            try:
                await self._queue.add(notification)
            except Exception:
                log.exception("lead notification not queued", extra={"lead_id": lead.id, "channel": channel.value})
