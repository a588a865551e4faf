"""A reviewer approves a waiting run in the Prefect UI, in a real headless Chromium."""

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import DATA
from tests.s3 import free_port

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own browser download is not used


@pytest.fixture
def prefect_server(tmp_path):
    """`prefect server start` with its UI, on a free loopback port."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "EDITORBOT_"))}
    # The UI calls the API at PREFECT_UI_API_URL, which defaults to port 4200.
    env.update(
        PREFECT_HOME=str(tmp_path / "server"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_API_URL=api,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2):
                break
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "server did not start"
            time.sleep(0.5)
    yield api
    server.terminate()
    server.wait(timeout=30)


def test_the_ui_resume_form_approves_the_draft_and_it_is_published(prefect_server, tmp_path):
    from playwright.sync_api import sync_playwright

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "EDITORBOT_"))}
    env["PREFECT_API_URL"] = prefect_server
    waiting = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "editorbot.cli",
            "--data-dir",
            str(tmp_path / "data"),
            "process",
            str(DATA / "es_rioplatense_synth.ogg"),
            "--dialect",
            "rioplatense",
            "--template",
            "provocation",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        run_id = re.search(r"Run ([0-9a-f-]{36})", waiting.stderr.readline()).group(1)
        while "Approve, revise or reject?" not in waiting.stderr.readline():
            assert waiting.poll() is None, "the CLI ended before the gate"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_page()
            page.goto(prefect_server.removesuffix("/api") + f"/runs/flow-run/{run_id}")
            page.get_by_role("button", name="Resume").click()
            form = page.locator(".p-modal__card")
            form.get_by_text("Provocation script").wait_for()  # the draft is in the form
            assert "approve" in form.inner_text()
            form.get_by_role("button", name="Submit").click()
            form.wait_for(state="hidden")
            browser.close()
        assert waiting.wait(timeout=120) == 0
        assert "Another approver decided" in waiting.stderr.read()
    finally:
        waiting.kill()
    assert list((tmp_path / "data" / "scripts").rglob("*.json"))
