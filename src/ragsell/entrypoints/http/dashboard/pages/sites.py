"""Sites: the list, connecting one, its settings, and installing its widget."""

from typing import Any

from dishka.integrations.litestar import FromDishka
from litestar import Request, get, post
from litestar.params import FromPath

from ragsell.application.sites.add_site import AddSite, AddSiteCommand
from ragsell.application.sites.delete_site import DeleteSite
from ragsell.application.sites.get_site import GetSite
from ragsell.application.sites.install_check import CheckInstall
from ragsell.application.sites.list_sites import ListSites
from ragsell.application.sites.update_site import UpdateSite, UpdateSiteCommand
from ragsell.application.voice.features import VoiceFeatures
from ragsell.domain.errors import DomainError, InvalidValue
from ragsell.domain.ids import OwnerId
from ragsell.domain.sites import (
    MAX_SUGGESTIONS,
    UI_LANGUAGES,
    CrawlSchedule,
    CrawlSettings,
    Site,
    Tone,
    WidgetPosition,
    make_branding,
)
from ragsell.domain.voice import VoiceChoice
from ragsell.entrypoints.http.dashboard.pages.accounts import AUTH
from ragsell.entrypoints.http.dashboard.pages.common import context
from ragsell.entrypoints.http.dashboard.pages.forms import Form, form_error, read_form
from ragsell.entrypoints.http.dashboard.pages.rendering import page, redirect
from ragsell.entrypoints.http.dashboard.security import Auth
from ragsell.entrypoints.http.pages import install_snippet
from ragsell.entrypoints.settings import Settings

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "pt": "Português",
    "it": "Italiano",
    "nl": "Nederlands",
}
CHOICES = {
    "positions": [(p.value, p.value.replace("-", " ").capitalize()) for p in WidgetPosition],
    "tones": [(t.value, t.value.capitalize()) for t in Tone],
    "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in UI_LANGUAGES],
    "schedules": [(s.value, s.value.capitalize()) for s in CrawlSchedule],
    "max_suggestions": MAX_SUGGESTIONS,
}


def _sites_page(request: Request, auth: Auth, sites: list[Site], form: Form, error: DomainError | None = None) -> Any:
    values = context(request, auth, section="sites", sites=sites, form=form, error=error)
    return page("sites.html", values, status=200 if error is None else 422)


@get("/sites", dependencies=AUTH, include_in_schema=False)
async def sites_page(request: Request, auth: Auth, list_sites: FromDishka[ListSites]) -> Any:
    return _sites_page(request, auth, await list_sites(auth.owner.id), Form())


@post("/sites", dependencies=AUTH, include_in_schema=False)
async def add_site(
    request: Request, auth: Auth, add_site: FromDishka[AddSite], list_sites: FromDishka[ListSites]
) -> Any:
    form = await read_form(request)
    try:
        site = await add_site(AddSiteCommand(owner=auth.owner, name=form.text("name"), url=form.text("url")))
    except DomainError as error:
        return _sites_page(request, auth, await list_sites(auth.owner.id), form, form_error(error))
    return redirect(f"/sites/{site.id}/knowledge", notice="site-added")


@get("/sites/{site_id:str}", dependencies=AUTH, include_in_schema=False)
async def site_home(auth: Auth, site_id: FromPath[str], get_site: FromDishka[GetSite]) -> Any:
    site = await get_site(auth.owner.id, site_id)
    return redirect(f"/sites/{site.id}/knowledge")


def _settings_form(site: Site) -> Form:
    branding, crawl = site.branding, site.crawl
    values = {
        "name": site.name,
        "assistantName": branding.assistant_name,
        "colour": branding.colour,
        "greeting": branding.greeting,
        "position": branding.position.value,
        "language": branding.language,
        "tone": branding.tone.value,
        "autoOpen": "on" if branding.auto_open else "",
        "avatarUrl": branding.avatar_url or "",
        "privacyPolicyUrl": branding.privacy_policy_url or "",
        "allowedOrigins": "\n".join(site.allowed_origins),
        "includePatterns": "\n".join(crawl.include_patterns),
        "excludePatterns": "\n".join(crawl.exclude_patterns),
        "schedule": crawl.schedule.value,
        "wwwIsSameSite": "on" if crawl.www_is_same_site else "",
        "retentionDays": "" if site.retention_days is None else str(site.retention_days),
        "voiceEnabled": "on" if site.voice_enabled else "",
        "voiceId": site.voice.voice_id,
        "voiceModel": site.voice.model,
        "country": site.country or "",
    }
    fields = {key: [value] for key, value in values.items()}
    fields["suggestedQuestions"] = list(branding.suggested_questions)
    return Form(fields)


