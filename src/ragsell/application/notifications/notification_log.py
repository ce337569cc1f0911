import msgspec

from ragsell.application.ports.mail import Mailer
from ragsell.application.ports.notifications import NotificationQueue
from ragsell.application.ports.repositories import ListCursor, SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId
from ragsell.domain.notifications import LeadNotification, Webhook

MAX_PAGE_SIZE = 100


class NotificationLog(msgspec.Struct, frozen=True, kw_only=True):
    # False: no mail server is configured, so leads are not emailed.
    email_enabled: bool
    webhook: Webhook | None
    deliveries: list[LeadNotification]


class ListNotifications:
    """How a site's lead notifications are sent, and how each went (newest first)."""

    def __init__(self, sites: SiteRepository, queue: NotificationQueue, mailer: Mailer) -> None:
        self._sites = sites
        self._queue = queue
        self._mailer = mailer

    async def __call__(
        self, owner_id: OwnerId, site_id: str, *, before: ListCursor | None = None, limit: int = 50
    ) -> NotificationLog:
        site = await owned_site(self._sites, owner_id, site_id)
        deliveries = await self._queue.list_for_site(site.id, before=before, limit=max(1, min(limit, MAX_PAGE_SIZE)))
        return NotificationLog(email_enabled=self._mailer.enabled, webhook=site.webhook, deliveries=deliveries)
