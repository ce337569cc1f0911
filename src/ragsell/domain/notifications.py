"""Telling an owner about a new lead: by email, and by webhook when the site has one.

Each notification is a job kept in the store (the lead is stored before it), claimed by
a worker under a lease and tried again with exponential backoff until it is delivered
or given up. It holds ids only: what it says is read from the lead when it is sent.
"""

import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum

import msgspec

from ragsell.domain.errors import InvalidUrl, InvalidValue
from ragsell.domain.ids import LeadId, NotificationId, OwnerId, SiteId
from ragsell.domain.urls import normalize_url

MAX_DELIVERY_ATTEMPTS = 8
FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=1)
MAX_ERROR_LENGTH = 300
MIN_SECRET_LENGTH = 32
SIGNATURE_HEADER = "X-Ragsell-Signature"
TIMESTAMP_HEADER = "X-Ragsell-Timestamp"


class NotificationChannel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryState(StrEnum):
    # Waiting for its first try, or for the next one after a failure.
    QUEUED = "queued"
    # A worker holds it under a lease.
    SENDING = "sending"
    DELIVERED = "delivered"
    # Given up: a permanent failure, or too many attempts.
    FAILED = "failed"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 2, 4 ... minutes, at most an hour."""
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


class LeadNotification(msgspec.Struct, frozen=True, kw_only=True):
    id: NotificationId
    owner_id: OwnerId
    site_id: SiteId
    lead_id: LeadId
    channel: NotificationChannel
    state: DeliveryState
    created_at: datetime
    # Not tried before this.
    run_after: datetime
    attempts: int = 0
    worker: str | None = None
    lease_expires_at: datetime | None = None
    last_attempt_at: datetime | None = None
    finished_at: datetime | None = None
    last_error: str | None = None

    def __post_init__(self) -> None:
        if (self.state is DeliveryState.SENDING) != (self.worker is not None and self.lease_expires_at is not None):
            raise InvalidValue("A notification being sent, and only one, has a worker and a lease.")
        if (self.finished_at is not None) != (self.state in (DeliveryState.DELIVERED, DeliveryState.FAILED)):
            raise InvalidValue("Finished notifications, and only they, have a finish time.")
        if self.last_error is not None and len(self.last_error) > MAX_ERROR_LENGTH:
            raise InvalidValue(f"A delivery error is at most {MAX_ERROR_LENGTH} characters.")
        if self.attempts < 0:
            raise InvalidValue("Attempts are counted from zero.")

    def claimable(self, now: datetime) -> bool:
        if self.state is DeliveryState.QUEUED:
            return self.run_after <= now
        return (
            self.state is DeliveryState.SENDING and self.lease_expires_at is not None and self.lease_expires_at <= now
        )

    def claimed(self, *, worker: str, now: datetime, lease: timedelta) -> "LeadNotification":
        return _changed(
            self,
            state=DeliveryState.SENDING,
            worker=worker,
            lease_expires_at=now + lease,
            attempts=self.attempts + 1,
            last_attempt_at=now,
        )

    def delivered(self, now: datetime) -> "LeadNotification":
        return _changed(
            self, state=DeliveryState.DELIVERED, worker=None, lease_expires_at=None, finished_at=now, last_error=None
        )

    def failed(self, now: datetime, error: str, *, permanent: bool) -> "LeadNotification":
        """Queued again after the backoff, or given up when ``permanent`` or out of attempts."""
        error = error[:MAX_ERROR_LENGTH]
        if permanent or self.attempts >= MAX_DELIVERY_ATTEMPTS:
            return _changed(
                self, state=DeliveryState.FAILED, worker=None, lease_expires_at=None, finished_at=now, last_error=error
            )
        return _changed(
            self,
            state=DeliveryState.QUEUED,
            worker=None,
            lease_expires_at=None,
            run_after=now + retry_delay(self.attempts),
            last_error=error,
        )


def _changed(notification: LeadNotification, **changes: object) -> LeadNotification:
    """A copy with ``changes``, its rules checked again (``structs.replace`` skips them)."""
    fields = {name: getattr(notification, name) for name in notification.__struct_fields__}
    return LeadNotification(**{**fields, **changes})  # type: ignore[arg-type]


def new_notification(
    *,
    notification_id: NotificationId,
    owner_id: OwnerId,
    site_id: SiteId,
    lead_id: LeadId,
    channel: NotificationChannel,
    now: datetime,
) -> LeadNotification:
    return LeadNotification(
        id=notification_id,
        owner_id=owner_id,
        site_id=site_id,
        lead_id=lead_id,
        channel=channel,
        state=DeliveryState.QUEUED,
        created_at=now,
        run_after=now,
    )


class Webhook(msgspec.Struct, frozen=True, kw_only=True):
    """Where a site's lead notifications are also POSTed, and the secret they are signed with."""

    url: str
    secret: str

    def __post_init__(self) -> None:
        if normalize_url(self.url) != self.url:
            raise InvalidValue("Webhook addresses are stored normalized.", field="url")
        if len(self.secret) < MIN_SECRET_LENGTH:
            raise InvalidValue("A webhook secret has at least 32 characters.", field="secret")


def webhook_url(raw: str) -> str:
    """An http(s) address an owner typed for their webhook, normalized."""
    try:
        return normalize_url(raw)
    except InvalidUrl as error:
        raise InvalidUrl(error.message, field="url") from None


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header: HMAC-SHA256 of the raw body under the site's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
