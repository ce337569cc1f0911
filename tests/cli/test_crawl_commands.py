"""`ragsell crawl` and `ragsell worker` beside a running `ragsell serve`, on a real local site."""

import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.cli.test_serve import RAGSELL, Server, _clean_env

PAGES = {
    "/": "<html><head><title>Crumb</title></head><body><main><h1>Crumb Bakery</h1>"
    "<p>Sourdough bread baked by hand every morning in Lisbon since 1998.</p>"
    "<a href='/hours'>Hours</a></main></body></html>",
    "/hours": "<html><head><title>Hours</title></head><body><main><h1>Opening hours</h1>"
    "<p>The shop is open Tuesday to Sunday from 7am to 7pm and closed on Mondays.</p></main></body></html>",
}


class Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGES.get(self.path, "").encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def bakery() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    data_dir = tmp_path / "data"
    server = Server(data_dir, {"RAGSELL_WORKER_IN_PROCESS": "false", "RAGSELL_CRAWL_ALLOW_LOOPBACK": "true"})
    server.wait_ready()
    yield server, data_dir
    server.stop()


def site_of(server: Server, url: str) -> tuple[httpx.Client, dict[str, str], str]:
    client = httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10)
    signed = client.post(
        "/api/accounts",
        json={
            "name": "Ana",
            "email": "ana@example.com",
            "password": "correct horse battery",
            "confirmsMinimumAge": True,
        },
    )
    csrf = {"x-csrf-token": signed.json()["csrfToken"]}
    site = client.post("/api/sites", json={"name": "Crumb", "url": url}, headers=csrf).json()
    return client, csrf, site["id"]


def crawl_env() -> dict[str, str]:
    return {**_clean_env(), "RAGSELL_CRAWL_ALLOW_LOOPBACK": "true"}


def test_crawl_command_crawls_a_site_with_a_progress_bar(served, bakery: str) -> None:
    server, data_dir = served
    client, _, site_id = site_of(server, bakery)

    result = subprocess.run(
        [RAGSELL, "crawl", site_id, "--data-dir", str(data_dir)],
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "100%" in result.stderr
    assert "2 pages indexed or unchanged" in result.stdout
    pages = client.get(f"/api/sites/{site_id}/pages").json()
    assert {page["outcome"] for page in pages} == {"indexed"}


def test_crawl_command_names_an_unknown_site(served) -> None:
    _, data_dir = served
    result = subprocess.run(
        [RAGSELL, "crawl", "x" * 22, "--data-dir", str(data_dir)],
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no site with that id" in result.stderr


def test_a_separate_worker_runs_the_crawls_the_dashboard_asks_for(served, bakery: str) -> None:
    server, data_dir = served
    client, csrf, site_id = site_of(server, bakery)
    worker = subprocess.Popen(
        [RAGSELL, "worker", "--data-dir", str(data_dir)],
        env=crawl_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert client.post(f"/api/sites/{site_id}/crawls", headers=csrf).status_code == 202
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            latest = client.get(f"/api/sites/{site_id}/crawls/latest").json()
            if latest["state"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert latest["state"] == "done", latest
        assert latest["progress"]["percent"] == 100
    finally:
        worker.terminate()
        assert worker.wait(timeout=30) == 0
