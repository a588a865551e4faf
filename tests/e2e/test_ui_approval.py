"""A reviewer approves a waiting run in the Prefect UI, in a real headless Chromium."""

import re
import subprocess

import pytest

from harness.stack import EDITORBOT, child_env, prefect_server
from tests.conftest import DATA
from tests.e2e.ui import browser_page, log_in, open_resume_form, submit_resume_form

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path):
    """`editorbot-prefect-server` with its UI and basic auth, as the VM runs it."""
    with prefect_server(tmp_path / "server") as running:
        yield running


def test_the_ui_resume_form_approves_the_draft_and_it_is_published(server, tmp_path):
    waiting = subprocess.Popen(
        [
            *EDITORBOT,
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
        env=child_env(**server.client_env),
    )
    try:
        run_id = re.search(r"Run ([0-9a-f-]{36})", waiting.stderr.readline()).group(1)
        while "Approve, revise or reject?" not in waiting.stderr.readline():
            assert waiting.poll() is None, "the CLI ended before the gate"
        with browser_page() as page:
            log_in(page, server.api_url, server.auth)
            form = open_resume_form(page, server.api_url, run_id)
            form.get_by_text("Provocation script").wait_for()  # the draft is in the form
            submit_resume_form(form)
        assert waiting.wait(timeout=120) == 0
        assert "Another approver decided" in waiting.stderr.read()
    finally:
        waiting.kill()
    assert list((tmp_path / "data" / "scripts").rglob("*.json"))
