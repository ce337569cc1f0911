from dishka.integrations.litestar import FromDishka
from litestar import Response, get
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from ragsell.application.ports.system import StoreProbe
from ragsell.entrypoints.http.wire import View


class HealthView(View):
    status: str


@get("/health/live", tags=["operations"], summary="The process is up", cache=False)
async def live() -> HealthView:
    return HealthView(status="ok")


@get("/health/ready", tags=["operations"], summary="The process can serve: its store answers", cache=False)
async def ready(probe: FromDishka[StoreProbe]) -> Response[HealthView]:
    if await probe.ping():
        return Response(HealthView(status="ok"))
    return Response(HealthView(status="store_unavailable"), status_code=HTTP_503_SERVICE_UNAVAILABLE)
