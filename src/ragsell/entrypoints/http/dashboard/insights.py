"""What an owner learns about a site: analytics, the install check, and the leads as CSV."""

from datetime import date, datetime
from typing import Annotated, Literal

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, get
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter

from ragsell.application.analytics.site_analytics import AnswerToReview, SiteAnalytics
from ragsell.application.leads.export_leads import ExportLeads
from ragsell.application.sites.install_check import CheckInstall
from ragsell.domain.analytics import DEFAULT_DAYS, MAX_DAYS
from ragsell.domain.knowledge import MAX_QUESTION_LENGTH, MAX_SNIPPET_TITLE_LENGTH
from ragsell.entrypoints.http.dashboard.lead_csv import csv_filename, leads_csv
from ragsell.entrypoints.http.dashboard.security import Auth, authenticated, settings_of
from ragsell.entrypoints.http.pages import install_snippet
from ragsell.entrypoints.http.wire import View, view_of

Days = Annotated[int, QueryParameter(ge=1, le=MAX_DAYS, description="How many days back, today included")]


class DayView(View):
    day: date
    conversations: int
    messages: int
    leads: int


class TopQuestionView(View):
    text: str
    count: int
    last_asked_at: datetime


class AddAnswerView(View):
    """The body to POST to /api/sites/{id}/snippets to answer the question (add the text)."""

    kind: Literal["qa"]
    title: str
    question: str


class ReviewView(View):
    conversation_id: str
    message_id: str
    question: str | None
    answer: str
    at: datetime
    # None when the question fell before the window.
    add_answer: AddAnswerView | None


class AnalyticsView(View):
    since: datetime
    until: datetime
    days: list[DayView]
    top_questions: list[TopQuestionView]
    rated_down: list[ReviewView]
    unanswered: list[ReviewView]
    truncated: bool


class InstallView(View):
    widget_key: str
    # Paste into every page of the site.
    snippet: str
    allowed_origins: list[str]
    # A page view arrived from one of the allowed origins (in the page views still kept).
    seen: bool
    last_seen_at: datetime | None
    last_seen_url: str | None


def _add_answer(question: str | None) -> AddAnswerView | None:
    if question is None:
        return None
    return AddAnswerView(kind="qa", title=question[:MAX_SNIPPET_TITLE_LENGTH], question=question[:MAX_QUESTION_LENGTH])


def _review_view(review: AnswerToReview) -> ReviewView:
    """Explicit: ``add_answer`` is made from the question."""
    return ReviewView(
        conversation_id=review.conversation_id,
        message_id=review.message_id,
        question=review.question,
        answer=review.answer,
        at=review.at,
        add_answer=_add_answer(review.question),
    )


class InsightController(Controller):
    path = "/api/sites/{site_id:str}"
    tags = ["analytics"]
    dependencies = {"auth": Provide(authenticated)}

    @get("/analytics", summary="Conversations, messages and leads per day; questions to look at")
    async def analytics(
        self, auth: Auth, site_id: FromPath[str], analytics: FromDishka[SiteAnalytics], days: Days = DEFAULT_DAYS
    ) -> AnalyticsView:
        report = await analytics(auth.owner.id, site_id, days=days)
        return AnalyticsView(
            since=report.since,
            until=report.until,
            days=[view_of(day, DayView) for day in report.days],
            top_questions=[view_of(question, TopQuestionView) for question in report.top_questions],
            rated_down=[_review_view(review) for review in report.rated_down],
            unanswered=[_review_view(review) for review in report.unanswered],
            truncated=report.truncated,
        )

    @get("/install", summary="The snippet to paste, and whether the widget was seen on the site")
    async def install(
        self, request: Request, auth: Auth, site_id: FromPath[str], check_install: FromDishka[CheckInstall]
    ) -> InstallView:
        status = await check_install(auth.owner.id, site_id)
        return InstallView(
            widget_key=status.site.widget_key,
            snippet=install_snippet(settings_of(request), status.site.widget_key),
            allowed_origins=list(status.site.allowed_origins),
            seen=status.seen,
            last_seen_at=status.last_seen_at,
            last_seen_url=status.last_seen_url,
        )

    @get("/leads.csv", summary="Every lead as CSV (a spreadsheet's formulas are neutralised)", media_type="text/csv")
    async def leads_csv(
        self, auth: Auth, site_id: FromPath[str], export_leads: FromDishka[ExportLeads]
    ) -> Response[bytes]:
        export = await export_leads(auth.owner.id, site_id)
        return Response(
            leads_csv(export.leads),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{csv_filename(export.site)}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
