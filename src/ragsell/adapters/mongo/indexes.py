"""Every index the repositories rely on. Creating an index that exists is a no-op, so
``ensure_indexes`` runs at every start."""

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.names import (
    CHUNK_SOURCES,
    CHUNKS,
    CONVERSATIONS,
    CRAWL_JOBS,
    LEADS,
    MESSAGES,
    NOTIFICATIONS,
    OWNERS,
    PAGE_VIEW_DAYS,
    PAGE_VIEWS,
    PAGES,
    PASSWORD_RESETS,
    PRIVACY_REQUESTS,
    RATE_LIMITS,
    SESSIONS,
    SITES,
    SNIPPETS,
    USAGE,
)

# TTL indexes remove a document once its ``expires_at`` has passed (late: about a minute on
# MongoDB, at the next read on nx-27017); queries filter on ``expires_at`` as well.
_EXPIRES = IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)

INDEXES: dict[str, list[IndexModel]] = {
    # Emails are stored lower-cased, so a plain unique index is case-insensitive (no collation).
    OWNERS: [IndexModel([("email", ASCENDING)], unique=True), IndexModel([("closed_at", ASCENDING)])],
    SESSIONS: [_EXPIRES, IndexModel([("owner_id", ASCENDING)])],
    SITES: [
        IndexModel([("widget_key", ASCENDING)], unique=True),
        IndexModel([("owner_id", ASCENDING), ("created_at", ASCENDING)]),
    ],
    SNIPPETS: [IndexModel([("site_id", ASCENDING), ("created_at", ASCENDING)])],
    PAGES: [IndexModel([("site_id", ASCENDING), ("url", ASCENDING)], unique=True)],
    # nx-27017 uses single-field indexes where MongoDB would use the compound one.
    CHUNKS: [
        IndexModel([("site_id", ASCENDING), ("source", ASCENDING), ("source_key", ASCENDING)]),
        IndexModel([("site_id", ASCENDING)]),
        IndexModel([("source_ref", ASCENDING)]),
    ],
    # Keyed by site, source and source key; listed by site. (knowledge_versions is keyed
    # by site id and needs no index of its own.)
    CHUNK_SOURCES: [IndexModel([("site_id", ASCENDING)])],
    CRAWL_JOBS: [
        IndexModel([("site_id", ASCENDING), ("created_at", ASCENDING)]),
        IndexModel([("state", ASCENDING), ("run_after", ASCENDING)]),
        IndexModel([("state", ASCENDING)]),
        # "active:<site id>" while a job is queued or running, "job:<job id>" otherwise:
        # a plain unique index (partial and sparse ones are not reliable on nx-27017)
        # that lets one job at a time be active for a site.
        IndexModel([("slot", ASCENDING)], unique=True),
    ],
    CONVERSATIONS: [
        IndexModel([("site_id", ASCENDING), ("last_message_at", DESCENDING)]),
        IndexModel([("site_id", ASCENDING), ("started_at", DESCENDING)]),
        IndexModel([("site_id", ASCENDING), ("visitor_id", ASCENDING)]),
    ],
    MESSAGES: [
        IndexModel(
            [("conversation_id", ASCENDING), ("client_message_id", ASCENDING), ("role", ASCENDING)], unique=True
        ),
        IndexModel([("conversation_id", ASCENDING), ("created_at", ASCENDING)]),
        IndexModel([("site_id", ASCENDING)]),
        IndexModel([("site_id", ASCENDING), ("created_at", DESCENDING)]),
    ],
    PAGE_VIEWS: [
        _EXPIRES,
        IndexModel([("site_id", ASCENDING), ("viewed_at", ASCENDING)]),
        IndexModel([("site_id", ASCENDING), ("visitor_id", ASCENDING)]),
    ],
    # Keyed by site and day; listed by site.
    PAGE_VIEW_DAYS: [IndexModel([("site_id", ASCENDING), ("day", ASCENDING)])],
    LEADS: [
        IndexModel([("site_id", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("site_id", ASCENDING), ("visitor_id", ASCENDING)]),
        IndexModel([("site_id", ASCENDING), ("email", ASCENDING)]),
        IndexModel([("site_id", ASCENDING), ("phone", ASCENDING)]),
    ],
    RATE_LIMITS: [_EXPIRES],
    USAGE: [IndexModel([("owner_id", ASCENDING)])],
    PRIVACY_REQUESTS: [
        IndexModel([("owner_id", ASCENDING), ("requested_at", DESCENDING)]),
        IndexModel([("requested_at", ASCENDING)]),
    ],
    PASSWORD_RESETS: [_EXPIRES, IndexModel([("owner_id", ASCENDING)])],
    NOTIFICATIONS: [
        IndexModel([("state", ASCENDING), ("run_after", ASCENDING)]),
        IndexModel([("site_id", ASCENDING), ("created_at", DESCENDING)]),
    ],
}


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    for collection, indexes in INDEXES.items():
        await db[collection].create_indexes(indexes)
