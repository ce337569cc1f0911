"""Every URL the server fetches for crawling goes through the guarded fetcher: no module
outside src/ragsell/adapters/web imports an HTTP client.

Allowed elsewhere: the adapters of AI and voice providers (openai, bedrock, deepgram,
cartesia, livekit), which talk to their configured service through its SDK and never
fetch an owner's URL."""

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "ragsell"
FETCHER_PACKAGE = SOURCE / "adapters" / "web"
PROVIDER_ADAPTERS = tuple(
    SOURCE / "adapters" / name for name in ("openai", "bedrock", "deepgram", "cartesia", "livekit")
)
HTTP_CLIENTS = frozenset(
    {"httpx", "httpcore", "requests", "urllib3", "aiohttp", "pycurl", "urllib.request", "http.client"}
)


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def is_http_client(module: str) -> bool:
    return any(module == client or module.startswith(f"{client}.") for client in HTTP_CLIENTS)


def test_no_module_outside_the_web_adapter_imports_an_http_client() -> None:
    offenders = {
        str(path.relative_to(SOURCE)): sorted(filter(is_http_client, imported_modules(path)))
        for path in SOURCE.rglob("*.py")
        if not path.is_relative_to(FETCHER_PACKAGE) and not any(path.is_relative_to(p) for p in PROVIDER_ADAPTERS)
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_within_the_web_adapter_only_the_fetcher_imports_an_http_client() -> None:
    users = {path.name for path in FETCHER_PACKAGE.rglob("*.py") if any(map(is_http_client, imported_modules(path)))}
    assert users == {"fetcher.py"}


def test_the_scan_sees_an_http_client_import(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text("import urllib.request\nfrom http import client\nfrom httpx import AsyncClient\n")
    assert sorted(filter(is_http_client, imported_modules(module))) == [
        "http.client",
        "httpx",
        "httpx.AsyncClient",
        "urllib.request",
    ]