def _update_command(owner_id: OwnerId, site_id: str, form: Form) -> UpdateSiteCommand:
    country = form.optional("country")
    return UpdateSiteCommand(
        owner_id=owner_id,
        site_id=site_id,
        name=form.text("name"),
        branding=make_branding(
            assistant_name=form.text("assistantName"),
            colour=form.text("colour"),
            greeting=form.text("greeting"),
            position=form.choice("position", tuple(WidgetPosition), "positions"),
            language=form.choice("language", UI_LANGUAGES, "languages"),
            tone=form.choice("tone", tuple(Tone), "tones"),
            suggested_questions=form.all("suggestedQuestions")[:MAX_SUGGESTIONS],
            auto_open=form.checked("autoOpen"),
            avatar_url=form.optional("avatarUrl"),
            privacy_policy_url=form.optional("privacyPolicyUrl"),
        ),
        allowed_origins=tuple(form.lines("allowedOrigins")),
        crawl=CrawlSettings(
            include_patterns=tuple(form.lines("includePatterns")),
            exclude_patterns=tuple(form.lines("excludePatterns")),
            schedule=CrawlSchedule(form.choice("schedule", tuple(CrawlSchedule), "schedules")),
            www_is_same_site=form.checked("wwwIsSameSite"),
        ),
        retention_days=form.number("retentionDays", "the number of days"),
        voice_enabled=form.checked("voiceEnabled"),
        voice=VoiceChoice(voice_id=form.text("voiceId").strip(), model=form.text("voiceModel").strip()),
        country=None if country is None else country.upper(),
    )


def _settings_page(
    request: Request,
    auth: Auth,
    site: Site,
    form: Form,
    voice: VoiceFeatures,
    error: DomainError | None = None,
) -> Any:
    values = context(request, auth, section="settings", site=site, form=form, error=error, choices=CHOICES, voice=voice)
    return page("settings.html", values, status=200 if error is None else 422)


@get("/sites/{site_id:str}/settings", dependencies=AUTH, include_in_schema=False)
async def settings_page(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    voice: FromDishka[VoiceFeatures],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    return _settings_page(request, auth, site, _settings_form(site), voice)


@post("/sites/{site_id:str}/settings", dependencies=AUTH, include_in_schema=False)
async def save_settings(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    update_site: FromDishka[UpdateSite],
    voice: FromDishka[VoiceFeatures],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    form = await read_form(request)
    try:
        await update_site(_update_command(auth.owner.id, site.id, form))
    except DomainError as error:
        return _settings_page(request, auth, site, form, voice, form_error(error))
    return redirect(f"/sites/{site.id}/settings", notice="settings-saved")


@post("/sites/{site_id:str}/delete", dependencies=AUTH, include_in_schema=False)
async def delete_site(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    delete_site: FromDishka[DeleteSite],
    voice: FromDishka[VoiceFeatures],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    form = await read_form(request)
    if form.text("confirmName") != site.name:
        error = InvalidValue("Type the site's name exactly to delete it.", field="confirmName")
        return _settings_page(request, auth, site, _settings_form(site), voice, error)
    await delete_site(auth.owner.id, site.id)
    return redirect("/sites", notice="site-deleted")


@get("/sites/{site_id:str}/install", dependencies=AUTH, include_in_schema=False)
async def install_page(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    check: FromDishka[CheckInstall],
    settings: FromDishka[Settings],
) -> Any:
    status = await check(auth.owner.id, site_id)
    site = status.site
    snippet = install_snippet(settings, site.widget_key)
    values = context(request, auth, section="install", site=site, snippet=snippet, status=status)
    return page("install.html", values)


SITE_PAGES = [sites_page, add_site, site_home, settings_page, save_settings, delete_site, install_page]
