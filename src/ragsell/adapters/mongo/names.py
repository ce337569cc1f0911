"""Collection names, in one place for the repositories, the indexes and the eraser."""

OWNERS = "owners"
SESSIONS = "sessions"
SITES = "sites"
SNIPPETS = "snippets"
PAGES = "pages"
# Embedded passages of pages and snippets (the knowledge base), for the chunk repository.
CHUNKS = "chunks"
# Which generation of chunks is current for each page or snippet (see chunks.py).
CHUNK_SOURCES = "chunk_sources"
# Per site: a counter that moves whenever the site's chunks change, and the last chunk
# generation handed out. Keyed by site id.
KNOWLEDGE_VERSIONS = "knowledge_versions"
# Crawl jobs, claimed by workers under a lease.
CRAWL_JOBS = "crawl_jobs"
CONVERSATIONS = "conversations"
MESSAGES = "messages"
PAGE_VIEWS = "page_views"
LEADS = "leads"
USAGE = "usage"
RATE_LIMITS = "rate_limits"
# Password-reset links, keyed by the hash of their token; removed after an hour.
PASSWORD_RESETS = "password_resets"  # noqa: S105 - a collection name
# Lead notifications (email, webhook): jobs claimed by workers, and the delivery log.
NOTIFICATIONS = "lead_notifications"
