"""How long data is kept."""

from datetime import datetime, timedelta

import msgspec

from ragsell.domain.errors import InvalidValue


class RetentionPolicy(msgspec.Struct, frozen=True, kw_only=True):
    # How long a closed account's data is kept before it is purged.
    closed_account_grace: timedelta = timedelta(days=30)
    # Raw page views (URL, referrer, visitor id); daily counts outlive them.
    raw_page_views: timedelta = timedelta(days=30)
    # Finished crawl jobs (each site's latest is kept, for its crawl status).
    finished_crawl_jobs: timedelta = timedelta(days=30)
    # Records of privacy requests (they hold no personal data but the owner's id).
    privacy_requests: timedelta = timedelta(days=3 * 365)

    def __post_init__(self) -> None:
        if self.closed_account_grace < timedelta(0) or self.raw_page_views < timedelta(hours=1):
            raise InvalidValue("Retention periods must be positive (raw page views: at least an hour).")
        if min(self.finished_crawl_jobs, self.privacy_requests) < timedelta(days=1):
            raise InvalidValue("Crawl jobs and privacy-request records are kept at least a day.")

    def account_purge_due(self, closed_at: datetime, now: datetime) -> bool:
        return now >= self.purge_after(closed_at)

    def page_view_expiry(self, viewed_at: datetime) -> datetime:
        return viewed_at + self.raw_page_views

    def purge_after(self, closed_at: datetime) -> datetime:
        """When a closed account's data goes."""
        return closed_at + self.closed_account_grace


def conversation_cutoff(retention_days: int | None, now: datetime) -> datetime | None:
    """Conversations whose last message is older than this have expired; None: none expire."""
    return None if retention_days is None else now - timedelta(days=retention_days)


def conversation_expired(*, last_message_at: datetime, retention_days: int | None, now: datetime) -> bool:
    """Per-site window: a conversation goes once its last message is older than it."""
    return retention_days is not None and now - last_message_at > timedelta(days=retention_days)
