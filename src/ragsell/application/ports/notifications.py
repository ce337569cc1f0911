"""Lead notifications: the jobs that carry them, and the webhook they may go to."""

from datetime import datetime, timedelta
from typing import Protocol

import msgspec

from ragsell.application.ports.repositories import ListCursor
from ragsell.domain.ids import SiteId
from ragsell.domain.notifications import LeadNotification


class WebhookRequest(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    # Sent exactly as signed.
    body: bytes
    headers: dict[str, str]


class WebhookSender(Protocol):
    async def post(self, request: WebhookRequest) -> None:
        """POST the body; returns on a 2xx answer. Raises DeliveryFailed (``mail``), permanent
        when the address is one the server never connects to."""


class NotificationQueue(Protocol):
    async def add(self, notification: LeadNotification) -> None:
        """Raises DuplicateKey when the id is taken."""

    async def claim(self, *, worker: str, now: datetime, lease: timedelta) -> LeadNotification | None:
        """Atomically take the notification due longest (queued and due, or being sent under
        an expired lease) for ``worker``; None when none is due."""

    async def settle(self, notification: LeadNotification, *, worker: str) -> bool:
        """Store how a try ended (delivered, failed, or queued again) while ``worker`` still
        holds the notification; False when it lost it."""

    async def list_for_site(self, site_id: SiteId, *, before: ListCursor | None, limit: int) -> list[LeadNotification]:
        """Newest first (ties: larger id first), after ``before`` when given."""
