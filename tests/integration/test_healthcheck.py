"""The container health probe against a real HTTP server on loopback."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.s3 import free_port
from shells.healthcheck import main


class _Health(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/api/health" else 503)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_healthy_endpoint_exits_0(server):
    assert main([f"{server}/api/health"]) == 0


def test_default_url_is_the_prefect_api_health(server, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", f"{server}/api/")
    assert main([]) == 0


def test_unhealthy_or_unreachable_exits_1(server, capsys):
    assert main([f"{server}/not-ready"]) == 1
    assert "HTTP 503" in capsys.readouterr().err
    nothing_listens = free_port()
    assert main([f"http://127.0.0.1:{nothing_listens}/health"]) == 1


def test_no_url_and_no_api_is_a_sentence(monkeypatch, capsys):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert main([]) == 1
    assert "PREFECT_API_URL is not set" in capsys.readouterr().err
