"""How long data is kept."""

from datetime import datetime, timedelta

import msgspec

from ragsell.domain.errors import InvalidValue


class RetentionPolicy(msgspec.Struct, frozen=True, kw_only=True):
    # How long a closed account's data is kept before it is purged.
    closed_account_grace: timedelta = timedelta(days=30)
    # Raw page views (URL, referrer, visitor id); daily counts outlive them.
    raw_page_views: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        if self.closed_account_grace < timedelta(0) or self.raw_page_views < timedelta(hours=1):
            raise InvalidValue("Retention periods must be positive (raw page views: at least an hour).")

    def account_purge_due(self, closed_at: datetime, now: datetime) -> bool:
        return now >= closed_at + self.closed_account_grace

    def page_view_expiry(self, viewed_at: datetime) -> datetime:
        return viewed_at + self.raw_page_views


def conversation_expired(*, last_message_at: datetime, retention_days: int | None, now: datetime) -> bool:
    """Per-site window: a conversation goes once its last message is older than it."""
    return retention_days is not None and now - last_message_at > timedelta(days=retention_days)
