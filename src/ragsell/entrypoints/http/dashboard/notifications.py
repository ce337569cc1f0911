"""A site's lead notifications: the webhook they may go to, and the delivery log."""

from datetime import datetime

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, delete, get, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from ragsell.application.notifications.notification_log import ListNotifications
from ragsell.application.notifications.webhook_settings import RemoveWebhook, SetWebhook
from ragsell.application.sites.get_site import GetSite
from ragsell.domain.notifications import SIGNATURE_HEADER, TIMESTAMP_HEADER, DeliveryState, LeadNotification
from ragsell.entrypoints.http.dashboard.conversations import Before, BeforeId, Limit, list_cursor
from ragsell.entrypoints.http.dashboard.schemas import Url
from ragsell.entrypoints.http.dashboard.security import Auth, authenticated
from ragsell.entrypoints.http.wire import Body, View, view_of

# The secret is in these answers: no cache keeps them.
NO_STORE = {"Cache-Control": "no-store"}


class WebhookBody(Body):
    url: Url
    # Make a new signing secret (the old one stops being used at once).
    new_secret: bool = False


class WebhookView(View):
    url: str
    # HMAC-SHA256 key: the signature header is "sha256=" + hex(HMAC(secret, raw body)).
    secret: str
    signature_header: str = SIGNATURE_HEADER
    timestamp_header: str = TIMESTAMP_HEADER


class DeliveryView(View):
    id: str
    lead_id: str
    channel: str
    # queued (waiting for its first or next try), sending, delivered, failed (given up).
    state: str
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    # When a queued notification is tried next.
    next_attempt_at: datetime | None
    finished_at: datetime | None
    last_error: str | None


class NotificationsView(View):
    # False: no mail server is configured, so leads are not emailed.
    email_enabled: bool
    webhook_url: str | None
    deliveries: list[DeliveryView]


def delivery_view(notification: LeadNotification) -> DeliveryView:
    """Explicit: ``next_attempt_at`` is the notification's ``run_after``, and only while it is queued."""
    queued = notification.state is DeliveryState.QUEUED
    return DeliveryView(
        id=notification.id,
        lead_id=notification.lead_id,
        channel=notification.channel.value,
        state=notification.state.value,
        attempts=notification.attempts,
        created_at=notification.created_at,
        last_attempt_at=notification.last_attempt_at,
        next_attempt_at=notification.run_after if queued else None,
        finished_at=notification.finished_at,
        last_error=notification.last_error,
    )


class NotificationController(Controller):
    path = "/api/sites/{site_id:str}"
    tags = ["notifications"]
    dependencies = {"auth": Provide(authenticated)}

    @get("/notifications", summary="How lead notifications are sent, and each delivery, newest first")
    async def notifications(
        self,
        auth: Auth,
        site_id: FromPath[str],
        list_notifications: FromDishka[ListNotifications],
        before: Before = None,
        before_id: BeforeId = None,
        limit: Limit = 50,
    ) -> NotificationsView:
        log = await list_notifications(auth.owner.id, site_id, before=list_cursor(before, before_id), limit=limit)
        return NotificationsView(
            email_enabled=log.email_enabled,
            webhook_url=None if log.webhook is None else log.webhook.url,
            deliveries=[delivery_view(notification) for notification in log.deliveries],
        )

    @get("/webhook", summary="The site's lead webhook and its signing secret (null: none)")
    async def webhook(
        self, auth: Auth, site_id: FromPath[str], get_site: FromDishka[GetSite]
    ) -> Response[WebhookView | None]:
        site = await get_site(auth.owner.id, site_id)
        return Response(None if site.webhook is None else view_of(site.webhook, WebhookView), headers=NO_STORE)

    @put("/webhook", summary="Send lead notifications to a webhook too (signed JSON POSTs)")
    async def set_webhook(
        self, auth: Auth, site_id: FromPath[str], data: JSONBody[WebhookBody], set_webhook: FromDishka[SetWebhook]
    ) -> Response[WebhookView]:
        webhook = await set_webhook(auth.owner.id, site_id, data.url, new_secret=data.new_secret)
        return Response(view_of(webhook, WebhookView), headers=NO_STORE)

    @delete("/webhook", status_code=HTTP_204_NO_CONTENT, summary="Stop sending lead notifications to the webhook")
    async def remove_webhook(
        self, auth: Auth, site_id: FromPath[str], remove_webhook: FromDishka[RemoveWebhook]
    ) -> None:
        await remove_webhook(auth.owner.id, site_id)
