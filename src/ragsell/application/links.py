"""Addresses of ragsell's own pages that emails and webhooks point to."""

import msgspec

from ragsell.domain.ids import ConversationId, SiteId


class PublicLinks(msgspec.Struct, frozen=True):
    # Where owners reach this ragsell, without a trailing slash.
    base_url: str

    def reset_password(self, token: str) -> str:
        # In the fragment: browsers send it to no server, so it stays out of logs and Referer headers.
        return f"{self.base_url}/reset-password#token={token}"

    def transcript(self, site_id: SiteId, conversation_id: ConversationId) -> str:
        return f"{self.base_url}/sites/{site_id}/conversations/{conversation_id}"

    def leads(self, site_id: SiteId) -> str:
        return f"{self.base_url}/sites/{site_id}/leads"
