"""How a site's lead notifications go out (email, webhook), the webhook's settings, and
the delivery log, newest first."""

from typing import Any

from dishka.integrations.litestar import FromDishka
from litestar import Request, get, post
from litestar.params import FromPath

from ragsell.application.notifications.notification_log import ListNotifications
from ragsell.application.notifications.webhook_settings import RemoveWebhook, SetWebhook
from ragsell.application.sites.get_site import GetSite
from ragsell.domain.errors import DomainError
from ragsell.domain.notifications import SIGNATURE_HEADER, TIMESTAMP_HEADER
from ragsell.domain.sites import Site
from ragsell.entrypoints.http.dashboard.conversations import Before, BeforeId, list_cursor
from ragsell.entrypoints.http.dashboard.pages.accounts import AUTH
from ragsell.entrypoints.http.dashboard.pages.common import context
from ragsell.entrypoints.http.dashboard.pages.conversations import PAGE_SIZE, next_page
from ragsell.entrypoints.http.dashboard.pages.forms import Form, form_error, read_form
from ragsell.entrypoints.http.dashboard.pages.rendering import page, redirect
from ragsell.entrypoints.http.dashboard.security import Auth


async def _notifications_page(
    request: Request,
    auth: Auth,
    site: Site,
    notifications: ListNotifications,
    *,
    before: Before = None,
    before_id: BeforeId = None,
    form: Form | None = None,
    error: DomainError | None = None,
) -> Any:
    log = await notifications(auth.owner.id, site.id, before=list_cursor(before, before_id), limit=PAGE_SIZE + 1)
    webhook = site.webhook
    values = context(
        request,
        auth,
        section="notifications",
        site=site,
        log=log,
        deliveries=log.deliveries[:PAGE_SIZE],
        next_url=next_page(request.url.path, log.deliveries, "created_at"),
        paged=before is not None,
        form=form or Form({"url": [webhook.url if webhook else ""]}),
        error=error,
        headers=(SIGNATURE_HEADER, TIMESTAMP_HEADER),
    )
    return page("notifications.html", values, status=200 if error is None else 422)


@get("/sites/{site_id:str}/notifications", dependencies=AUTH, include_in_schema=False)
async def notifications_page(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    notifications: FromDishka[ListNotifications],
    before: Before = None,
    before_id: BeforeId = None,
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    return await _notifications_page(request, auth, site, notifications, before=before, before_id=before_id)


@post("/sites/{site_id:str}/notifications/webhook", dependencies=AUTH, include_in_schema=False)
async def set_webhook(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    set_webhook: FromDishka[SetWebhook],
    notifications: FromDishka[ListNotifications],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    form = await read_form(request)
    try:
        await set_webhook(auth.owner.id, site.id, form.text("url").strip(), new_secret=form.checked("newSecret"))
    except DomainError as error:
        return await _notifications_page(request, auth, site, notifications, form=form, error=form_error(error))
    return redirect(f"/sites/{site.id}/notifications", notice="webhook-saved")


@post("/sites/{site_id:str}/notifications/webhook/remove", dependencies=AUTH, include_in_schema=False)
async def remove_webhook(auth: Auth, site_id: FromPath[str], remove: FromDishka[RemoveWebhook]) -> Any:
    await remove(auth.owner.id, site_id)
    return redirect(f"/sites/{site_id}/notifications", notice="webhook-removed")


NOTIFICATION_PAGES = [notifications_page, set_webhook, remove_webhook]
