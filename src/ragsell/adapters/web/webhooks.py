"""Lead webhooks, POSTed through the guarded fetcher: the owner's URL gets the same
address checks and pinning as every URL the crawler fetches."""

from ragsell.adapters.web.fetcher import FetchError, FetchLimits, GuardedFetcher, Refused
from ragsell.application.ports.mail import DeliveryFailed
from ragsell.application.ports.notifications import WebhookRequest, WebhookSender

WEBHOOK_LIMITS = FetchLimits(total_seconds=15.0, idle_seconds=10.0)


class GuardedWebhookSender(WebhookSender):
    def __init__(self, fetcher: GuardedFetcher) -> None:
        self._fetcher = fetcher

    async def post(self, request: WebhookRequest) -> None:
        try:
            status = await self._fetcher.post(request.url, request.body, request.headers)
        except Refused as error:
            raise DeliveryFailed(f"The webhook address was refused ({error.reason}).", permanent=True) from None
        except FetchError as error:
            raise DeliveryFailed(f"The webhook could not be reached ({error.reason}).") from None
        if 300 <= status < 400:
            raise DeliveryFailed(f"The webhook answered with a redirect ({status}); webhooks do not follow redirects.")
        if not 200 <= status < 300:
            raise DeliveryFailed(f"The webhook answered {status}.")
