"""The data map: every collection ragsell keeps, every field stored in it, which fields
are personal data (and of what kind), and the retention rule of each collection.

A test runs a realistic workload on the Mongo store, reads every document of every
collection and fails when a stored field is missing here, and when a collection here is
not in ``names.py`` (or one there is not here). docs/privacy.md presents the same facts.

Field paths are dotted; ``[]`` stands for the items of an array and ``*`` for any key of
a subdocument keyed by ids (usage per site, request counts per kind).
"""

from enum import StrEnum

import msgspec

from ragsell.adapters.mongo import names


class Personal(StrEnum):
    """Kinds of personal data. A field not marked holds none."""

    # The owner's name and email address.
    OWNER_IDENTITY = "owner_identity"
    # What proves who an owner is: the password hash, session, reset and CSRF token
    # hashes or tokens, the webhook signing secret.
    OWNER_SECRET = "owner_secret"  # noqa: S105 - a kind of data, not a secret
    # A log-in's IP address and user agent, and the session's times.
    LOGIN_METADATA = "login_metadata"
    # The owner's random account id, as a reference from other records.
    ACCOUNT_ID = "account_id"
    # The random id the widget keeps in a visitor's browser.
    VISITOR_ID = "visitor_id"
    # The name, email address and phone number a visitor chose to give in a lead form.
    VISITOR_CONTACT = "visitor_contact"
    # What a visitor wrote or chose: messages, a lead's message, ratings of answers.
    VISITOR_CONTENT = "visitor_content"
    # Which page a visitor viewed, where they came from, and when.
    BROWSING = "browsing"
    # Whom a rate-limit window counts: a site and visitor id, an owner's id or email, or
    # a client's IP address.
    RATE_SUBJECT = "rate_subject"


class Retention(StrEnum):
    """How long a collection's documents are kept."""

    # Until the account is purged: the grace period after it closes
    # (RAGSELL_CLOSED_ACCOUNT_GRACE_DAYS), or at once when the owner asks.
    ACCOUNT = "account"
    # While the site exists: removed with it, and with the account when it is purged.
    SITE = "site"
    # As SITE, and removed once the last message is older than the site's conversation
    # window (retention_days); erased on a visitor's request.
    CONVERSATION_WINDOW = "conversation_window"
    # As SITE; erased (or corrected) on the visitor's request.
    VISITOR_REQUEST = "visitor_request"
    # RAGSELL_PAGE_VIEW_RETENTION_DAYS after the view (TTL index and retention sweep);
    # erased on a visitor's request. The daily counts stay with the site.
    RAW_PAGE_VIEWS = "raw_page_views"
    # Until the session expires (idle and absolute timeouts; TTL index and sweep); all of
    # an owner's end when the account is deleted.
    SESSION = "session"
    # An hour (TTL index); used links go at once.
    RESET_LINK = "reset_link"
    # Until the window ends, an hour at most (TTL index and sweep); a visitor's go with
    # their erasure, an owner's with the account.
    RATE_WINDOW = "rate_window"
    # Finished jobs 30 days after they end (each site's latest stays while the site does).
    FINISHED_JOB = "finished_job"
    # Three years after the request (retention sweep).
    PRIVACY_RECORD = "privacy_record"
    # Kept: counters and times of the service itself, no personal data.
    SERVICE = "service"


class CollectionMap(msgspec.Struct, frozen=True, kw_only=True):
    holds: str
    retention: Retention
    fields: dict[str, Personal | None]

    def personal_fields(self) -> dict[str, Personal]:
        return {path: kind for path, kind in self.fields.items() if kind is not None}


P = Personal

_BRANDING = {
    f"branding.{name}": None
    for name in (
        "assistant_name",
        "colour",
        "greeting",
        "position",
        "language",
        "tone",
        "suggested_questions[]",
        "auto_open",
        "avatar_url",
        "privacy_policy_url",
    )
}
_CRAWL = {
    f"crawl.{name}": None for name in ("include_patterns[]", "exclude_patterns[]", "schedule", "www_is_same_site")
}

