"""Each site's conversation window: a conversation goes, with its messages, once its
last message is older than the site's ``retention_days``."""

from datetime import datetime

from ragsell.application.ports.repositories import ConversationRepository, SiteRepository
from ragsell.domain.retention import conversation_cutoff

BATCH = 500
# A dry run counts up to this many conversations a site.
MAX_COUNTED = 1_000_000


class ConversationRetention:
    def __init__(self, sites: SiteRepository, conversations: ConversationRepository) -> None:
        self._sites = sites
        self._conversations = conversations

    async def sweep(self, now: datetime, *, dry_run: bool) -> dict[str, int]:
        conversations = messages = 0
        for site in await self._sites.list_for_operator():
            cutoff = conversation_cutoff(site.retention_days, now)
            if cutoff is None:
                continue
            if dry_run:
                conversations += len(await self._conversations.inactive_before(site.id, cutoff, limit=MAX_COUNTED))
                continue
            while batch := await self._conversations.inactive_before(site.id, cutoff, limit=BATCH):
                for conversation in batch:
                    messages += await self._conversations.remove(site.id, conversation.id)
                conversations += len(batch)
        counts = {"conversations": conversations}
        return counts if dry_run else {**counts, "messages": messages}
