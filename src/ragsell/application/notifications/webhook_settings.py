"""A site's webhook: where lead notifications are also POSTed, and the secret that signs them."""

from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.ports.system import IdGenerator
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId
from ragsell.domain.notifications import Webhook, webhook_url
from ragsell.domain.sites import changed_site


class SetWebhook:
    def __init__(self, sites: SiteRepository, ids: IdGenerator) -> None:
        self._sites = sites
        self._ids = ids

    async def __call__(self, owner_id: OwnerId, site_id: str, url: str, *, new_secret: bool = False) -> Webhook:
        """Points the webhook at ``url``; the secret is kept unless ``new_secret`` (or there is none yet)."""
        site = await owned_site(self._sites, owner_id, site_id)
        address = webhook_url(url)
        old = site.webhook
        secret = old.secret if old is not None and not new_secret else self._ids.secret_token()
        webhook = Webhook(url=address, secret=secret)
        if not await self._sites.replace(changed_site(site, webhook=webhook)):
            raise NotFound("There is no such site.")
        return webhook


class RemoveWebhook:
    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def __call__(self, owner_id: OwnerId, site_id: str) -> None:
        site = await owned_site(self._sites, owner_id, site_id)
        if site.webhook is not None and not await self._sites.replace(changed_site(site, webhook=None)):
            raise NotFound("There is no such site.")
