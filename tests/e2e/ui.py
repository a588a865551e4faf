"""A reviewer in the Prefect UI, in Debian's headless Chromium: log in, open the resume form."""

import contextlib
from collections.abc import Iterator

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own browser download is not used
TIMEOUT_MS = 60_000  # a busy 2-core machine renders the UI slowly


@contextlib.contextmanager
def browser_page() -> Iterator:
    """A fresh page in a headless Chromium that is closed afterwards."""
    from playwright.sync_api import sync_playwright

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
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            yield page
        finally:
            browser.close()


def log_in(page, api_url: str, auth: str) -> None:
    """Open the UI as the runbook says and give its login page the server's auth string."""
    page.goto(api_url.removesuffix("/api") + "/")
    password = page.get_by_placeholder("admin:pass")  # it takes the whole `user:password`
    password.fill(auth)
    page.get_by_role("button", name="Login").click()
    password.wait_for(state="detached")  # accepted: the UI went on to its dashboard


def open_resume_form(page, api_url: str, run_id):
    """Open the run's page, press Resume, and return the form showing the gate's decision."""
    page.goto(api_url.removesuffix("/api") + f"/runs/flow-run/{run_id}")
    page.get_by_role("button", name="Resume").click()
    form = page.locator(".p-modal__card")
    # The gate's own words (flows/approval.py), under the draft: the form has loaded.
    form.get_by_text("Approve, ask for a revision").wait_for()
    assert "approve" in form.inner_text()  # the decision the gate offers by default
    return form


def submit_resume_form(form) -> None:
    """Send the form as it stands (decision: approve) and wait for it to close."""
    form.get_by_role("button", name="Submit").click()
    form.wait_for(state="hidden")