DATA_MAP: dict[str, CollectionMap] = {
    names.OWNERS: CollectionMap(
        holds="Owner accounts.",
        retention=Retention.ACCOUNT,
        fields={
            "_id": P.ACCOUNT_ID,
            "name": P.OWNER_IDENTITY,
            "email": P.OWNER_IDENTITY,
            "password_hash": P.OWNER_SECRET,
            "plan": None,
            "created_at": None,
            "closed_at": None,
        },
    ),
    names.SESSIONS: CollectionMap(
        holds="Dashboard log-in sessions (the cookie's token is stored as its hash only).",
        retention=Retention.SESSION,
        fields={
            "_id": P.OWNER_SECRET,
            "owner_id": P.ACCOUNT_ID,
            "csrf_token": P.OWNER_SECRET,
            "created_at": P.LOGIN_METADATA,
            "last_seen_at": P.LOGIN_METADATA,
            "absolute_expires_at": P.LOGIN_METADATA,
            "expires_at": P.LOGIN_METADATA,
            "ip": P.LOGIN_METADATA,
            "user_agent": P.LOGIN_METADATA,
        },
    ),
    names.PASSWORD_RESETS: CollectionMap(
        holds="Password-reset links (the token's hash only).",
        retention=Retention.RESET_LINK,
        fields={"_id": P.OWNER_SECRET, "owner_id": P.ACCOUNT_ID, "created_at": None, "expires_at": None},
    ),
    names.SITES: CollectionMap(
        holds="Sites and their settings.",
        retention=Retention.SITE,
        fields={
            "_id": None,
            "owner_id": P.ACCOUNT_ID,
            "widget_key": None,
            "name": None,
            "url": None,
            **_BRANDING,
            "allowed_origins[]": None,
            **_CRAWL,
            "retention_days": None,
            "voice_enabled": None,
            "voice": None,
            "voice.voice_id": None,
            "voice.model": None,
            "created_at": None,
            "country": None,
            "webhook": None,
            "webhook.url": None,
            "webhook.secret": P.OWNER_SECRET,
            # Set when the account closes: the widget key finds the site no more.
            "suspended": None,
        },
    ),
    names.SNIPPETS: CollectionMap(
        holds="Texts and Q&A pairs the owner wrote for the knowledge base.",
        retention=Retention.SITE,
        fields={
            "_id": None,
            "site_id": None,
            "kind": None,
            "title": None,
            "question": None,
            "text": None,
            "created_at": None,
        },
    ),
    names.PAGES: CollectionMap(
        holds="What the last crawl found at each URL of a site (public pages).",
        retention=Retention.SITE,
        fields={
            "_id": None,
            "site_id": None,
            "url": None,
            "outcome": None,
            "reason": None,
            "title": None,
            "checked_at": None,
            "content_hash": None,
            "etag": None,
            "last_modified": None,
            "chunk_count": None,
            "embedding_model": None,
        },
    ),
    names.CHUNKS: CollectionMap(
        holds="Embedded passages of a site's pages and snippets.",
        retention=Retention.SITE,
        fields={
            "_id": None,
            "id": None,
            "site_id": None,
            "source": None,
            "source_key": None,
            "title": None,
            "heading_path[]": None,
            "text": None,
            "position": None,
            "embedding_model": None,
            "vector": None,
            "sentence_vectors": None,
            "source_ref": None,
            "generation": None,
        },
    ),
    names.CHUNK_SOURCES: CollectionMap(
        holds="Which generation of chunks is current for each page or snippet.",
        retention=Retention.SITE,
        fields={"_id": None, "site_id": None, "source": None, "source_key": None, "generation": None},
    ),
    names.KNOWLEDGE_VERSIONS: CollectionMap(
        holds="Per site, two counters (never reused, so it outlives the site's chunks).",
        retention=Retention.SERVICE,
        fields={"_id": None, "generation": None, "version": None},
    ),
    names.CRAWL_JOBS: CollectionMap(
        holds="Crawl jobs, claimed by workers under a lease.",
        retention=Retention.FINISHED_JOB,
        fields={
            "_id": None,
            "site_id": None,
            "owner_id": P.ACCOUNT_ID,
            "state": None,
            "created_at": None,
            "run_after": None,
            "attempts": None,
            "worker": None,
            "lease_expires_at": None,
            "progress.found": None,
            "progress.done": None,
            "progress.failed": None,
            "finished_at": None,
            "error": None,
            "_rev": None,
            "slot": None,
        },
    ),
    names.CONVERSATIONS: CollectionMap(
        holds="Conversations between a visitor and a site's assistant.",
        retention=Retention.CONVERSATION_WINDOW,
        fields={
            "_id": None,
            "site_id": None,
            "visitor_id": P.VISITOR_ID,
            "started_at": P.VISITOR_CONTENT,
            "last_message_at": P.VISITOR_CONTENT,
            "_rev": None,
        },
    ),
    names.MESSAGES: CollectionMap(
        holds="The messages of conversations: the visitor's and the assistant's replies.",
        retention=Retention.CONVERSATION_WINDOW,
        fields={
            "_id": None,
            "conversation_id": None,
            "site_id": None,
            "role": None,
            "text": P.VISITOR_CONTENT,
            "client_message_id": None,
            "created_at": P.VISITOR_CONTENT,
            "channel": None,
            "citations[].url": None,
            "citations[].title": None,
            "citations[].heading": None,
            "answered": None,
            "model_usage": None,
            "model_usage.stop_reason": None,
            "model_usage.input_tokens": None,
            "model_usage.output_tokens": None,
            "feedback": P.VISITOR_CONTENT,
        },
    ),
    names.PAGE_VIEWS: CollectionMap(
        holds="Raw page views: the page URL and referrer only (no query strings), for 'active now'.",
        retention=Retention.RAW_PAGE_VIEWS,
        fields={
            "_id": None,
            "site_id": None,
            "visitor_id": P.VISITOR_ID,
            "url": P.BROWSING,
            "referrer": P.BROWSING,
            "viewed_at": P.BROWSING,
            "expires_at": None,
        },
    ),
    names.PAGE_VIEW_DAYS: CollectionMap(
        holds="Page views counted per site and UTC day.",
        retention=Retention.SITE,
        fields={"_id": None, "site_id": None, "day": None, "views": None},
    ),
    names.LEADS: CollectionMap(
        holds="Contact details visitors left to be contacted.",
        retention=Retention.VISITOR_REQUEST,
        fields={
            "_id": None,
            "site_id": None,
            "visitor_id": P.VISITOR_ID,
            "conversation_id": None,
            "name": P.VISITOR_CONTACT,
            "email": P.VISITOR_CONTACT,
            "phone": P.VISITOR_CONTACT,
            "message": P.VISITOR_CONTENT,
            "kind": None,
            "status": None,
            "page_url": P.BROWSING,
            "created_at": None,
        },
    ),
    names.NOTIFICATIONS: CollectionMap(
        holds="Lead notifications to the owner (email, webhook): ids only, the lead is read when sending.",
        retention=Retention.SITE,
        fields={
            "_id": None,
            "owner_id": P.ACCOUNT_ID,
            "site_id": None,
            "lead_id": None,
            "channel": None,
            "state": None,
            "created_at": None,
            "run_after": None,
            "attempts": None,
            "worker": None,
            "lease_expires_at": None,
            "last_attempt_at": None,
            "finished_at": None,
            "last_error": None,
            "_rev": None,
        },
    ),
    names.USAGE: CollectionMap(
        holds="Units used per owner, meter and billing period, in total and per site.",
        retention=Retention.ACCOUNT,
        fields={
            "_id": P.ACCOUNT_ID,
            "owner_id": P.ACCOUNT_ID,
            "meter": None,
            "period_start": None,
            "used": None,
            "by_site.*": None,
        },
    ),
    names.RATE_LIMITS: CollectionMap(
        holds="Rate-limit windows: a count under a key naming a rule and whom it counts.",
        retention=Retention.RATE_WINDOW,
        fields={"_id": P.RATE_SUBJECT, "count": None, "expires_at": None},
    ),
    names.PRIVACY_REQUESTS: CollectionMap(
        holds="What was asked in each privacy request and what came of it; never the subject's values.",
        retention=Retention.PRIVACY_RECORD,
        fields={
            "_id": None,
            "requester": None,
            "owner_id": P.ACCOUNT_ID,
            "action": None,
            "subject": None,
            "site_id": None,
            "requested_at": None,
            "counts.*": None,
        },
    ),
    names.TASK_SCHEDULES: CollectionMap(
        holds="When each periodic task last ran.",
        retention=Retention.SERVICE,
        fields={"_id": None, "last_run_at": None, "_rev": None},
    ),
}
