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
# Page views counted per site and UTC day: kept after the raw views expire.
PAGE_VIEW_DAYS = "page_view_days"
# What is recorded of each privacy request (never the subject's email, phone or id).
PRIVACY_REQUESTS = "privacy_requests"
# When each periodic task (the retention sweep) last ran, so one worker runs it at a time.
TASK_SCHEDULES = "task_schedules"
# Password-reset links, keyed by the hash of their token; removed after an hour.
PASSWORD_RESETS = "password_resets"  # noqa: S105 - a collection name
# Lead notifications (email, webhook): jobs claimed by workers, and the delivery log.
NOTIFICATIONS = "lead_notifications"
