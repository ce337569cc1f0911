"""What an owner learns about a site: analytics over its last days, the leads export,
whether the widget was seen on the site, and usage per site."""

from datetime import UTC, datetime, timedelta

import pytest

from ragsell.application.conversations.record_page_view import RecordPageViewCommand
from ragsell.application.errors import NotFound
from ragsell.domain.conversations import Feedback
from ragsell.domain.errors import InvalidValue
from tests.application.conftest import Harness, done, new_visitor


async def test_analytics_count_conversations_messages_and_leads_per_day(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.teach(site, "Hours", "We are open Monday to Friday, 9 to 5.", question="When are you open?")
    first = await harness.start(site)
    await harness.ask(site, first, "When are you open?")
    harness.clock.advance(timedelta(days=1))
    second = await harness.start(site)
    await harness.ask(site, second, "When are you open?")
    await harness.ask(site, second, "Do you sell llamas?")
    await harness.leave_lead(site)

    report = await harness.analytics(owner.id, site.id, days=7)

    assert len(report.days) == 7 and report.days[-1].day == harness.clock.now().date()
    assert [(d.conversations, d.messages, d.leads) for d in report.days[-2:]] == [(1, 2, 0), (1, 4, 1)]
    assert sum(d.messages for d in report.days[:-2]) == 0
    assert report.truncated is False


async def test_top_questions_read_the_same_whatever_the_case_and_punctuation(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    conversation = await harness.start(site)
    for text in ("Do you ship to Norway?", "do you ship to norway", "Opening hours?", "DO YOU SHIP TO NORWAY!!"):
        await harness.ask(site, conversation, text)
        harness.clock.advance(timedelta(seconds=1))

    report = await harness.analytics(owner.id, site.id)

    assert [(q.text, q.count) for q in report.top_questions] == [
        ("DO YOU SHIP TO NORWAY!!", 3),
        ("Opening hours?", 1),
    ]


async def test_unanswered_questions_and_answers_rated_down_come_with_their_question(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.teach(site, "Hours", "We are open Monday to Friday, 9 to 5.", question="When are you open?")
    conversation = await harness.start(site)
    answered = done(await harness.ask(site, conversation, "When are you open?"))
    unanswered = done(await harness.ask(site, conversation, "Do you sell llamas?"))
    assert answered.answered and not unanswered.answered
    await harness.conversations.set_feedback(site.id, conversation.id, answered.message_id, Feedback.DOWN)

    report = await harness.analytics(owner.id, site.id)

    assert [(a.question, a.message_id) for a in report.unanswered] == [("Do you sell llamas?", unanswered.message_id)]
    assert [(a.question, a.message_id) for a in report.rated_down] == [("When are you open?", answered.message_id)]
    assert "Monday to Friday" in report.rated_down[0].answer
    assert report.rated_down[0].conversation_id == conversation.id


async def test_analytics_read_only_the_window(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.ask(site, await harness.start(site), "An old question?")
    harness.clock.advance(timedelta(days=3))
    await harness.ask(site, await harness.start(site), "A new question?")

    report = await harness.analytics(owner.id, site.id, days=1)

    assert [q.text for q in report.top_questions] == ["A new question?"]
    assert report.since == datetime.combine(harness.clock.now().date(), datetime.min.time(), tzinfo=UTC)


@pytest.mark.parametrize("days", [0, -1, 91])
async def test_analytics_windows_outside_1_to_90_days_are_refused(harness: Harness, days: int) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)

    with pytest.raises(InvalidValue):
        await harness.analytics(owner.id, site.id, days=days)


async def test_the_leads_export_holds_every_lead_newest_first(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    made = []
    for n in range(7):
        made.append(await harness.leave_lead(site, name=f"Visitor {n}"))
        harness.clock.advance(timedelta(minutes=1))

    export = await harness.export_leads(owner.id, site.id)

    assert [lead.id for lead in export.leads] == [lead.id for lead in reversed(made)]
    assert export.site == site and export.truncated is False


async def test_the_install_check_sees_page_views_from_allowed_origins_only(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)

    assert (await harness.check_install(owner.id, site.id)).seen is False
    await harness.record_page_view(
        RecordPageViewCommand(
            widget_key=site.widget_key,
            origin=harness.own.origin,
            visitor_id=new_visitor(),
            url=f"{harness.own.origin}/demo/{site.widget_key}",
            referrer=None,
        )
    )
    assert (await harness.check_install(owner.id, site.id)).seen is False

    await harness.view_page(site, new_visitor(), url="https://example.com/pricing?utm=x")
    seen_at = harness.clock.now()
    harness.clock.advance(timedelta(minutes=5))
    status = await harness.check_install(owner.id, site.id)

    assert (status.seen, status.last_seen_at, status.last_seen_url) == (True, seen_at, "https://example.com/pricing")


async def test_usage_is_broken_down_per_site(harness: Harness) -> None:
    owner = await harness.owner()
    shop = await harness.site(owner, url="https://shop.example/", name="Shop")
    conversation = await harness.start(shop)
    await harness.ask(shop, conversation, "Hello?")
    await harness.ask(shop, conversation, "Anyone?")

    report = await harness.usage_summary(owner)

    assert [(s.site_name, s.conversations, s.messages) for s in report.by_site] == [("Shop", 1, 2)]


async def test_another_owners_site_insights_are_out_of_reach(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.leave_lead(site)
    stranger = await harness.owner("eve@example.com")

    for use_case in (harness.analytics, harness.export_leads, harness.check_install):
        with pytest.raises(NotFound):
            await use_case(stranger.id, site.id)
    assert (await harness.usage_summary(stranger)).by_site == ()
