"""What a lead notification says: the email to the owner, and the webhook's signed JSON."""

from datetime import datetime

import msgspec

from ragsell.application.links import PublicLinks
from ragsell.application.ports.mail import OutgoingEmail
from ragsell.application.ports.notifications import WebhookRequest
from ragsell.domain.leads import Lead, LeadKind
from ragsell.domain.notifications import SIGNATURE_HEADER, TIMESTAMP_HEADER, LeadNotification, Webhook, signature
from ragsell.domain.sites import Site

LEAD_CREATED = "lead.created"


class _Wire(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    pass


class WebhookSite(_Wire):
    id: str
    name: str
    url: str


class WebhookLead(_Wire):
    id: str
    name: str
    email: str | None
    phone: str | None
    message: str
    kind: str
    page_url: str | None
    conversation_id: str | None
    created_at: datetime


class WebhookPayload(_Wire):
    event: str
    delivery_id: str
    # The same moment as the timestamp header, covered by the signature with the rest.
    sent_at: datetime
    site: WebhookSite
    lead: WebhookLead
    transcript_url: str | None


def _transcript(links: PublicLinks, site: Site, lead: Lead) -> str | None:
    return None if lead.conversation_id is None else links.transcript(site.id, lead.conversation_id)


def lead_email(*, to: str, site: Site, lead: Lead, links: PublicLinks) -> OutgoingEmail:
    wants = "a call back" if lead.kind is LeadKind.CALLBACK else "an answer"
    transcript = _transcript(links, site, lead) or "none (the form was sent without a chat)"
    lines = [
        f"A visitor of {site.name} left their details and would like {wants}.",
        "",
        f"Name: {lead.name}",
        f"Email: {lead.email or '-'}",
        f"Phone: {lead.phone or '-'}",
        f"Page: {lead.page_url or '-'}",
        "",
        "Message:",
        lead.message or "-",
        "",
        f"Conversation: {transcript}",
        f"All leads of {site.name}: {links.leads(site.id)}",
    ]
    return OutgoingEmail(to=to, subject=f"New lead on {site.name}: {lead.name}", text="\n".join(lines) + "\n")


def webhook_request(
    *, webhook: Webhook, notification: LeadNotification, site: Site, lead: Lead, links: PublicLinks, now: datetime
) -> WebhookRequest:
    sent_at = now.replace(microsecond=0)
    payload = WebhookPayload(
        event=LEAD_CREATED,
        delivery_id=notification.id,
        sent_at=sent_at,
        site=WebhookSite(id=site.id, name=site.name, url=site.url),
        lead=WebhookLead(
            id=lead.id,
            name=lead.name,
            email=lead.email,
            phone=lead.phone,
            message=lead.message,
            kind=lead.kind.value,
            page_url=lead.page_url,
            conversation_id=lead.conversation_id,
            created_at=lead.created_at,
        ),
        transcript_url=_transcript(links, site, lead),
    )
    body = msgspec.json.encode(payload)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(webhook.secret, body),
        TIMESTAMP_HEADER: str(int(sent_at.timestamp())),
        "X-Ragsell-Event": LEAD_CREATED,
        "X-Ragsell-Delivery": notification.id,
    }
    return WebhookRequest(url=webhook.url, body=body, headers=headers)
