"""The Litestar application: routes, error mapping, OpenAPI, and the DI container."""

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dishka import AsyncContainer
from dishka.integrations.litestar import DishkaRouter, setup_dishka
from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

import ragsell
from ragsell.application.ports.system import StoreProbe
from ragsell.entrypoints.http.dashboard.account_sessions import AccountSessionController
from ragsell.entrypoints.http.dashboard.accounts import AccountController
from ragsell.entrypoints.http.dashboard.conversations import ConversationController, LeadController
from ragsell.entrypoints.http.dashboard.insights import InsightController
from ragsell.entrypoints.http.dashboard.knowledge import PageController, SnippetController
from ragsell.entrypoints.http.dashboard.notifications import NotificationController
from ragsell.entrypoints.http.dashboard.pages.rendering import template_config
from ragsell.entrypoints.http.dashboard.pages.routes import page_router
from ragsell.entrypoints.http.dashboard.password_resets import PasswordResetController
from ragsell.entrypoints.http.dashboard.privacy import PrivacyController
from ragsell.entrypoints.http.dashboard.security import same_origin_guard
from ragsell.entrypoints.http.dashboard.sites import SiteController, UsageController
from ragsell.entrypoints.http.errors import EXCEPTION_HANDLERS
from ragsell.entrypoints.http.health import live, ready
from ragsell.entrypoints.http.pages import demo_page, privacy_page
from ragsell.entrypoints.http.request_context import request_context_middleware
from ragsell.entrypoints.http.widget.assets import widget_asset_routes
from ragsell.entrypoints.http.widget.cors import widget_cors_middleware
from ragsell.entrypoints.http.widget.routes import WidgetController
from ragsell.entrypoints.settings import Settings
from ragsell.entrypoints.worker import run_worker, stop_worker

# JSON bodies are small; anything larger is refused with 413 before it is read whole.
MAX_BODY_BYTES = 64 * 1024


def create_app(settings: Settings, container: AsyncContainer) -> Litestar:
    """The app serving ``container``; closing the app closes the container."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        worker: asyncio.Task[None] | None = None
        try:
            # Open the store now, in the serving loop: connections and indexes are ready
            # before the first request, and a store that fails stops the start.
            await container.get(StoreProbe)
            # What start-up made lives as long as the process: keep it out of every full
            # garbage collection (they took ~100 ms each, the widget API's worst latency).
            gc.freeze()
            if settings.worker_in_process:
                worker = asyncio.create_task(run_worker(container, stop))
            yield
        finally:
            stop.set()
            if worker is not None:
                await stop_worker(worker)
            await container.close()

    dashboard = DishkaRouter(
        path="/",
        route_handlers=[
            AccountController,
            SiteController,
            SnippetController,
            PageController,
            ConversationController,
            LeadController,
            UsageController,
            PasswordResetController,
            AccountSessionController,
            NotificationController,
            InsightController,
            PrivacyController,
        ],
        guards=[same_origin_guard],
    )
    widget = DishkaRouter(path="/", route_handlers=[WidgetController])
    operations = DishkaRouter(path="/", route_handlers=[live, ready], include_in_schema=True)
    pages = DishkaRouter(path="/", route_handlers=[*widget_asset_routes(), demo_page, privacy_page])
    app = Litestar(
        route_handlers=[dashboard, widget, operations, pages, page_router()],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        request_max_body_size=MAX_BODY_BYTES,
        template_config=template_config(),
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="ragsell",
            version=ragsell.__version__,
            description="Dashboard API (/api, owner sessions) and widget API (/widget/v1, public).",
            path="/schema",
            # The schema as JSON only: the HTML viewers load scripts from a CDN.
            render_plugins=[JsonRenderPlugin(path="/openapi.json")],
        ),
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    setup_dishka(container, app)
    app.asgi_handler = request_context_middleware(widget_cors_middleware(app.asgi_handler, settings.public_origin))
    return app
