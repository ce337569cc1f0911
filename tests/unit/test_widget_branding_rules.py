"""Branding a widget may carry: auto-open, an avatar on the site itself, a privacy link;
and ratings, which only replies carry."""

from datetime import UTC, datetime

import pytest

from ragsell.domain.conversations import Feedback, Message, Role
from ragsell.domain.errors import InvalidUrl, InvalidValue
from ragsell.domain.ids import ClientMessageId, ConversationId, MessageId, SiteId
from ragsell.domain.sites import Branding, CrawlSettings, make_branding
from tests.unit.test_site_rules import branding, site

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_addresses_are_normalized_and_empty_ones_are_none() -> None:
    made = branding(avatar_url=" https://WWW.Example.com/a.png ", privacy_policy_url="", auto_open=True)
    assert (made.avatar_url, made.privacy_policy_url, made.auto_open) == ("https://www.example.com/a.png", None, True)
    assert make_branding(
        assistant_name="Ada",
        colour="#2563eb",
        greeting="",
        position="bottom-right",
        language="en",
        tone="friendly",
        suggested_questions=[],
    ) == Branding(assistant_name="Ada", greeting="")


@pytest.mark.parametrize("address", ["javascript:alert(1)", "data:text/html,x", "ftp://example.com/", "//example.com"])
@pytest.mark.parametrize("field", ["avatar_url", "privacy_policy_url"])
def test_only_http_addresses_are_accepted(field: str, address: str) -> None:
    with pytest.raises(InvalidUrl) as refused:
        branding(**{field: address})
    assert refused.value.field == {"avatar_url": "avatarUrl", "privacy_policy_url": "privacyPolicyUrl"}[field]


def test_unnormalized_addresses_are_refused_when_stored() -> None:
    with pytest.raises(InvalidValue):
        Branding(privacy_policy_url="HTTPS://example.com")


def test_the_avatar_is_a_picture_on_the_site_itself() -> None:
    site(branding=branding(avatar_url="https://www.example.com/ada.png"))
    with pytest.raises(InvalidValue) as refused:
        site(branding=branding(avatar_url="https://cdn.elsewhere.example/ada.png"))
    assert refused.value.field == "avatarUrl"
    with pytest.raises(InvalidValue):
        site(
            branding=branding(avatar_url="https://www.example.com/ada.png"),
            crawl=CrawlSettings(www_is_same_site=False),
        )


def test_only_replies_carry_feedback() -> None:
    fields = {
        "id": MessageId("m" * 22),
        "conversation_id": ConversationId("c" * 22),
        "site_id": SiteId("s" * 22),
        "text": "Hello",
        "client_message_id": ClientMessageId("0b7c3b1e-3c1d-4a8e-9f4f-6a1d2b3c4d5e"),
        "created_at": NOW,
    }
    assert Message(role=Role.ASSISTANT, feedback=Feedback.UP, **fields).feedback is Feedback.UP
    with pytest.raises(InvalidValue):
        Message(role=Role.VISITOR, feedback=Feedback.DOWN, **fields)
