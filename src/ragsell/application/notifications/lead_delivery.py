from datetime import datetime

from ragsell.application.links import PublicLinks
from ragsell.application.notifications.lead_messages import lead_email, webhook_request
from ragsell.application.ports.mail import DeliveryFailed, Mailer
from ragsell.application.ports.notifications import WebhookSender
from ragsell.application.ports.repositories import LeadRepository, OwnerRepository, SiteRepository
from ragsell.domain.notifications import LeadNotification, NotificationChannel


class LeadDelivery:
    """Sends one lead notification, reading the lead, its site and owner as they are now."""

    def __init__(
        self,
        sites: SiteRepository,
        leads: LeadRepository,
        owners: OwnerRepository,
        mailer: Mailer,
        webhooks: WebhookSender,
        links: PublicLinks,
    ) -> None:
        self._sites = sites
        self._leads = leads
        self._owners = owners
        self._mailer = mailer
        self._webhooks = webhooks
        self._links = links

    async def send(self, notification: LeadNotification, now: datetime) -> None:
        """Raises DeliveryFailed, permanent when what it was about is gone."""
        site = await self._sites.get(notification.owner_id, notification.site_id)
        if site is None:
            raise DeliveryFailed("The site was deleted.", permanent=True)
        lead = await self._leads.get(site.id, notification.lead_id)
        if lead is None:
            raise DeliveryFailed("The lead was deleted before it was sent.", permanent=True)
        if notification.channel is NotificationChannel.EMAIL:
            owner = await self._owners.get(site.owner_id)
            if owner is None or owner.is_closed:
                raise DeliveryFailed("The account is closed.", permanent=True)
            if not self._mailer.enabled:
                raise DeliveryFailed("No mail server is configured.", permanent=True)
            await self._mailer.send(lead_email(to=owner.email, site=site, lead=lead, links=self._links))
            return
        if site.webhook is None:
            raise DeliveryFailed("The site's webhook was removed.", permanent=True)
        await self._webhooks.post(
            webhook_request(
                webhook=site.webhook, notification=notification, site=site, lead=lead, links=self._links, now=now
            )
        )
